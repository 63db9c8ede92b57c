import type { LogEvent, ServerMessage } from '../../../protocol/index.ts';
import {
  COMMAND_RESULT_CAP, DAY_CAP, EQUITY_CAP, LOG_CAP, PROBLEM_CAP, TRADE_CAP, appendCapped, emptySymbol, inBatch, initialState,
  type BotView, type LogEntry, type TradeStats, type WorkbenchInput, type WorkbenchState,
} from './state.ts';
import { reduceSymbol, symbolOf } from './reduce-symbol.ts';
import { reduceBacktests } from './reduce-backtest.ts';
import { reduceOptimisation } from './reduce-optimisation.ts';
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
    case 'connection_established': {
      const sessionId = msg.session_id ?? msg.bot_status.session_id ?? state.sessionId;
      // Another session (a new account, a fresh data dir) or a server that numbers afresh: what we
      // folded never happened there, so the live views start over as on a fresh page, and resume
      // asks from 0. Mixing them would show the old account's trades as the new one's.
      const newSession = (state.sessionId !== null && sessionId !== state.sessionId)
        || (msg.last_seq !== undefined && msg.last_seq < state.lastSeq);
      const base = newSession ? freshLive(state) : state;
      const next: WorkbenchState = {
        ...base,
        connectionId: msg.connection_id,
        sessionId,
        bot: botFromStatus(base.bot, msg.bot_status),
      };
      // The hello's status names the symbols in the bot's order with their state, digits and
      // positions: a fresh page shows them before any event is replayed.
      return foldStatusSymbols(next, msg.bot_status.symbols);
    }
    case 'status': {
      const { type: _type, request_id: _id, ...status } = msg;
      let next: WorkbenchState = { ...state, bot: botFromStatus(state.bot, status), sessionId: status.session_id ?? state.sessionId };
      if (status.min_trades !== undefined && status.max_trades !== undefined) next = { ...next, limits: { min: status.min_trades, max: status.max_trades } };
      return foldStatusSymbols(next, status.symbols);
    }
    case 'resume_result':
      // The server's numbering is not the one we folded (it restarted afresh or was rolled
      // back): what we hold may never have happened there. Start over from what it replays.
      if (!msg.reset) return state;
      return { ...freshLive(state), sessionId: state.sessionId, config: state.config };
    case 'command_result':
      return {
        ...state,
        commandResults: appendCapped(state.commandResults, { command: msg.command, ok: msg.ok, reason: msg.reason, request_id: msg.request_id }, COMMAND_RESULT_CAP),
      };
    case 'optimisation_progress':
    case 'optimisation_complete':
      return reduceOptimisation(state, msg);
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

/**
 * The state a fresh page would start from, keeping the link, the bot's last status and limits
 * (the hello restates them), the problems seen (keys keep counting, so none repeats) and the
 * optimisations (kept by id, so a replay cannot count one twice). Backtest reports go: the
 * server replays from 0 next and would fold their events again.
 */
function freshLive(state: WorkbenchState): WorkbenchState {
  return {
    ...initialState(),
    nextKey: state.nextKey,
    connectionId: state.connectionId,
    bot: state.bot,
    limits: state.limits,
    problems: state.problems,
    optimisations: state.optimisations,
    optimisationOrder: state.optimisationOrder,
  };
}

