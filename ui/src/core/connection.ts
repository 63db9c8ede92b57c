import {
  ServerMessageCodec, decodeLogEvent, decodeWith,
  type ClientMessage, type LogEvent, type ServerMessage,
} from '../../../protocol/index.ts';
import { DEFAULT_BACKOFF, backoffDelay, type BackoffPolicy } from './backoff.ts';
import type { WorkbenchInput } from './state.ts';

export type ConnectionPhase = 'connecting' | 'open' | 'resuming' | 'offline';

export interface ConnectionStatus {
  readonly phase: ConnectionPhase;
  /** Epoch ms of the next reconnect attempt while offline, for the countdown. */
  readonly retryAt: number | null;
  readonly attempt: number;
  readonly lastError: string | null;
  /**
   * The last socket closed before the server accepted it. A browser is not told why (a refused
   * upgrade looks like any failure), so the page asks over HTTP whether a token is needed.
   */
  readonly refused?: boolean;
}

/** The slice of the browser WebSocket we use, so Node tests can pass the `ws` package's. */
export interface SocketLike {
  onopen: ((ev: unknown) => void) | null;
  onclose: ((ev: unknown) => void) | null;
  onerror: ((ev: unknown) => void) | null;
  onmessage: ((ev: { data: unknown }) => void) | null;
  readonly readyState: number;
  send(data: string): void;
  close(code?: number, reason?: string): void;
}

export interface ConnectionOptions {
  readonly url: string;
  readonly createSocket?: (url: string, protocols?: string[]) => SocketLike;
  /** The server's bearer token, if the user gave one; read at every (re)connect. */
  readonly token?: () => string | null;
  /** Highest seq already folded: asked for after each (re)connect so nothing is missed. */
  readonly lastSeq: () => number;
  readonly oninputs: (inputs: WorkbenchInput[]) => void;
  readonly onstatus?: (status: ConnectionStatus) => void;
  /** A message the client could not decode: logged, never fatal (the spec's parsing rule). */
  readonly onbadmessage?: (problem: string) => void;
  readonly backoff?: BackoffPolicy;
  /** How long to hold live events while waiting for the resume reply before giving up on it. */
  readonly resumeTimeoutMs?: number;
}

/**
 * The WebSocket subprotocols that carry a token: a browser's WebSocket cannot set an
 * Authorization header, and a `?token=` query ends up in logs. The server answers `tradeloom`.
 */
export function tokenProtocols(token: string): string[] {
  const bytes = new TextEncoder().encode(token);
  let binary = '';
  for (const b of bytes) binary += String.fromCharCode(b);
  const base64url = btoa(binary).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
  return ['tradeloom', `tradeloom.bearer.${base64url}`];
}

/** The HTTP header that carries the same token. */
export function tokenHeaders(token: string | null): Record<string, string> {
  return token ? { authorization: `Bearer ${token}` } : {};
}

/** `ws(s)://<host>/ws` for the page's own origin. */
export function defaultSocketUrl(location: { protocol: string; host: string }): string {
  return `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/ws`;
}

/**
 * The live link: connects, reconnects with exponential backoff and jitter, and on every
 * connection asks the server to `resume` after the last seq seen. While the missed events are
 * replayed, live ones are held back, then both are delivered once, in seq order.
 */
export class Connection {
  private socket: SocketLike | null = null;
  private timer: ReturnType<typeof setTimeout> | null = null;
  private resumeTimer: ReturnType<typeof setTimeout> | null = null;
  private held: LogEvent[] | null = null;
  private awaitingReplayed = 0;
  private resumeFrom = 0;
  private closed = false;
  private status: ConnectionStatus = { phase: 'connecting', retryAt: null, attempt: 0, lastError: null };

  constructor(private readonly options: ConnectionOptions) {}

  start(): void {
    this.closed = false;
    this.open();
  }

  /** Stops for good (page unload, tests). */
  stop(): void {
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
    if (this.resumeTimer) clearTimeout(this.resumeTimer);
    this.socket?.close(1000, 'client closing');
    this.socket = null;
  }

  /** Sends a client message; false when offline (the caller says so to the user). */
  send(message: ClientMessage): boolean {
    if (!this.socket || this.socket.readyState !== 1) return false;
    this.socket.send(JSON.stringify(message));
    return true;
  }

  /** Skips the wait and reconnects now (the status bar's "retry now"). */
  retryNow(): void {
    if (this.status.phase !== 'offline' || this.closed) return;
    if (this.timer) clearTimeout(this.timer);
    this.open();
  }

  get current(): ConnectionStatus {
    return this.status;
  }

  private setStatus(patch: Partial<ConnectionStatus>): void {
    this.status = { ...this.status, ...patch };
    this.options.onstatus?.(this.status);
  }

