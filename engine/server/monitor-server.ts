import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import type { Subscription } from 'rxjs';
import { WebSocketServer, type WebSocket } from 'ws';
import type { ServerSettings } from '../config/defaults.ts';
import type { SequencedEvent } from '../journal/journal.ts';
import type { JournalHealth } from '../journal/journal-health.ts';
import { formatTimestamp, type LogEvent } from '../../protocol/index.ts';
import type { BotController } from '../live/bot-controller.ts';
import { AccessPolicy } from './access-policy.ts';
import { isLoopbackHost } from '../util/loopback-host.ts';
import { describeThrown } from '../util/thrown.ts';
import { Broadcaster, type EventSink, type JournalRecovery, type JournalSink } from './broadcaster.ts';
import { ClientChannel } from './client-channel.ts';
import { CLOSE_CODES } from './close-codes.ts';
import { ConnectionGuard } from './connection-guard.ts';
import { handleHttp, requestPath } from './http-routes.ts';
import { handleClientMessage, requestIdOf, statusWithJournal } from './message-handler.ts';
import { ServerMetrics } from './server-metrics.ts';
import { SendBudget } from './send-budget.ts';
import { OptimisationService, type OptimiserOptions } from './optimisation-service.ts';
import { FloodDetector, TokenBucket } from './token-bucket.ts';

export interface MonitorServerOptions {
  readonly settings: ServerSettings;
  readonly bot: BotController;
  /**
   * The Journal: takes each event before anyone sees it; while it cannot, events are held,
   * `/healthz` answers 503 and the bot opens nothing new (through `journalHealth`).
   */
  readonly journal?: JournalSink;
  /** Shared with the bot, which reads it to refuse new entries. */
  readonly journalHealth?: JournalHealth;
  /** Written synchronously after the journal, before each event goes out: the Recorder. */
  readonly sinks?: readonly EventSink[];
  /** The last sequence number already used (continue after a restart). */
  readonly startSeq?: number;
  /** Events sent before a restart, oldest first, to refill the replay buffer. */
  readonly preload?: readonly { seq: number; json: string; sheddable: boolean }[];
  readonly recordingsDir: string;
  /** Optimisations from the workbench (`start_optimisation`): the bot's config and where recordings go. */
  readonly optimiser?: OptimiserOptions;
  /** Where to report problems; never given the token. */
  readonly log?: (line: string) => void;
}

export interface MonitorServer {
  readonly host: string;
  readonly port: number;
  readonly url: string;
  readonly broadcaster: Broadcaster;
  readonly metrics: ServerMetrics;
  /** Closes every socket (1001) and the listener; the bot is the caller's to stop. */
  close(): Promise<void>;
}

/** A refusal of the bind configuration, before anything listens. */
export class UnsafeBindError extends Error {}

/**
 * The live monitoring server: HTTP routes, the `/ws` WebSocket API and the Broadcaster that
 * fans the bot's events out. Resolves once listening.
 *
 * @example
 * const server = await startMonitorServer({ settings, bot, sinks: [journal, recorder], startSeq: journal.lastSeq, recordingsDir });
 * console.log(`listening on ${server.url}`);
 */