function foldStatusSymbols(state: WorkbenchState, symbols: Extract<ServerMessage, { type: 'status' }>['symbols']): WorkbenchState {
  let next = state;
  for (const s of symbols ?? []) {
    const prev = next.symbols[s.symbol];
    const base = prev ?? reduceSymbol(undefined, { data: { symbol: s.symbol } } as LogEvent);
    const p = s.position;
    const position = p === undefined ? base.position : p && {
      direction: p.direction, lot_size: p.lot_size, entry_price: p.entry_price, stop_loss: p.stop_loss, take_profit: p.take_profit,
      time: p.time !== undefined ? toUnixSeconds(p.time) : base.position?.time, position_id: p.ticket ?? base.position?.position_id, profit: p.profit,
    };
    next = putSymbol(next, s.symbol, {
      ...base, state: s.state, tradesThisWeek: s.trades_this_week, position,
      timeframe: s.timeframe ?? base.timeframe, synthetic: s.synthetic ?? base.synthetic, digits: s.digits ?? base.digits,
    });
  }
  return next;
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
  // Sessions are kept apart: once the viewed session is known (the server's hello, or a
  // recording's BOT_INITIALIZATION), another session's events (a backtest run beside the bot)
  // belong to that run's report only, never to the symbols, the account or the log.
  if (state.sessionId !== null && event.session_id !== state.sessionId) {
    const bt = reduceBacktests(state, event);
    return {
      ...state, ...bt, eventsSeen: state.eventsSeen + 1, lastSeq: event.seq ?? state.lastSeq,
    };
  }
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
  // A run's start and end name the run (a portfolio's `symbol` joins all of them), not one symbol.
  if (symbol !== undefined && event.event_type !== 'ERROR' && event.event_type !== 'COMMAND' && event.event_type !== 'BACKTEST_START'
    && event.event_type !== 'BACKTEST_COMPLETE' && event.event_type !== 'PERFORMANCE') {
    if (event.event_type === 'TRADE_EXIT') next = reduceClosedTrade(next, event, next.symbols[symbol]?.position ?? null);
    next = putSymbol(next, symbol, reduceSymbol(next.symbols[symbol], event));
  }
  if (event.event_type === 'BACKTEST_START' && event.data.digits !== undefined) {
    // A backtest recording replayed on its own: its symbol's prices at the spec's precision.
    const view = next.symbols[event.data.symbol] ?? emptySymbol(event.data.symbol);
    next = putSymbol(next, event.data.symbol, { ...view, digits: event.data.digits });
  }
  const bt = reduceBacktests(next, event);
  if (bt !== next) next = { ...next, ...bt };
  return reduceAccount(next, event);
}

const DAY = 86_400;

/** The closed-trades list and the profit per UTC day. */
function reduceClosedTrade(state: WorkbenchState, event: Extract<LogEvent, { event_type: 'TRADE_EXIT' }>, open: WorkbenchState['symbols'][string]['position']): WorkbenchState {
  const d = event.data;
  const exitTime = toUnixSeconds(d.timestamp);
  if (!Number.isFinite(exitTime)) return state;
  const trade = {
    key: state.nextKey - 1, symbol: d.symbol, direction: d.direction ?? open?.direction ?? '?',
    lots: d.lot_size ?? open?.lot_size ?? null, entryPrice: d.entry_price ?? open?.entry_price ?? null, exitPrice: d.exit_price,
    entryTime: open?.time !== undefined && Number.isFinite(open.time) ? open.time : null, exitTime, pnl: d.pnl, reason: d.exit_reason,
    positionId: d.position_id ?? open?.position_id,
  };
  const day = Math.floor(exitTime / DAY) * DAY;
  const before = state.daily[day] ?? { pnl: 0, trades: 0, wins: 0 };
  let daily: Record<number, WorkbenchState['daily'][number]> = { ...state.daily, [day]: { pnl: before.pnl + d.pnl, trades: before.trades + 1, wins: before.wins + (d.pnl > 0 ? 1 : 0) } };
  if (before.trades === 0) {
    const days = Object.keys(daily);
    if (days.length > DAY_CAP) {
      const keep = days.map(Number).sort((a, b) => a - b).slice(-DAY_CAP);
      daily = Object.fromEntries(keep.map((k) => [k, daily[k]]));
    }
  }
  return { ...state, trades: appendCapped(state.trades, trade, TRADE_CAP), daily };
}

/** Bot, account and problem bookkeeping per event type. */
function reduceAccount(state: WorkbenchState, event: LogEvent): WorkbenchState {
  switch (event.event_type) {
    case 'BOT_INITIALIZATION': {
      let next: WorkbenchState = { ...state, config: event.data, sessionId: state.sessionId ?? event.session_id, bot: { ...state.bot, connected: event.data.mt5_connected, broker: event.data.broker ?? state.bot.broker, mode: event.data.mode ?? state.bot.mode } };
      // The symbols it trades, in the config's order, each with its spec's digits and whether its data is synthetic.
      const synthetic = syntheticOf(event.data.config.trading_settings);
      for (const symbol of event.data.config.symbols) {
        const view = next.symbols[symbol] ?? emptySymbol(symbol);
        const digits = event.data.digits?.[symbol] ?? view.digits;
        next = putSymbol(next, symbol, { ...view, digits, synthetic: synthetic ? synthetic.includes(symbol) : view.synthetic });
      }
      return next;
    }
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

function syntheticOf(settings: Readonly<Record<string, unknown>>): readonly string[] | undefined {
  const list = settings.synthetic_symbols;
  return Array.isArray(list) ? list.filter((s): s is string => typeof s === 'string') : undefined;
}