  private open(): void {
    this.setStatus({ phase: 'connecting', retryAt: null });
    let socket: SocketLike;
    const token = this.options.token?.() ?? null;
    const protocols = token ? tokenProtocols(token) : undefined;
    try {
      socket = (this.options.createSocket ?? ((url, p) => new WebSocket(url, p) as unknown as SocketLike))(this.options.url, protocols);
    } catch (err) {
      this.scheduleReconnect((err as Error).message);
      return;
    }
    this.socket = socket;
    let opened = false;
    socket.onopen = () => {
      opened = true;
    };
    socket.onmessage = (ev) => {
      if (this.socket === socket) this.receive(String(ev.data));
    };
    socket.onclose = (ev) => {
      if (this.socket !== socket) return;
      this.socket = null;
      this.flushHeld();
      const code = (ev as { code?: number }).code;
      this.scheduleReconnect(code ? `closed (${code})` : 'closed', !opened);
    };
    socket.onerror = () => {
      /* onclose follows and does the work */
    };
  }

  private scheduleReconnect(reason: string, refused = false): void {
    if (this.closed) return;
    const delay = backoffDelay(this.status.attempt, this.options.backoff ?? DEFAULT_BACKOFF);
    this.setStatus({ phase: 'offline', retryAt: Date.now() + delay, attempt: this.status.attempt + 1, lastError: reason, refused });
    this.timer = setTimeout(() => this.open(), delay);
  }

  private receive(raw: string): void {
    let json: unknown;
    try {
      json = JSON.parse(raw);
    } catch (err) {
      this.options.onbadmessage?.(`malformed JSON from server: ${(err as Error).message}`);
      return;
    }
    if (typeof json === 'object' && json !== null && 'event_type' in json) {
      const decoded = decodeLogEvent(json);
      if (!decoded.ok) {
        this.options.onbadmessage?.(`${decoded.error}: ${decoded.details.join('; ')}`);
        return;
      }
      this.event(decoded.value);
      return;
    }
    const decoded = decodeWith(ServerMessageCodec, json, 'server message');
    if (!decoded.ok) {
      const type = (json as { type?: unknown } | null)?.type;
      this.options.onbadmessage?.(`undecodable server message ${JSON.stringify(type)}: ${decoded.details[0] ?? ''}`);
      return;
    }
    this.message(decoded.value as ServerMessage);
  }

  private message(msg: ServerMessage): void {
    if (msg.type === 'connection_established') {
      this.options.oninputs([msg]);
      this.setStatus({ phase: 'resuming', attempt: 0, retryAt: null, lastError: null });
      this.resumeFrom = this.options.lastSeq();
      this.held = [];
      this.send({ type: 'resume', last_seq: this.resumeFrom });
      this.resumeTimer = setTimeout(() => this.flushHeld(), this.options.resumeTimeoutMs ?? 5000);
      return;
    }
    if (msg.type === 'resume_result' && this.held && msg.reset) {
      // Our last seq is beyond the server's: the reducer forgets what it folded (on this very
      // input) and we ask again from 0; live events held meanwhile stay held for the new replay.
      this.options.oninputs([msg]);
      this.resumeFrom = 0;
      if (this.resumeTimer) clearTimeout(this.resumeTimer);
      this.send({ type: 'resume', last_seq: 0 });
      this.resumeTimer = setTimeout(() => this.flushHeld(), this.options.resumeTimeoutMs ?? 5000);
      return;
    }
    if (msg.type === 'resume_result' && this.held) {
      this.awaitingReplayed = msg.ok ? msg.replayed : 0;
      if (this.awaitingReplayed === 0) this.flushHeld();
      this.options.oninputs([msg]);
      return;
    }
    if (msg.type === 'error' && this.held && msg.code.includes('resume')) this.flushHeld();
    this.options.oninputs([msg]);
  }

  private event(event: LogEvent): void {
    if (!this.held) {
      this.options.oninputs([event]);
      return;
    }
    this.held.push(event);
    // The server sends the replayed events right after resume_result, in one go.
    if (this.awaitingReplayed > 0) {
      this.awaitingReplayed--;
      if (this.awaitingReplayed === 0) this.flushHeld();
    }
  }

  private flushHeld(): void {
    if (this.resumeTimer) clearTimeout(this.resumeTimer);
    this.resumeTimer = null;
    const held = this.held;
    this.held = null;
    this.awaitingReplayed = 0;
    if (this.socket) this.setStatus({ phase: 'open' });
    if (!held || held.length === 0) return;
    // Sort by seq, drop duplicates: a live event can arrive both before and inside the replay.
    const seen = new Set<number>();
    const ordered = held
      .filter((e) => e.seq === undefined || (e.seq > this.resumeFrom && !seen.has(e.seq) && (seen.add(e.seq), true)))
      .sort((a, b) => (a.seq ?? 0) - (b.seq ?? 0));
    this.options.oninputs(ordered);
  }
}

