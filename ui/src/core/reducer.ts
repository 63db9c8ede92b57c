import type { LogEvent, ServerMessage } from '../../../protocol/index.ts';
import {
  COMMAND_RESULT_CAP, EQUITY_CAP, LOG_CAP, PROBLEM_CAP, appendCapped, inBatch, initialState,
  type BotView, type LogEntry, type TradeStats, type WorkbenchInput, type WorkbenchState,
} from './state.ts';
import { reduceSymbol, symbolOf } from './reduce-symbol.ts';
import { reduceBacktests } from './reduce-backtest.ts';
import { toUnixSeconds, weekAnchor } from './time.ts';

/**
 * The workbench's one reducer: `(state, event) => state` over protocol events and server
 * messages. Live sessions and replayed recordings both fold through it, so they draw the same.
 * Pure and total: unknown inputs return the state unchanged.
 *
 * @example
 * const state = events.reduce(reduce, initialState());
 */
export function reduce(state: WorkbenchState, input: WorkbenchInput): WorkbenchState {
  return 'event_type' in input ? reduceEvent(state, input) : reduceMessage(state, input);
}

/** Folds a batch in order; the same as `inputs.reduce(reduce, state)`. */
export function reduceAll(state: WorkbenchState, inputs: readonly WorkbenchInput[]): WorkbenchState {
  return inBatch(() => {
    let next = state;
    for (const input of inputs) next = reduce(next, input);
    return next;
  });
}

function reduceMessage(state: WorkbenchState, msg: ServerMessage): WorkbenchState {
  switch (msg.type) {
    case 'connection_established':
      return {
        ...state,
        // A restarted server that numbers afresh: forget our high-water mark or we would drop all.
        lastSeq: msg.last_seq !== undefined && msg.last_seq < state.lastSeq ? 0 : state.lastSeq,
        connectionId: msg.connection_id,
        sessionId: msg.session_id ?? msg.bot_status.session_id ?? state.sessionId,
        bot: botFromStatus(state.bot, msg.bot_status),
      };
    case 'status': {
      const { type: _type, request_id: _id, ...status } = msg;
      let next: WorkbenchState = { ...state, bot: botFromStatus(state.bot, status), sessionId: status.session_id ?? state.sessionId };
      if (status.min_trades !== undefined && status.max_trades !== undefined) next = { ...next, limits: { min: status.min_trades, max: status.max_trades } };
      for (const s of status.symbols ?? []) {
        const prev = next.symbols[s.symbol];
        const base = prev ?? reduceSymbol(undefined, { data: { symbol: s.symbol } } as LogEvent);
        const position = s.position === undefined ? base.position : s.position && { ...s.position };
        next = putSymbol(next, s.symbol, {
          ...base, state: s.state, tradesThisWeek: s.trades_this_week, position,
          timeframe: s.timeframe ?? base.timeframe, synthetic: s.synthetic ?? base.synthetic,
        });
      }
      return next;
    }
    case 'resume_result':
      // The server's numbering is not the one we folded (it restarted afresh or was rolled
      // back): what we hold may never have happened there. Start over from what it replays.
      if (!msg.reset) return state;
      return { ...initialState(), connectionId: state.connectionId, sessionId: state.sessionId, bot: state.bot, limits: state.limits, config: state.config };
    case 'command_result':
      return {
        ...state,
        commandResults: appendCapped(state.commandResults, { command: msg.command, ok: msg.ok, reason: msg.reason, request_id: msg.request_id }, COMMAND_RESULT_CAP),
      };
    case 'error':
      return {
        ...state,
        problems: appendCapped(state.problems, {
          key: state.nextKey, timestamp: '', error: `${msg.code}: ${msg.error}`, traceback: (msg.details ?? []).join('\n'), source: 'server reply',
        }, PROBLEM_CAP),
        nextKey: state.nextKey + 1,
      };
    default:
      return state;
  }
}

function botFromStatus(prev: BotView, s: Omit<Extract<ServerMessage, { type: 'status' }>, 'type'>): BotView {
  return {
    running: s.running, connected: s.connected, error: s.error, trades_this_week: s.trades_this_week,
    last_trade_time: s.last_trade_time, balance: s.balance ?? prev.balance, equity: s.equity ?? prev.equity,
    broker: s.broker ?? prev.broker, mode: s.mode ?? prev.mode,
  };
}

function putSymbol(state: WorkbenchState, symbol: string, view: WorkbenchState['symbols'][string]): WorkbenchState {
  if (state.symbols[symbol] === view) return state;
  const order = symbol in state.symbols ? state.symbolOrder : [...state.symbolOrder, symbol];
  return { ...state, symbols: { ...state.symbols, [symbol]: view }, symbolOrder: order };
}

