import type { DataOf, LogEvent } from '../../../protocol/index.ts';
import {
  CANDLE_CAP, DECISION_CAP, MARKER_CAP, TRANSITION_CAP, appendCapped, emptySymbol,
  type Candle, type SymbolView,
} from './state.ts';
import { toUnixSeconds, weekAnchor } from './time.ts';

/** The symbol an event is about, if any. */
export function symbolOf(event: LogEvent): string | undefined {
  const data = event.data as { symbol?: unknown };
  return typeof data.symbol === 'string' ? data.symbol : undefined;
}

/** Folds one event into the view of the symbol it names. Pure: returns a new view or the same one. */
export function reduceSymbol(view: SymbolView | undefined, event: LogEvent): SymbolView {
  const prev = view ?? emptySymbol(symbolOf(event) ?? '?');
  switch (event.event_type) {
    case 'STATE_TRANSITION': {
      const d = event.data;
      return {
        ...prev,
        state: d.to,
        transitions: appendCapped(
          prev.transitions,
          { from: d.from, to: d.to, event: d.event, cause: d.cause, timestamp: d.time ?? event.timestamp, seq: event.seq },
          TRANSITION_CAP,
        ),
      };
    }
    case 'BAR':
      return reduceBar(prev, event.data);
    case 'TRADE_ENTRY': {
      const d = event.data;
      const time = toUnixSeconds(d.time ?? event.timestamp);
      const anchor = Number.isFinite(time) ? weekAnchor(time) : prev.week.anchor;
      return {
        ...prev,
        week: { anchor, entries: anchor === prev.week.anchor ? prev.week.entries + 1 : 1 },
        position: {
          direction: d.direction, lot_size: d.lot_size, entry_price: d.price, stop_loss: d.stop_loss,
          take_profit: d.take_profit, time, position_id: d.position_id,
        },
        tradesThisWeek: d.trades_this_week,
        sr: d.sr_levels,
        markers: Number.isFinite(time)
          ? appendCapped(prev.markers, {
            time, kind: 'entry', price: d.price, direction: d.direction, text: `${d.direction} ${d.lot_size}`,
            lots: d.lot_size, stopLoss: d.stop_loss, takeProfit: d.take_profit, reason: d.reason ?? (d.patterns_detected.join(', ') || undefined),
          }, MARKER_CAP)
          : prev.markers,
      };
    }
    case 'TRADE_EXIT': {
      const d = event.data;
      const time = toUnixSeconds(d.timestamp);
      return {
        ...prev,
        position: null,
        closedTrades: prev.closedTrades + 1,
        pnl: prev.pnl + d.pnl,
        markers: Number.isFinite(time)
          ? appendCapped(prev.markers, {
            time, kind: 'exit', price: d.exit_price, direction: d.direction ?? prev.position?.direction, text: `${d.pnl >= 0 ? '+' : ''}${d.pnl.toFixed(2)}`,
            lots: d.lot_size ?? prev.position?.lot_size, pnl: d.pnl, reason: d.exit_reason,
          }, MARKER_CAP)
          : prev.markers,
      };
    }
    case 'DECISION':
      return {
        ...prev,
        tradesThisWeek: event.data.trades_this_week,
        decisions: appendCapped(prev.decisions, { ...event.data, timestamp: event.timestamp, seq: event.seq }, DECISION_CAP),
      };
    default:
      return prev;
  }
}

function reduceBar(prev: SymbolView, d: DataOf<'BAR'>): SymbolView {
  const time = toUnixSeconds(d.time);
  if (!Number.isFinite(time)) return prev;
  const candle: Candle = { time, open: d.open, high: d.high, low: d.low, close: d.close };
  const last = prev.candles[prev.candles.length - 1];
  let candles: Candle[];
  if (last && last.time === time) {
    // The same bar again (a resume overlap): replace rather than duplicate.
    candles = prev.candles.slice(0, -1);
    candles.push(candle);
  } else if (last && last.time > time) {
    // Out of order (a second backtest over older data): start the chart afresh, keep it sorted.
    candles = [candle];
  } else {
    candles = appendCapped(prev.candles, candle, CANDLE_CAP);
  }
  return {
    ...prev,
    candles,
    // Without the spec's digits, the most decimals its prices have shown (0.8906 has four).
    seenDigits: prev.digits === undefined ? Math.max(prev.seenDigits ?? 0, decimalsOf(d.open), decimalsOf(d.close)) : prev.seenDigits,
    timeframe: d.timeframe,
    synthetic: d.synthetic ?? prev.synthetic,
    sr: d.sr_levels ?? prev.sr,
  };
}

/** Decimal places of a price as sent (binary noise ignored), at most 6. */
export function decimalsOf(value: number): number {
  for (let d = 0; d < 6; d++) {
    const scaled = value * 10 ** d;
    if (Math.abs(scaled - Math.round(scaled)) < 1e-6 * Math.max(1, Math.abs(scaled))) return d;
  }
  return 6;
}
