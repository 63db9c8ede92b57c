import { createServer, request, type IncomingHttpHeaders, type IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import WebSocket, { WebSocketServer, type RawData } from 'ws';

// The workbench's socket lives in a Web Worker, which Playwright's `page.routeWebSocket` cannot
// reach: a test that must see or delay what the page and the server say to each other puts this
// proxy between them instead. The page is opened at the proxy's URL, so it learns the socket URL
// (`ws://<its own host>/ws`) as it does from the real server, and pages, assets and HTTP routes
// pass through unchanged.

export type Json = Record<string, any>;

/** Server->client messages held back until the test releases them. */
export interface Hold {
  /** What is held so far, in arrival order. */
  readonly held: readonly Json[];
  /** Delivers the held messages in their order (to sockets still open) and holds no more. */
  release(): void;
}

export interface WsProxy {
  /** The http URL to open the workbench at. */
  readonly url: string;
  /** Every client->server message, over all connections, in order. */
  readonly fromClient: readonly Json[];
  /** Every server->client message as the server sent it (held ones included), in order. */
  readonly fromServer: readonly Json[];
  /**
   * Holds back the server->client messages `match` accepts from now on. The others pass, so a
   * held reply arrives after events sent later: that reordering is what a slow answer looks like.
   */
  hold(match: (message: Json) => boolean): Hold;
  close(): Promise<void>;
}

/** A WebSocket message with the socket it goes to, kept raw so it is forwarded byte for byte. */
interface Frame {
  readonly to: () => WebSocket | null;
  readonly data: RawData;
  readonly binary: boolean;
}

interface ActiveHold {
  readonly match: (message: Json) => boolean;
  readonly held: Json[];
  readonly frames: Frame[];
}

/**
 * Starts a proxy on an ephemeral 127.0.0.1 port in front of the server at `target` (its http
 * URL). Host and Origin are rewritten to the server's own, as if the page were on it; the token
 * (header, subprotocol or query) passes through, and a socket the server refuses is refused to
 * the page with the same status. The server's side is a `ws` client, stricter than a browser: it
 * refuses a server that picks none of the subprotocols offered (ours always picks `tradeloom`
 * when the page offers it with its token).
 */
export async function startWsProxy(target: string): Promise<WsProxy> {
  const upstream = new URL(target);
  const fromClient: Json[] = [];
  const fromServer: Json[] = [];
  const holds: ActiveHold[] = [];
  const sockets = new Set<WebSocket>();
  // The subprotocol the server chose for each upgrade, so the page's socket agrees on it.
  const chosen = new WeakMap<IncomingMessage, string>();
  const wss = new WebSocketServer({ noServer: true, perMessageDeflate: false, handleProtocols: (_offered, req) => chosen.get(req) ?? false });

  const rewrite = (headers: IncomingHttpHeaders): IncomingHttpHeaders => ({
    ...headers, host: upstream.host, ...(headers.origin !== undefined ? { origin: upstream.origin } : {}),
  });

  const http = createServer((req, res) => {
    const forward = request(upstream, { method: req.method, path: req.url, headers: rewrite(req.headers) }, (reply) => {
      res.writeHead(reply.statusCode ?? 502, reply.headers);
      reply.pipe(res);
    });
    forward.on('error', (err) => (res.headersSent ? res.destroy() : res.writeHead(502).end(err.message)));
    req.pipe(forward);
  });

  http.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    const offered = (req.headers['sec-websocket-protocol'] ?? '').split(',').map((p) => p.trim()).filter(Boolean);
    const { host: _host, origin, connection: _c, upgrade: _u, ...rest } = req.headers;
    const headers = Object.fromEntries(Object.entries(rest).filter(([name]) => !name.startsWith('sec-websocket-')));
    const server = new WebSocket(`${upstream.origin.replace(/^http/, 'ws')}${req.url ?? '/'}`, offered, {
      headers: headers as Record<string, string>, perMessageDeflate: false, ...(origin !== undefined ? { origin: upstream.origin } : {}),
    });
    sockets.add(server);
    let client: WebSocket | null = null;
    // What the server says before the page's socket is up waits for it, in order.
    const early: Frame[] = [];
    const toClient = () => client;
    server.on('message', (data, binary) => {
      const message = parse(data, binary);
      if (message) fromServer.push(message);
      const frame = { to: toClient, data, binary };
      const hold = message && holds.find((h) => h.match(message));
      if (hold) {
        hold.held.push(message);
        hold.frames.push(frame);
      } else if (client) send(frame);
      else early.push(frame);
    });
    // A refusal is answered before the request is dropped, which the client then reports.
    let refused = false;
    server.on('error', () => refused || socket.destroy());
    server.once('unexpected-response', (request, response) => {
      refused = true;
      socket.end(`HTTP/1.1 ${response.statusCode} ${response.statusMessage}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
      request.destroy();
    });
    socket.once('close', () => client === null && server.terminate());
    server.once('open', () => {
      if (server.protocol) chosen.set(req, server.protocol);
      wss.handleUpgrade(req, socket, head, (ws) => {
        client = ws;
        sockets.add(ws);
        for (const frame of early.splice(0)) send(frame);
        ws.on('message', (data, binary) => {
          const message = parse(data, binary);
          if (message) fromClient.push(message);
          if (server.readyState === WebSocket.OPEN) server.send(data, { binary });
        });
        ws.on('close', (code, reason) => closeWith(server, code, reason));
        server.on('close', (code, reason) => closeWith(ws, code, reason));
        ws.on('error', () => server.terminate());
      });
    });
  });

  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
  const { port } = http.address() as { port: number };
  return {
    url: `http://127.0.0.1:${port}`,
    fromClient,
    fromServer,
    hold(match) {
      const hold: ActiveHold = { match, held: [], frames: [] };
      holds.push(hold);
      return {
        held: hold.held,
        release() {
          const at = holds.indexOf(hold);
          if (at >= 0) holds.splice(at, 1);
          for (const frame of hold.frames.splice(0)) send(frame);
        },
      };
    },
    async close() {
      for (const ws of sockets) ws.terminate();
      wss.close();
      http.closeAllConnections();
      await new Promise<void>((resolve) => http.close(() => resolve()));
    },
  };
}

function send(frame: Frame): void {
  const ws = frame.to();
  if (ws?.readyState === WebSocket.OPEN) ws.send(frame.data, { binary: frame.binary });
}

function parse(data: RawData, binary: boolean): Json | null {
  if (binary) return null;
  try {
    return JSON.parse(data.toString()) as Json;
  } catch {
    return null;
  }
}

/** Passes a close on to the other side; 1005/1006 (no code, abnormal) may not be sent, so none is. */
function closeWith(ws: WebSocket, code: number, reason: Buffer): void {
  if (ws.readyState !== WebSocket.OPEN) return;
  const sendable = (code >= 1000 && code <= 1014 && ![1004, 1005, 1006].includes(code)) || (code >= 3000 && code <= 4999);
  if (sendable) ws.close(code, reason);
  else ws.close();
}
