import type { LogEntry } from '../../core/state.ts';
import { formatMoney, formatPrice, plural } from '../../core/format.ts';

const money = (v: unknown) => formatMoney(v as number);

export interface LogFilter {
  readonly levels: Readonly<Record<'INFO' | 'ERROR' | 'DEBUG', boolean>>;
  readonly eventType: string;
  readonly symbol: string;
  readonly search: string;
}

export const ALL = '*';

export const DEFAULT_FILTER: LogFilter = { levels: { INFO: true, ERROR: true, DEBUG: true }, eventType: ALL, symbol: ALL, search: '' };

/** Decimal places of a symbol's prices, when known. */
export type DigitsOf = (symbol: string) => number | undefined;

/** One line of text per entry: what the search matches and the row shows; prices with the symbol's digits. */
export function summarize(entry: LogEntry, digitsOf: DigitsOf = () => undefined): string {
  const e = entry.event;
  const d = e.data as Record<string, unknown>;
  const digits = typeof d.symbol === 'string' ? digitsOf(d.symbol) : undefined;
  const n = (v: unknown) => formatPrice(v as number, digits);
  switch (e.event_type) {
    case 'TRADE_ENTRY': return `${d.symbol} ${d.direction} ${d.lot_size} @ ${n(d.price)} SL ${n(d.stop_loss)} TP ${n(d.take_profit)}`;
    case 'TRADE_EXIT': return `${d.symbol} exit @ ${n(d.exit_price)} (${d.exit_reason}) pnl ${money(d.pnl)} balance ${money(d.balance_after)}`;
    case 'DECISION': return `${d.symbol} ${d.decision}: ${d.reason}`;
    case 'ERROR': return `${d.symbol ? `${d.symbol}: ` : ''}${d.error}`;
    case 'STATE_TRANSITION': return `${d.symbol} ${d.from} → ${d.to} (${d.event}) ${d.cause}`;
    case 'BAR': return `${d.symbol} ${d.timeframe} ${d.time} O ${n(d.open)} H ${n(d.high)} L ${n(d.low)} C ${n(d.close)}`;
    case 'PERFORMANCE': return `trades ${d.total_trades} win rate ${((d.win_rate as number) * 100).toFixed(1)}% profit ${d.total_profit}`;
    case 'COMMAND': return `${d.command} ${d.ok ? 'done' : 'refused'}: ${d.reason}`;
    case 'BOT_STATUS': return `running ${d.running} connected ${d.connected}${d.reason ? ` (${d.reason})` : ''}`;
    case 'WEEKLY_SUMMARY': return `week ${d.week}: ${plural(d.trades as number, 'trade')} (${d.target_range}) balance ${d.balance}`;
    case 'BACKTEST_START': return `${d.symbol} ${d.data_points} points from ${d.starting_balance}`;
    case 'BACKTEST_COMPLETE': return `final ${d.final_balance} return ${d.total_return} trades ${d.total_trades}`;
    case 'BOT_INITIALIZATION': return `symbols ${(d.config as { symbols: string[] }).symbols.join(', ')} rl ${d.rl_enabled} mt5 ${d.mt5_connected}`;
    default: return JSON.stringify(d).slice(0, 200);
  }
}

/** Pure filter over the log; search is case-insensitive over type, symbol and summary. */
export function filterLog(entries: readonly LogEntry[], filter: LogFilter, digitsOf?: DigitsOf): readonly LogEntry[] {
  // Read the (possibly reactive) filter once, not once per entry.
  const q = filter.search.trim().toLowerCase();
  const levels = { INFO: filter.levels.INFO, ERROR: filter.levels.ERROR, DEBUG: filter.levels.DEBUG };
  const { eventType, symbol } = filter;
  if (!q && eventType === ALL && symbol === ALL && levels.INFO && levels.ERROR && levels.DEBUG) return entries;
  return entries.filter((entry) => {
    const e = entry.event;
    if (!levels[e.level]) return false;
    if (eventType !== ALL && e.event_type !== eventType) return false;
    if (symbol !== ALL && (e.data as { symbol?: string }).symbol !== symbol) return false;
    if (q && !`${e.event_type} ${summarize(entry, digitsOf)}`.toLowerCase().includes(q)) return false;
    return true;
  });
}
