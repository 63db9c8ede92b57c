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
  return describeServerError(reply);
}

type ErrorReply = Extract<ServerMessage, { type: 'error' }>;

/**
 * A protocol `error` in words. For a message of the wrong shape the server's detail is an io-ts
 * path report (`Invalid value 1e13 supplied to : ((...) & Partial<{ ..., balance: Balance (0 <
 * balance <= 1e12), ...`), cut to a length that may lose the field's name: given the message we
 * sent, the field is found by its value, e.g. `balance: expected Balance (0 < balance <= 1e12),
 * got 10000000000000`.
 */
export function describeServerError(reply: Pick<ErrorReply, 'code' | 'error' | 'details'>, sent?: object): string {
  if (reply.code === 'rate_limited') return `not processed: the server is rate-limiting this page (${reply.error}); try again in a moment`;
  const detail = reply.details?.[0];
  if (!detail) return reply.error;
  const value = /^Invalid value (.+?) supplied to /.exec(detail)?.[1];
  const fields = value !== undefined && sent ? fieldsWithValue(sent, value) : [];
  if (fields.length !== 1) return `${reply.error}: ${detail}`;
  const name = fields[0].split('.').pop()!;
  // The codec's name for the field, when the report shows it whole (followed by `,` or `}`).
  const expected = new RegExp(`(?:^|[{,] )${escapeRegExp(name)}: ([^,{}]+?)(?:,|\\s*\\})`).exec(detail)?.[1];
  return `${fields[0]}: ${expected ? `expected ${expected}, ` : ''}got ${value}`;
}

/** Paths (`balance`, `params.fast`) of the sent message's fields whose JSON is `json`. */
function fieldsWithValue(sent: object, json: string, prefix = ''): string[] {
  return Object.entries(sent).flatMap(([key, v]) => {
    if (prefix === '' && (key === 'type' || key === 'request_id')) return [];
    if (JSON.stringify(v) === json) return [`${prefix}${key}`];
    return v !== null && typeof v === 'object' && !Array.isArray(v) ? fieldsWithValue(v, json, `${prefix}${key}.`) : [];
  });
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
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
