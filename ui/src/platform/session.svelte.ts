import type { ClientMessage, ServerMessage } from '../../../protocol/index.ts';
import { Connection, defaultSocketUrl, type ConnectionStatus } from '../core/connection.ts';
import { reduceAll } from '../core/reducer.ts';
import { initialState, type WorkbenchInput, type WorkbenchState } from '../core/state.ts';

/**
 * The live session: the connection, the folded state, and which state the views show
 * (live, or a replayed recording). Inputs are queued and folded once per animation frame so a
 * flood of events costs one render per frame, not one per event.
 */
export class WorkbenchSession {
  live = $state.raw<WorkbenchState>(initialState());
  replay = $state.raw<WorkbenchState | null>(null);
  replayName = $state<string | null>(null);
  connection = $state.raw<ConnectionStatus>({ phase: 'connecting', retryAt: null, attempt: 0, lastError: null });
  /** What every view draws: the replay while one is open, else live. */
  view = $derived(this.replay ?? this.live);

  private queue: WorkbenchInput[] = [];
  private scheduled = false;
  private link: Connection | null = null;
  private requestId = 0;
  private pending = new Map<string | number, (reply: ServerMessage) => void>();

  connect(url = defaultSocketUrl(location)): void {
    this.link = new Connection({
      url,
      lastSeq: () => {
        this.flush();
        return this.live.lastSeq;
      },
      oninputs: (inputs) => this.enqueue(inputs),
      onstatus: (status) => (this.connection = status),
      onbadmessage: (problem) => this.enqueue([{ type: 'error', code: 'client_decode', error: problem }]),
    });
    this.link.start();
  }

  disconnect(): void {
    this.link?.stop();
  }

  retryNow(): void {
    this.link?.retryNow();
  }

  /** Sends with a fresh request id; false when offline. */
  send(message: ClientMessage): boolean {
    return this.link?.send({ ...message, request_id: ++this.requestId } as ClientMessage) ?? false;
  }

  /** Sends and waits for the reply that echoes the request id. */
  request(message: ClientMessage, timeoutMs = 10_000): Promise<ServerMessage> {
    const id = ++this.requestId;
    return new Promise((resolve, reject) => {
      if (!this.link?.send({ ...message, request_id: id } as ClientMessage)) return reject(new Error('offline'));
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(new Error(`no reply to ${message.type} within ${timeoutMs / 1000}s`));
      }, timeoutMs);
      this.pending.set(id, (reply) => {
        clearTimeout(timer);
        resolve(reply);
      });
    });
  }

  enqueue(inputs: readonly WorkbenchInput[]): void {
    for (const input of inputs) {
      this.queue.push(input);
      // The spec's bot_status has no per-symbol states, and a command changes them: ask for the
      // full status after connecting and after every command that was done.
      if (!('event_type' in input) && (input.type === 'connection_established' || (input.type === 'command_result' && input.ok))) {
        queueMicrotask(() => this.link?.send({ type: 'request_status' }));
      }
      if (!('event_type' in input) && 'request_id' in input && input.request_id !== undefined) {
        const waiter = this.pending.get(input.request_id);
        this.pending.delete(input.request_id);
        waiter?.(input);
      }
    }
    if (this.scheduled) return;
    this.scheduled = true;
    // rAF pauses in background tabs; the timeout keeps the state current there too.
    const timer = setTimeout(() => this.flush(), 250);
    requestAnimationFrame(() => {
      clearTimeout(timer);
      this.flush();
    });
  }

  /** Folds everything queued so far into the live state. */
  flush(): void {
    this.scheduled = false;
    if (this.queue.length === 0) return;
    const batch = this.queue;
    this.queue = [];
    this.live = reduceAll(this.live, batch);
  }

  showReplay(name: string, state: WorkbenchState): void {
    this.replayName = name;
    this.replay = state;
  }

  closeReplay(): void {
    this.replay = null;
    this.replayName = null;
  }
}
