import type { LogEvent } from '../../protocol/index.ts';

/** How a position ended, as far as the bot or its journal knows. */
export interface TicketFate {
  readonly symbol: string;
  readonly exitReason: string | null;
  readonly exitPrice: number | null;
  /** `YYYY-MM-DDTHH:MM:SS` (the session clock), or null while open. */
  readonly exitTime: string | null;
  readonly pnl: number | null;
}

// Enough to explain any close dialog a user can still have open; older ones come from the journal.
const KEPT = 1024;

/**
 * The positions this bot closed lately, by ticket, so that a `close_position` naming a ticket
 * that is no longer open can say what happened to it instead of closing whatever is open now.
 */
export class TicketFates {
  private readonly closed = new Map<number, TicketFate>();

  constructor(private readonly fallback?: (ticket: number) => TicketFate | null) {}

  observe(event: LogEvent): void {
    if (event.event_type !== 'TRADE_EXIT' || event.data.position_id === undefined) return;
    const d = event.data;
    this.closed.set(d.position_id!, { symbol: d.symbol, exitReason: d.exit_reason, exitPrice: d.exit_price, exitTime: d.timestamp, pnl: d.pnl });
    if (this.closed.size > KEPT) this.closed.delete(this.closed.keys().next().value!);
  }

  fate(ticket: number): TicketFate | null {
    return this.closed.get(ticket) ?? this.fallback?.(ticket) ?? null;
  }
}

/** "#1234 was closed by take profit at 1.2345 on 2024-01-15T10:35:00 (pnl 150.00)". */
export function describeFate(ticket: number, fate: TicketFate): string {
  if (fate.exitReason === null) return `#${ticket} is not open any more`;
  const reason = /^(take profit|stop loss|stop out) hit$/i.exec(fate.exitReason);
  const how = reason ? `by ${reason[1].toLowerCase()}` : fate.exitReason === 'Closed by user' ? 'by a close_position command' : `(${fate.exitReason})`;
  const at = fate.exitPrice !== null ? ` at ${fate.exitPrice}` : '';
  const when = fate.exitTime !== null ? ` on ${fate.exitTime}` : '';
  const pnl = fate.pnl !== null ? ` (pnl ${fate.pnl.toFixed(2)})` : '';
  return `#${ticket} was closed ${how}${at}${when}${pnl}`;
}
