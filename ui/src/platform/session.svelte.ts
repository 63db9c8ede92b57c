import type { ClientMessage, ServerMessage } from '../../../protocol/index.ts';
import { defaultSocketUrl, tokenHeaders, type ConnectionStatus } from '../core/connection.ts';
import { LiveCore } from '../core/live-core.ts';
import type { FromLiveWorker, ToLiveWorker } from '../core/live-worker-protocol.ts';
import { applyPatch } from '../core/state-diff.ts';
import { initialState, type WorkbenchInput, type WorkbenchState } from '../core/state.ts';
import { RequestWatch, type Refusal } from './refusals.ts';

/**
 * The live session: the connection, the folded state, and which state the views show
 * (live, or a replayed recording). The socket, decoding and the fold run in a Web Worker that
 * posts a diff of the state at most once per animation frame, so a flood of events costs the
 * page one small patch and one render per frame. Without workers the same core runs here.
 */
export class WorkbenchSession {
  live = $state.raw<WorkbenchState>(initialState());
  replay = $state.raw<WorkbenchState | null>(null);
  replayName = $state<string | null>(null);
  connection = $state.raw<ConnectionStatus>({ phase: 'connecting', retryAt: null, attempt: 0, lastError: null });
  /** What every view draws: the replay while one is open, else live. */
  view = $derived(this.replay ?? this.live);
  /** The server refused us for want of a (valid) token: the token dialog shows. */
  authRequired = $state(false);
  /** The server refused the token we had. */
  tokenRejected = $state(false);
  /** The server answered 401 since we last connected: the status bar says a token is needed, also after the dialog was closed. */
  tokenNeeded = $state(false);
  /** The bearer token for this tab only (sessionStorage: gone when the tab closes). */
  private token: string | null = readToken();
  private probing = false;
  /** The user closed the dialog: it reopens only when asked (the palette), not at every retry. */
  private dismissed = false;

  private worker: Worker | null = null;
  /** The in-page core, only where a worker could not be started. */
  private core: LiveCore | null = null;
  private scheduled = false;
  /** The socket URL once connected, and whether the worker has spoken (so it surely loaded). */
  private url: string | null = null;
  private heard = false;
  private requestId = 0;
  private pending = new Map<string | number, { resolve: (reply: ServerMessage) => void; reject: (err: Error) => void }>();
  /** The user's commands sent without waiting for their reply: a refusal still reaches the user. */
  private watched = new RequestWatch();
  private refusalListeners = new Set<(refusal: Refusal) => void>();

  connect(url = defaultSocketUrl(location)): void {
    this.url = url;
    if (!this.worker && !this.core && !this.startWorker()) this.startCore();
    if (this.worker) this.post({ type: 'start', url, token: this.token });
    else this.core?.start(url, this.token);
  }

  /** Headers for HTTP requests to the server (the token, when there is one). */
  authHeaders(): Record<string, string> {
    return tokenHeaders(this.token);
  }

  /** Keeps the token for this tab and reconnects with it now. */
  setToken(token: string): void {
    this.token = token.trim() || null;
    try {
      if (this.token) sessionStorage.setItem(TOKEN_KEY, this.token);
      else sessionStorage.removeItem(TOKEN_KEY);
    } catch {
      /* storage disabled: the token lives in memory until the tab closes */
    }
    this.authRequired = false;
    if (this.worker) this.post({ type: 'token', token: this.token });
    this.core?.setToken(this.token);
    this.retryNow();
  }

  /** Asks for a token (the dialog), e.g. from the command palette. */
  askForToken(): void {
    this.dismissed = false;
    this.authRequired = true;
  }

  /** The dialog was closed without a token. */
  dismissTokenRequest(): void {
    this.dismissed = true;
    this.authRequired = false;
  }

  /** A socket refused before it opened: ask over HTTP whether it was for want of a token. */
  private async checkAuth(status: ConnectionStatus): Promise<void> {
    if (status.phase !== 'offline' || !status.refused || this.authRequired || this.probing || this.dismissed) return;
    this.probing = true;
    try {
      const res = await fetch('recordings', { method: 'HEAD', headers: this.authHeaders() });
      if (res.status === 401) {
        this.tokenNeeded = true;
        this.tokenRejected = this.token !== null;
        this.authRequired = true;
      }
    } catch {
      /* no server at all: the status bar already says offline */
    } finally {
      this.probing = false;
    }
  }

  disconnect(): void {
    if (this.worker) this.post({ type: 'stop' });
    this.core?.stop();
  }

  retryNow(): void {
    if (this.worker) this.post({ type: 'retry' });
    this.core?.retryNow();
  }

