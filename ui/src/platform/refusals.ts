import type { ClientMessage, ServerMessage } from '../../../protocol/index.ts';

/** A user's command the server did not carry out, in words for a notice. */
export interface Refusal {
  /** What the user asked, e.g. `Close position USDCHF #7`. */
  readonly command: string;
  /** The server's reason, e.g. `#7 was closed by take profit ...` or the rate limit. */
  readonly reason: string;
}

const TITLES: Readonly<Record<string, string>> = {
  start_bot: 'Start bot',
  stop_bot: 'Stop bot',
  pause_symbol: 'Pause symbol',
  resume_symbol: 'Resume symbol',
  close_position: 'Close position',
};

/** The command as the user would name it: `Close position USDCHF #7`, `Stop bot`. */
export function commandTitle(message: ClientMessage): string {
  const m = message as { type: string; symbol?: string; ticket?: number };
  const title = TITLES[m.type] ?? `"${m.type}"`;
  return [title, m.symbol, m.ticket !== undefined ? `#${m.ticket}` : undefined].filter(Boolean).join(' ');
}

/**
 * Why a reply refuses the request it answers, or null when it does not: a `command_result` with
 * `ok: false` (the server's reason) or a protocol `error` such as `rate_limited` (the message was
 * dropped unprocessed).
 */
export function refusalReason(reply: ServerMessage): string | null {
  if (reply.type === 'command_result') return reply.ok ? null : reply.reason;
  if (reply.type !== 'error') return null;
  if (reply.code === 'rate_limited') return `not processed: the server is rate-limiting this page (${reply.error}); try again in a moment`;
  const details = reply.details?.length ? ` (${reply.details[0]})` : '';
  return `${reply.error}${details}`;
}

/**
 * The user's commands sent and not yet answered, by request id, so a refusal that arrives later
 * names the command it refuses. Bounded: a reply that never comes (the link dropped) only ages out.
 *
 * @example
 * const watch = new RequestWatch();
 * watch.watch(3, { type: 'pause_symbol', symbol: 'USDCHF' });
 * watch.settle({ type: 'error', code: 'rate_limited', error: 'too many messages', request_id: 3 });
 * // -> { command: 'Pause symbol USDCHF', reason: 'not processed: the server is rate-limiting ...' }
 */
export class RequestWatch {
  private readonly waiting = new Map<string | number, string>();

  constructor(private readonly capacity = 200) {}

  watch(id: string | number, message: ClientMessage): void {
    this.waiting.set(id, commandTitle(message));
    if (this.waiting.size > this.capacity) this.waiting.delete(this.waiting.keys().next().value!);
  }

  /** The refusal this reply carries for a watched command, if any; any reply settles the id. */
  settle(reply: ServerMessage): Refusal | null {
    const id = (reply as { request_id?: string | number }).request_id;
    if (id === undefined) return null;
    const command = this.waiting.get(id);
    if (command === undefined) return null;
    this.waiting.delete(id);
    const reason = refusalReason(reply);
    return reason === null ? null : { command, reason };
  }
}
