import type { ReadStream } from 'node:fs';
import { open } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { extname, join, normalize, sep } from 'node:path';
import { pipeline } from 'node:stream';
import type { AccessPolicy } from './access-policy.ts';
import { listRecordings, openRecording } from './recordings.ts';
import { withBacktestSummaries } from './backtest-recordings.ts';
import type { ServerMetrics } from './server-metrics.ts';

export interface HttpContext {
  readonly uiDir: string;
  readonly recordingsDir: string;
  readonly policy: AccessPolicy;
  readonly metrics: ServerMetrics;
  readonly health: () => Record<string, unknown>;
  /** Server log for failures that are ours (never given request text). */
  readonly log?: (line: string) => void;
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

function send(res: ServerResponse, status: number, type: string, body: string, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'content-type': type, 'cache-control': 'no-store', 'x-content-type-options': 'nosniff', ...headers });
  res.end(body);
}

function json(res: ServerResponse, status: number, value: unknown, headers: Record<string, string> = {}): void {
  send(res, status, 'application/json', `${JSON.stringify(value)}\n`, headers);
}

/** A request we refuse with a status, thrown from anywhere in a route and answered as JSON. */
class HttpRefusal extends Error {
  constructor(readonly status: number, message: string) {
    super(message);
  }
}

/**
 * GET-only routes; everything the WebSocket does not cover. Never throws and never leaves a
 * promise rejected: whatever a route does wrong becomes a 4xx/5xx answer (or, once the body has
 * started, a closed socket), so no request can end the process.
 */
export function handleHttp(ctx: HttpContext, req: IncomingMessage, res: ServerResponse): void {
  let done: Promise<void>;
  try {
    done = route(ctx, req, res);
  } catch (err) {
    done = Promise.reject(err);
  }
  done.catch((err: unknown) => {
    if (err instanceof HttpRefusal) {
      if (!res.headersSent) return json(res, err.status, { error: err.message });
    } else ctx.log?.(`HTTP ${req.method} failed: ${(err as Error)?.message ?? String(err)}`);
    if (!res.headersSent) json(res, 500, { error: 'internal error' });
    else res.destroy();
  });
}

async function route(ctx: HttpContext, req: IncomingMessage, res: ServerResponse): Promise<void> {
  if (req.method !== 'GET' && req.method !== 'HEAD') return json(res, 405, { error: `method ${String(req.method).slice(0, 32)} not allowed` }, { allow: 'GET, HEAD' });
  const path = requestPath(req.url);
  const host = ctx.policy.checkHost(req);
  if (!host.ok) return json(res, host.status, { error: host.reason });
  if (path === '/healthz') {
    // 503 while the journal cannot write: monitors must see that trading is held.
    const health = ctx.health();
    return json(res, health.status === 'ok' ? 200 : 503, health);
  }
  if (path === '/metrics' || path === '/recordings' || path.startsWith('/recordings/')) {
    const access = ctx.policy.checkToken(req);
    if (!access.ok) return json(res, access.status, { error: access.reason }, access.status === 401 ? { 'www-authenticate': 'Bearer realm="tradeloom"' } : {});
  }
  if (path === '/metrics') return send(res, 200, 'text/plain; version=0.0.4; charset=utf-8', ctx.metrics.render());
  if (path === '/recordings') return json(res, 200, { recordings: withBacktestSummaries(ctx.recordingsDir, listRecordings(ctx.recordingsDir)) });
  if (path.startsWith('/recordings/')) {
    const name = path.slice('/recordings/'.length);
    const recording = await openRecording(ctx.recordingsDir, name);
    if (!recording) return json(res, 404, { error: `no recording named ${JSON.stringify(name.slice(0, 200))}` });
    res.writeHead(200, { 'content-type': 'application/x-ndjson', 'content-length': String(recording.size), 'cache-control': 'no-store', 'x-content-type-options': 'nosniff' });
    return streamTo(recording.stream, res);
  }
  if (path === '/ws') return json(res, 426, { error: 'the WebSocket API needs an Upgrade request' });
  return serveUi(ctx.uiDir, path, res);
}

/** The decoded path of a request target; a target that does not parse or decode is a 400. */
export function requestPath(target: string | undefined): string {
  let pathname: string;
  try {
    pathname = new URL(target ?? '/', 'http://localhost').pathname;
  } catch {
    throw new HttpRefusal(400, 'bad request target');
  }
  let path: string;
  try {
    path = decodeURIComponent(pathname);
  } catch {
    throw new HttpRefusal(400, 'bad percent-encoding in the path');
  }
  // A NUL byte makes every file-system call throw; no name of ours has one.
  if (path.includes('\0')) throw new HttpRefusal(400, 'NUL byte in the path');
  return path;
}

/** Pipes a file to the response; a read error mid-way cuts the response, never the process. */
function streamTo(stream: ReadStream, res: ServerResponse): Promise<void> {
  return new Promise((resolve) => {
    pipeline(stream, res, () => resolve());
  });
}

async function serveUi(uiDir: string, path: string, res: ServerResponse): Promise<void> {
  const index = join(uiDir, 'index.html');
  let file = normalize(join(uiDir, path));
  if (file !== uiDir && !file.startsWith(uiDir + sep)) return json(res, 404, { error: 'not found' });
  let opened = await openFile(file);
  // A single-page app: unknown paths without an extension get the shell.
  if (!opened) {
    if (extname(path) !== '') return json(res, 404, { error: 'not found' });
    file = index;
    opened = await openFile(index);
    if (!opened) return send(res, 200, 'text/html; charset=utf-8', NO_UI_PAGE);
  }
  res.writeHead(200, { 'content-type': TYPES[extname(file)] ?? 'application/octet-stream', 'content-length': String(opened.size), 'x-content-type-options': 'nosniff' });
  return streamTo(opened.stream, res);
}

/** A regular file opened for streaming, or null (missing, a directory, unreadable). */
async function openFile(file: string): Promise<{ size: number; stream: ReadStream } | null> {
  let handle;
  try {
    handle = await open(file, 'r');
  } catch {
    return null;
  }
  try {
    const stat = await handle.stat();
    if (stat.isFile()) return { size: stat.size, stream: handle.createReadStream({ autoClose: true }) };
  } catch {
    /* closed below */
  }
  await handle.close().catch(() => undefined);
  return null;
}