export async function startMonitorServer(options: MonitorServerOptions): Promise<MonitorServer> {
  const { settings, bot } = options;
  const log = options.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  if (!isLoopbackHost(settings.host) && !settings.token) {
    throw new UnsafeBindError(`refusing to bind ${settings.host}: a non-loopback address needs a bearer token (set TRADELOOM_TOKEN or server.token)`);
  }
  const metrics = new ServerMetrics();
  const serverSessionId = randomUUID();
  const sessionOf = () => bot.status().session_id ?? serverSessionId;
  const notice = (level: 'INFO' | 'ERROR', type: 'ERROR' | 'BOT_STATUS', data: Record<string, unknown>): LogEvent =>
    ({ timestamp: formatTimestamp(Date.now()), session_id: sessionOf(), event_type: type, level, data }) as LogEvent;
  let lastSinkLog = 0;
  // Everything waiting for clients, process-wide, with the journal's held events (see send-budget.ts).
  const sendBudget = new SendBudget({
    budgetBytes: settings.sendQueue.totalBytes,
    journalHeldBytes: () => broadcaster.heldBytes,
    onDisconnect: (channel, how, bytes) => {
      if (how === 'terminated') log(`connection ${channel.id} cut off: it was closing and still held ${bytes} bytes while the send budget (${settings.sendQueue.totalBytes} bytes) was full`);
    },
  });
  metrics.sendBudget = sendBudget;
  const broadcaster = new Broadcaster({
    startSeq: options.startSeq ?? 0,
    replayCapacity: settings.replayBuffer,
    journal: options.journal,
    health: options.journalHealth,
    onHold: () => sendBudget.check(),
    replayBytes: settings.replayBufferBytes,
    sinks: options.sinks,
    onPublished: (event: SequencedEvent) => metrics.onEvent(event),
    onSinkError: (error, _sink, event, first) => {
      metrics.sinkErrors++;
      const message = describeThrown(error).message;
      // Once per outage every client is told, as an event of the log (journaled, so it is
      // replayed); published after this event has gone out, so the order stays the seq's.
      if (first) {
        queueMicrotask(() => broadcaster.publish(notice('ERROR', 'ERROR', {
          error: `recording cannot write: ${message} (event ${event.seq}, ${event.event_type}). The journal has every event and trading goes on; the recording takes the missed lines when it can write again, and the next start appends any it could not hold`,
          traceback: '', source: 'recorder',
        })));
      }
      // A full disk fails every event: one line in ten seconds says it, /metrics counts them all.
      if (!first && Date.now() - lastSinkLog < 10_000) return;
      lastSinkLog = Date.now();
      log(`recording failed on event ${event.seq} (${event.event_type}): ${message}; the journal has it, and the next start appends it to the recording`);
    },
    onSinkRecovered: (_sink, event, failed) => {
      const text = `the recording writes again (from event ${event.seq}) after ${failed} failed write(s); the lines it held are written`;
      log(text);
      queueMicrotask(() => {
        const s = bot.status();
        broadcaster.publish(notice('INFO', 'BOT_STATUS', { running: s.running, connected: s.connected, broker: s.broker ?? 'unknown', reason: text }));
      });
    },
    failureEvent: (problem) => {
      log(`journal cannot write: ${problem}. No new positions; events are held (not sent) until it can; retrying every second`);
      return notice('ERROR', 'ERROR', {
        error: `journal cannot write: ${problem}. No new positions are opened; open positions keep their stop-loss and take-profit; events wait, unsent, until the journal takes them`,
        traceback: '', source: 'journal',
      });
    },
    recoveryEvent: (r: JournalRecovery) => {
      const text = `the journal writes again after ${Math.round(r.downMs / 1000)} s (${r.problem}): ${r.written} held event(s) journaled and sent in order${r.dropped ? `, ${r.dropped} BAR or backtest event(s) dropped past the hold budget` : ''}; new positions allowed again`;
      log(text);
      const s = bot.status();
      return notice('INFO', 'BOT_STATUS', { running: s.running, connected: s.connected, broker: s.broker ?? 'unknown', reason: text });
    },
  });
  metrics.journal = broadcaster.health;
  if (options.preload) broadcaster.preload(options.preload);
  const wss = new WebSocketServer({
    noServer: true, maxPayload: settings.maxPayload, perMessageDeflate: false, clientTracking: true,
    // A browser sends its token as a subprotocol (see AccessPolicy); we answer with the plain
    // one so the token is never echoed back.
    handleProtocols: (protocols) => (protocols.has(WS_PROTOCOL) ? WS_PROTOCOL : false),
  });
  wss.on('error', (err) => log(`WebSocket server error: ${err.message}`));
  const { headersMs, requestMs, idleMs } = settings.timeouts;
  const http: Server = createServer({
    headersTimeout: headersMs,
    requestTimeout: Math.max(requestMs, headersMs),
    // How often Node checks those two; its default (30 s) would let a slowloris sit 3x too long.
    connectionsCheckingInterval: Math.max(50, Math.min(1000, Math.floor(headersMs / 4))),
  });
  // An HTTP socket that carries nothing for idleMs is closed (ws resets the timer on upgrade).
  const guard = new ConnectionGuard({ maxPerAddress: settings.maxConnectionsPerAddress, idleMs, onRefused: (reason) => metrics.refuse(reason) });
  guard.attach(http);
  // After listening, an accept failure (EMFILE under a low fd limit) must be survived, not thrown.
  const onServerError = (err: NodeJS.ErrnoException) => log(`listener error: ${err.code ?? err.message}`);
  http.on('clientError', (err: NodeJS.ErrnoException, socket: Duplex) => {
    metrics.refuse('bad_http');
    if (err.code === 'ECONNRESET' || !socket.writable) return socket.destroy();
    const status = err.code === 'ERR_HTTP_REQUEST_TIMEOUT' ? '408 Request Timeout' : err.code === 'HPE_HEADER_OVERFLOW' ? '431 Request Header Fields Too Large' : '400 Bad Request';
    socket.end(`HTTP/1.1 ${status}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
  });
  let policy: AccessPolicy | null = null;
  // Every open connection: optimisation progress goes to all of them (it is not an event).
  const channels = new Set<ClientChannel>();
  const optimisations = options.optimiser
    ? new OptimisationService(options.optimiser, (message) => {
      // Serialised once, one Buffer shared by every client (the send budget counts it once).
      const frame = { data: Buffer.from(JSON.stringify(message)), sheddable: false };
      for (const c of channels) c.send(frame);
    }, (event) => broadcaster.publish(event), () => broadcaster.health.describe())
    : undefined;
  const handlerContext = { bot, broadcaster, metrics, recordingsDir: options.recordingsDir, serverSessionId, log, optimisations };
  const alive = new WeakMap<WebSocket, boolean>();

  http.on('request', (req, res) => {
    res.once('close', guard.begin(req.socket));
    handleHttp(
      {
        uiDir: settings.uiDir,
        recordingsDir: options.recordingsDir,
        policy: policy!,
        metrics,
        health: () => {
          const h = broadcaster.health;
          const base = { running: bot.status().running, connections: metrics.connections, last_seq: broadcaster.lastSeq };
          return h.ok
            ? { status: 'ok', ...base }
            : { status: 'error', error: h.describe(), journal: { problem: h.problem, since: new Date(h.since ?? Date.now()).toISOString(), held_events: h.heldEvents }, ...base };
        },
        log,
      },
      req,
      res,
    );
  });

  http.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    socket.on('error', () => socket.destroy());
    try {
      let path: string;
      try {
        path = requestPath(req.url);
      } catch {
        return refuseUpgrade(socket, 400, 'bad request target');
      }
      if (path !== '/ws') return refuseUpgrade(socket, 404, 'no WebSocket endpoint here; use /ws');
      const access = policy!.check(req);
      if (!access.ok) {
        metrics.refuse(access.status === 403 ? 'origin_refused' : 'token_refused');
        return refuseUpgrade(socket, access.status, access.reason);
      }
      guard.markUpgraded(req.socket);
      wss.handleUpgrade(req, socket, head, (ws) => onConnection(ws));
    } catch (err) {
      log(`upgrade failed: ${(err as Error).message}`);
      socket.destroy();
    }
  });

  function onConnection(ws: WebSocket): void {
    const id = randomUUID();
    const channel = new ClientChannel(id, ws, settings.sendQueue, {
      onShed: (n) => (metrics.shedTotal += n),
      onSlowConsumer: (_c, pending, cause, bytes) => {
        metrics.slowConsumersTotal++;
        metrics.slowDroppedTotal += pending;
        broadcaster.detach(channel);
        log(cause === 'queue'
          ? `connection ${id} disconnected: slow consumer (${pending} messages waiting)`
          : `connection ${id} disconnected: slow consumer (${pending} messages, ${bytes} bytes waiting, the most of any client, while the send budget of ${settings.sendQueue.totalBytes} bytes for all clients was full)`);
      },
    }, sendBudget);
    const bucket = new TokenBucket(settings.rateLimit.capacity, settings.rateLimit.refillPerSecond);
    const flood = new FloodDetector(settings.rateLimit.floodRejects, settings.rateLimit.floodWindowMs);
    alive.set(ws, true);
    metrics.connections++;
    metrics.connectionsTotal++;
    ws.on('pong', () => alive.set(ws, true));
    ws.on('error', () => undefined); // `ws` closes the socket itself (1009 on maxPayload); close runs below.
    ws.on('close', () => {
      metrics.connections--;
      channels.delete(channel);
      broadcaster.detach(channel);
      channel.release();
    });
    ws.on('message', (data: Buffer | ArrayBuffer | Buffer[]) => {
      metrics.messagesReceived++;
      if (channel.isClosing) return;
      if (!bucket.take()) {
        metrics.refuse('rate_limited');
        if (flood.refuse()) {
          ws.close(CLOSE_CODES.POLICY_VIOLATION, 'message flood');
          return;
        }
        // Echoes the message's request_id (read best effort, as for a malformed message) so the client can match it.
        const request_id = requestIdOf(textOf(data));
        channel.sendJson({ type: 'error', code: 'rate_limited', error: `too many messages: at most ${settings.rateLimit.refillPerSecond}/s (bursts of ${settings.rateLimit.capacity})`, details: [], ...(request_id !== undefined ? { request_id } : {}) });
        return;
      }
      const text = textOf(data);
      handleClientMessage(handlerContext, channel, text).catch((err: unknown) => log(`connection ${id}: message handler failed: ${(err as Error).message}`));
    });
    channel.sendJson({
      type: 'connection_established',
      connection_id: id,
      bot_status: statusWithJournal(bot, broadcaster),
      session_id: bot.status().session_id ?? serverSessionId,
      last_seq: broadcaster.lastSeq,
    });
    broadcaster.attach(channel);
    channels.add(channel);
  }

  const heartbeat = setInterval(() => {
    for (const ws of wss.clients) {
      if (alive.get(ws) === false) {
        ws.terminate();
        continue;
      }
      alive.set(ws, false);
      ws.ping();
    }
  }, settings.heartbeatMs);
  heartbeat.unref();

  await new Promise<void>((resolve, reject) => {
    http.once('error', reject);
    http.listen(settings.port, settings.host, () => {
      http.off('error', reject);
      http.on('error', onServerError);
      resolve();
    });
  });
  const port = (http.address() as AddressInfo).port;
  policy = new AccessPolicy({ host: settings.host, port, allowedOrigins: settings.allowedOrigins, token: settings.token });
  const subscription: Subscription = bot.events$.subscribe({
    next: (event) => broadcaster.publish(event),
    error: (err: unknown) => log(`bot event stream failed: ${(err as Error).message}`),
  });
  const hostInUrl = settings.host.includes(':') ? `[${settings.host}]` : settings.host;

  return {
    host: settings.host,
    port,
    url: `http://${hostInUrl}:${port}`,
    broadcaster,
    metrics,
    async close() {
      await optimisations?.close();
      subscription.unsubscribe();
      clearInterval(heartbeat);
      for (const ws of wss.clients) ws.close(CLOSE_CODES.GOING_AWAY, 'server shutting down');
      await new Promise<void>((resolve) => {
        const timer = setTimeout(() => {
          for (const ws of wss.clients) ws.terminate();
        }, 1000);
        wss.close(() => {
          clearTimeout(timer);
          resolve();
        });
      });
      await new Promise<void>((resolve) => {
        http.close(() => resolve());
        http.closeAllConnections();
      });
    },
  };
}

/** The WebSocket subprotocol a browser names (beside its token) to be answered with. */
export const WS_PROTOCOL = 'tradeloom';

function refuseUpgrade(socket: Duplex, status: number, reason: string): void {
  if (!socket.writable) return void socket.destroy();
  const text = status === 401 ? 'Unauthorized' : status === 403 ? 'Forbidden' : status === 400 ? 'Bad Request' : 'Not Found';
  const body = JSON.stringify({ error: reason });
  socket.end(`HTTP/1.1 ${status} ${text}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`);
}

function textOf(data: Buffer | ArrayBuffer | Buffer[]): string {
  return Buffer.isBuffer(data) ? data.toString('utf8') : Array.isArray(data) ? Buffer.concat(data).toString('utf8') : Buffer.from(data).toString('utf8');
}