  /**
   * Sends with a fresh request id; false when offline. With `watch` (the user's own commands), a
   * refusal in the reply (`command_result` not ok, a `rate_limited` error) goes to `onRefused`.
   */
  send(message: ClientMessage, options: { watch?: boolean } = {}): boolean {
    const id = ++this.requestId;
    const sent = this.deliver({ ...message, request_id: id } as ClientMessage);
    if (sent && options.watch) this.watched.watch(id, message);
    return sent;
  }

  /** Calls `listener` for every refused command sent with `watch`; returns the unsubscribe. */
  onRefused(listener: (refusal: Refusal) => void): () => void {
    this.refusalListeners.add(listener);
    return () => this.refusalListeners.delete(listener);
  }

  /** Sends and waits for the reply that echoes the request id. */
  request(message: ClientMessage, timeoutMs = 10_000): Promise<ServerMessage> {
    const id = ++this.requestId;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(new Error(`no reply to ${message.type} within ${timeoutMs / 1000}s`));
      }, timeoutMs);
      const settle = <T>(fn: (v: T) => void) => (v: T) => {
        clearTimeout(timer);
        this.pending.delete(id);
        fn(v);
      };
      this.pending.set(id, { resolve: settle(resolve), reject: settle(reject) });
      if (!this.deliver({ ...message, request_id: id } as ClientMessage, id)) this.pending.get(id)?.reject(new Error('offline'));
    });
  }

  /** Feeds inputs as if they came from the server (tests, benchmarks). */
  enqueue(inputs: readonly WorkbenchInput[]): void {
    if (this.worker) this.post({ type: 'inputs', inputs: [...inputs] });
    else (this.core ?? this.startCore()).enqueue(inputs);
  }

  showReplay(name: string, state: WorkbenchState): void {
    this.replayName = name;
    this.replay = state;
  }

  closeReplay(): void {
    this.replay = null;
    this.replayName = null;
  }

  private deliver(message: ClientMessage, id?: string | number): boolean {
    if (this.core) return this.core.send(message);
    // The worker's socket is open from the server's hello on; before that and while offline it is not.
    if (!this.worker || (this.connection.phase !== 'open' && this.connection.phase !== 'resuming')) return false;
    this.post({ type: 'send', message, id });
    return true;
  }

  private post(message: ToLiveWorker): void {
    this.worker?.postMessage(message);
  }

  private startWorker(): Worker | null {
    if (typeof Worker === 'undefined') return null;
    try {
      this.worker = new Worker(new URL('../core/live-worker.ts', import.meta.url), { type: 'module', name: 'tradeloom-live' });
    } catch {
      return null;
    }
    this.worker.onmessage = (ev: MessageEvent<FromLiveWorker>) => this.receive(ev.data);
    // A worker that cannot load (a strict content policy, an old browser): run the core here.
    this.worker.onerror = (ev) => {
      if (!this.worker || this.heard) return;
      ev.preventDefault();
      this.worker.terminate();
      this.worker = null;
      if (this.url !== null) this.startCore().start(this.url, this.token);
    };
    return this.worker;
  }

  private receive(msg: FromLiveWorker): void {
    this.heard = true;
    switch (msg.type) {
      case 'state':
        this.live = applyPatch(this.live, msg.patch);
        this.afterFrame(() => this.post({ type: 'ack' }));
        return;
      case 'status':
        this.connection = msg.status;
        if (msg.status.phase === 'open') this.tokenNeeded = false;
        void this.checkAuth(msg.status);
        return;
      case 'reply':
        this.resolveReply(msg.reply);
        return;
      case 'unsent':
        this.pending.get(msg.id)?.reject(new Error('offline'));
        return;
    }
  }

  private resolveReply(reply: ServerMessage): void {
    const id = (reply as { request_id?: string | number }).request_id;
    if (id !== undefined) this.pending.get(id)?.resolve(reply);
    const refusal = this.watched.settle(reply);
    if (refusal) for (const listener of this.refusalListeners) listener(refusal);
  }

  private startCore(): LiveCore {
    this.core = new LiveCore({
      onstatus: (status) => {
        this.connection = status;
        if (status.phase === 'open') this.tokenNeeded = false;
        void this.checkAuth(status);
      },
      onreply: (reply) => this.resolveReply(reply),
      onpending: () => {
        if (this.scheduled) return;
        this.scheduled = true;
        this.afterFrame(() => {
          this.scheduled = false;
          if (this.core) this.live = this.core.fold();
        });
      },
    });
    return this.core;
  }

  /** Runs `fn` at the next animation frame; rAF pauses in background tabs, so a timeout backs it up. */
  private afterFrame(fn: () => void): void {
    let done = false;
    const once = () => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      fn();
    };
    const timer = setTimeout(once, 250);
    requestAnimationFrame(once);
  }
}

const TOKEN_KEY = 'tradeloom.token';

function readToken(): string | null {
  try {
    return typeof sessionStorage === 'undefined' ? null : sessionStorage.getItem(TOKEN_KEY);
  } catch {
    return null;
  }
}
