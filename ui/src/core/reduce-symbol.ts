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
          ? appendCapped(prev.markers, { time, kind: 'entry', price: d.price, direction: d.direction, text: `${d.direction} ${d.lot_size}` }, MARKER_CAP)
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
          ? appendCapped(prev.markers, { time, kind: 'exit', price: d.exit_price, direction: d.direction ?? prev.position?.direction, text: `${d.pnl >= 0 ? '+' : ''}${d.pnl.toFixed(2)}` }, MARKER_CAP)
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
    timeframe: d.timeframe,
    synthetic: d.synthetic ?? prev.synthetic,
    sr: d.sr_levels ?? prev.sr,
  };
}
