import type { ClientMessage, ServerMessage } from '../../../protocol/index.ts';
import type { ConnectionStatus } from './connection.ts';
import type { Patch } from './state-diff.ts';
import type { WorkbenchInput } from './state.ts';

/** What the page tells the live worker. */
export type ToLiveWorker =
  | { readonly type: 'start'; readonly url: string; readonly token?: string | null }
  /** The token for the next (re)connect (the page keeps it in sessionStorage; a worker has none). */
  | { readonly type: 'token'; readonly token: string | null }
  | { readonly type: 'stop' }
  | { readonly type: 'retry' }
  /** `id` names a request the page waits on: a send that fails is reported back by it. */
  | { readonly type: 'send'; readonly message: ClientMessage; readonly id?: string | number }
  | { readonly type: 'inputs'; readonly inputs: readonly WorkbenchInput[] }
  /** The page drew the last update: the worker may post the next (at most one per frame). */
  | { readonly type: 'ack' };

/** What the live worker tells the page. */
export type FromLiveWorker =
  | { readonly type: 'state'; readonly patch: Patch }
  | { readonly type: 'status'; readonly status: ConnectionStatus }
  | { readonly type: 'reply'; readonly reply: ServerMessage }
  | { readonly type: 'unsent'; readonly id: string | number };