function reduceEvent(state: WorkbenchState, event: LogEvent): WorkbenchState {
  // A resume overlap or a duplicate delivery must not count twice.
  if (event.seq !== undefined && event.seq <= state.lastSeq && state.lastSeq > 0) return state;
  const entry: LogEntry = { key: state.nextKey, event };
  // Read before appending: inside a batch the append may reuse the same array.
  const dropped = state.log.length >= LOG_CAP ? 1 : 0;
  let next: WorkbenchState = {
    ...state,
    eventsSeen: state.eventsSeen + 1,
    nextKey: state.nextKey + 1,
    lastSeq: event.seq ?? state.lastSeq,
    logDropped: state.logDropped + dropped,
    log: appendCapped(state.log, entry, LOG_CAP),
  };
  const symbol = symbolOf(event);
  if (symbol !== undefined && event.event_type !== 'ERROR' && event.event_type !== 'COMMAND' && event.event_type !== 'BACKTEST_START' && event.event_type !== 'PERFORMANCE') {
    next = putSymbol(next, symbol, reduceSymbol(next.symbols[symbol], event));
  }
  const bt = reduceBacktests(next, event);
  if (bt !== next) next = { ...next, ...bt };
  // A backtest run beside the live bot streams its own trades: they belong to its report only.
  const foreign = next.sessionId !== null && event.session_id !== next.sessionId && event.session_id in next.backtests;
  const accountEvent = event.event_type === 'TRADE_ENTRY' || event.event_type === 'TRADE_EXIT' || event.event_type === 'PERFORMANCE';
  return foreign && accountEvent ? next : reduceAccount(next, event);
}

/** Bot, account and problem bookkeeping per event type. */
function reduceAccount(state: WorkbenchState, event: LogEvent): WorkbenchState {
  switch (event.event_type) {
    case 'BOT_INITIALIZATION':
      return { ...state, config: event.data, sessionId: state.sessionId ?? event.session_id, bot: { ...state.bot, connected: event.data.mt5_connected, broker: event.data.broker ?? state.bot.broker, mode: event.data.mode ?? state.bot.mode } };
    case 'BOT_STATUS':
      return { ...state, bot: { ...state.bot, running: event.data.running, connected: event.data.connected, broker: event.data.broker ?? state.bot.broker } };
    case 'TRADE_ENTRY': {
      const time = toUnixSeconds(event.data.time ?? event.timestamp);
      const week = Number.isFinite(time) ? weekAnchor(time) : undefined;
      return {
        ...state,
        bot: { ...state.bot, trades_this_week: event.data.trades_this_week, last_trade_time: event.data.time ?? event.timestamp },
        weekly: week === undefined ? state.weekly : { ...state.weekly, [week]: (state.weekly[week] ?? 0) + 1 },
      };
    }
    case 'TRADE_EXIT': {
      const d = event.data;
      const time = toUnixSeconds(d.timestamp);
      const before = state.equity.length === 0 ? d.balance_after - d.pnl : state.equity[state.equity.length - 1].balance;
      return {
        ...state,
        bot: { ...state.bot, balance: d.balance_after },
        stats: nextStats(state.stats, before, d.pnl, d.balance_after),
        equity: Number.isFinite(time) ? appendCapped(state.equity, { time, balance: d.balance_after }, EQUITY_CAP) : state.equity,
      };
    }
    case 'DECISION':
      return { ...state, limits: { ...state.limits, max: event.data.max_trades } };
    case 'PERFORMANCE': {
      const d = event.data;
      return {
        ...state,
        performance: d,
        limits: { min: d.weekly_target.min_trades, max: d.weekly_target.max_trades },
        bot: { ...state.bot, balance: d.balance ?? state.bot.balance, equity: d.equity ?? state.bot.equity, trades_this_week: d.weekly_target.current_trades },
      };
    }
    case 'BACKTEST_START': {
      const c = event.data.trade_constraints;
      return { ...state, limits: { min: c.min_trades_per_week, max: c.max_trades_per_week } };
    }
    case 'ERROR':
      return {
        ...state,
        problems: appendCapped(state.problems, { key: state.nextKey - 1, timestamp: event.timestamp, seq: event.seq, ...event.data }, PROBLEM_CAP),
      };
    default:
      return state;
  }
}

function nextStats(s: TradeStats, before: number, pnl: number, after: number): TradeStats {
  const peak = Math.max(s.peak, before, after);
  const drawdown = peak - after;
  return {
    wins: s.wins + (pnl > 0 ? 1 : 0),
    losses: s.losses + (pnl > 0 ? 0 : 1),
    totalPnl: s.totalPnl + pnl,
    peak,
    maxDrawdown: Math.max(s.maxDrawdown, drawdown),
    maxDrawdownPct: Math.max(s.maxDrawdownPct, peak > 0 ? drawdown / peak : 0),
  };
}
