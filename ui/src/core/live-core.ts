import type { ClientMessage, ServerMessage } from '../../../protocol/index.ts';
import { Connection, type ConnectionStatus, type SocketLike } from './connection.ts';
import { reduceAll } from './reducer.ts';
import { initialState, type WorkbenchInput, type WorkbenchState } from './state.ts';

export interface LiveCoreOptions {
  readonly createSocket?: (url: string, protocols?: string[]) => SocketLike;
  readonly onstatus: (status: ConnectionStatus) => void;
  /** A server message answering a request id: the page resolves the waiting request. */
  readonly onreply: (reply: ServerMessage) => void;
  /** Inputs arrived since the last fold: the owner folds (via `fold`) when it is ready to show them. */
  readonly onpending: () => void;
}

/**
 * The live half of the workbench without any view: the connection, the queue of inputs and the
 * fold of them through the pure reducer. It runs inside the live Web Worker (so parsing,
 * decoding and folding thousands of events a second never block the page), or on the page
 * itself where workers are unavailable.
 */
export class LiveCore {
  private state: WorkbenchState = initialState();
  private queue: WorkbenchInput[] = [];
  private link: Connection | null = null;
  private token: string | null = null;

  constructor(private readonly options: LiveCoreOptions) {}

  /** Connects to the server's socket at `url` (a page opened from a file may have none). */
  start(url: string, token: string | null = this.token): void {
    this.link?.stop();
    this.token = token;
    this.link = new Connection({
      url,
      createSocket: this.options.createSocket,
      token: () => this.token,
      lastSeq: () => this.fold().lastSeq,
      oninputs: (inputs) => this.enqueue(inputs),
      onstatus: (status) => this.options.onstatus(status),
      onbadmessage: (problem) => this.enqueue([{ type: 'error', code: 'client_decode', error: problem }]),
    });
    this.link.start();
  }

  stop(): void {
    this.link?.stop();
  }

  retryNow(): void {
    this.link?.retryNow();
  }

  /** The token for the next (re)connect; null forgets it. */
  setToken(token: string | null): void {
    this.token = token;
  }

  /** Sends as is; false when offline. */
  send(message: ClientMessage): boolean {
    return this.link?.send(message) ?? false;
  }

  enqueue(inputs: readonly WorkbenchInput[]): void {
    for (const input of inputs) {
      this.queue.push(input);
      if ('event_type' in input) continue;
      // The spec's bot_status has no per-symbol states, and a command changes them: ask for the
      // full status after connecting and after every command that was done.
      if (input.type === 'connection_established' || (input.type === 'command_result' && input.ok)) {
        queueMicrotask(() => this.link?.send({ type: 'request_status' }));
      }
      if ('request_id' in input && input.request_id !== undefined) this.options.onreply(input);
    }
    if (inputs.length > 0) this.options.onpending();
  }

  /** How many inputs wait to be folded. */
  get queued(): number {
    return this.queue.length;
  }

  /** Folds everything queued so far and returns the live state. */
  fold(): WorkbenchState {
    if (this.queue.length === 0) return this.state;
    const batch = this.queue;
    this.queue = [];
    this.state = reduceAll(this.state, batch);
    return this.state;
  }
}
