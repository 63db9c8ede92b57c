import { createReadStream, existsSync, statSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { extname, join, normalize, sep } from 'node:path';
import type { AccessPolicy } from './access-policy.ts';
import { listRecordings, recordingPath } from './recordings.ts';
import type { ServerMetrics } from './server-metrics.ts';

export interface HttpContext {
  readonly uiDir: string;
  readonly recordingsDir: string;
  readonly policy: AccessPolicy;
  readonly metrics: ServerMetrics;
  readonly health: () => Record<string, unknown>;
}

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8', '.js': 'text/javascript; charset=utf-8', '.css': 'text/css; charset=utf-8',
  '.json': 'application/json', '.svg': 'image/svg+xml', '.png': 'image/png', '.ico': 'image/x-icon',
  '.woff2': 'font/woff2', '.map': 'application/json', '.jsonl': 'application/x-ndjson',
};

const NO_UI_PAGE = `<!doctype html><meta charset="utf-8"><title>tradeloom</title>
<h1>tradeloom is running</h1>
<p>The workbench UI is not built yet. Run <code>npm run build</code> (or <code>npm start</code>, which builds first) and reload.</p>
<p>The WebSocket API is at <code>/ws</code>; see <code>/healthz</code>, <code>/metrics</code> and <code>/recordings</code>.</p>`;

function send(res: ServerResponse, status: number, type: string, body: string): void {
  res.writeHead(status, { 'content-type': type, 'cache-control': 'no-store', 'x-content-type-options': 'nosniff' });
  res.end(body);
}

function json(res: ServerResponse, status: number, value: unknown): void {
  send(res, status, 'application/json', `${JSON.stringify(value)}\n`);
}

/** GET-only routes; everything the WebSocket does not cover. */
export function handleHttp(ctx: HttpContext, req: IncomingMessage, res: ServerResponse): void {
  const url = new URL(req.url ?? '/', 'http://localhost');
  const path = url.pathname;
  if (req.method !== 'GET' && req.method !== 'HEAD') return json(res, 405, { error: `method ${req.method} not allowed` });
  const host = ctx.policy.checkHost(req);
  if (!host.ok) return json(res, host.status, { error: host.reason });
  if (path === '/healthz') {
    // 503 while the journal cannot write: monitors must see that trading is held.
    const health = ctx.health();
    return json(res, health.status === 'ok' ? 200 : 503, health);
  }
  if (path === '/metrics' || path === '/recordings' || path.startsWith('/recordings/')) {
    const access = ctx.policy.checkToken(req);
    if (!access.ok) return json(res, access.status, { error: access.reason });
  }
  if (path === '/metrics') return send(res, 200, 'text/plain; version=0.0.4; charset=utf-8', ctx.metrics.render());
  if (path === '/recordings') return json(res, 200, { recordings: listRecordings(ctx.recordingsDir) });
  if (path.startsWith('/recordings/')) {
    const name = decodeURIComponent(path.slice('/recordings/'.length));
    const file = recordingPath(ctx.recordingsDir, name);
    if (!file) return json(res, 404, { error: `no recording named ${JSON.stringify(name.slice(0, 200))}` });
    res.writeHead(200, { 'content-type': 'application/x-ndjson', 'cache-control': 'no-store' });
    createReadStream(file).pipe(res);
    return;
  }
  if (path === '/ws') return json(res, 426, { error: 'the WebSocket API needs an Upgrade request' });
  serveUi(ctx.uiDir, path, res);
}

function serveUi(uiDir: string, path: string, res: ServerResponse): void {
  const index = join(uiDir, 'index.html');
  if (!existsSync(index)) return send(res, 200, 'text/html; charset=utf-8', NO_UI_PAGE);
  let file = normalize(join(uiDir, decodeURIComponent(path)));
  if (file !== uiDir && !file.startsWith(uiDir + sep)) return json(res, 404, { error: 'not found' });
  // A single-page app: unknown paths without an extension get the shell.
  if (!existsSync(file) || statSync(file).isDirectory()) {
    if (extname(path) !== '') return json(res, 404, { error: 'not found' });
    file = index;
  }
  res.writeHead(200, { 'content-type': TYPES[extname(file)] ?? 'application/octet-stream', 'x-content-type-options': 'nosniff' });
  createReadStream(file).pipe(res);
}
