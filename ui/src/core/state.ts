import type {
  BacktestCompleteData, BacktestStartData, BotInitializationData, DecisionData, Direction, LogEvent,
  OptimisationTrialRow, PerformanceData, ServerMessage, WeeklySummaryData,
} from '../../../protocol/index.ts';

/** The spec's limit: the log keeps at most this many entries, oldest dropped first. */
export const LOG_CAP = 1000;
/** Per-symbol bounds, so a long session cannot grow the page without limit. */
export const CANDLE_CAP = 1500;
export const MARKER_CAP = 400;
export const DECISION_CAP = 100;
export const TRANSITION_CAP = 50;
export const PROBLEM_CAP = 200;
export const EQUITY_CAP = 5000;
export const COMMAND_RESULT_CAP = 50;
export const TRADE_CAP = 500;
/** Days of profit kept for the per-day table (a year of trading days and then some). */
export const DAY_CAP = 400;
/** Trial rows an optimisation keeps in the live state (the recording on disk has them all). */
export const OPTIMISATION_ROW_CAP = 100_000;

/** Everything the reducer folds: log events and the server's non-event messages. */
export type WorkbenchInput = LogEvent | ServerMessage;

export interface LogEntry {
  /** Local, strictly increasing key: stable for list rendering even when `seq` is absent. */
  readonly key: number;
  readonly event: LogEvent;
}

export interface Transition {
  readonly from: string;
  readonly to: string;
  readonly event: string;
  readonly cause: string;
  readonly timestamp: string;
  readonly seq?: number;
}

export interface OpenPosition {
  readonly direction: Direction | string;
  readonly lot_size: number;
  readonly entry_price: number;
  readonly stop_loss: number;
  readonly take_profit: number;
  /** Unix seconds of the entry, when known. */
  readonly time?: number;
  readonly position_id?: number;
  /** Floating profit in account currency at the last status (the simulator reports it). */
  readonly profit?: number;
}

/** A finished trade, as the closed-trades table lists it. */
export interface ClosedTrade {
  readonly key: number;
  readonly symbol: string;
  readonly direction: string;
  readonly lots: number | null;
  readonly entryPrice: number | null;
  readonly exitPrice: number;
  /** Unix seconds; null when the entry was not seen (it happened before this page's history). */
  readonly entryTime: number | null;
  readonly exitTime: number;
  readonly pnl: number;
  readonly reason: string;
  readonly positionId?: number;
}

/** Profit and trade count of one UTC day (keyed by its 00:00 in unix seconds). */
export interface DayProfit {
  readonly pnl: number;
  readonly trades: number;
  readonly wins: number;
}

/** Unix seconds, as lightweight-charts wants them. */
export interface Candle {
  readonly time: number;
  readonly open: number;
  readonly high: number;
  readonly low: number;
  readonly close: number;
}

export interface TradeMarker {
  readonly time: number;
  readonly kind: 'entry' | 'exit';
  readonly price: number;
  readonly direction?: string;
  readonly text: string;
  /** What the chart's tooltip tells about the trade. */
  readonly lots?: number;
  readonly stopLoss?: number;
  readonly takeProfit?: number;
  readonly pnl?: number;
  readonly reason?: string;
}

export interface SymbolDecision extends DecisionData {
  readonly timestamp: string;
  readonly seq?: number;
}

export interface SymbolView {
  readonly symbol: string;
  readonly state: string;
  readonly transitions: readonly Transition[];
  readonly position: OpenPosition | null;
  readonly tradesThisWeek: number;
  readonly candles: readonly Candle[];
  readonly markers: readonly TradeMarker[];
  readonly decisions: readonly SymbolDecision[];
  readonly sr: { readonly support: number | null; readonly resistance: number | null } | null;
  readonly timeframe?: string;
  readonly synthetic?: boolean;
  /** Decimal places of its prices: from the symbol's spec when the server sends it, else as seen in its bars. */
  readonly digits?: number;
  readonly seenDigits?: number;
  readonly closedTrades: number;
  readonly pnl: number;
  /** This symbol's own entries in its latest trading week (the governor counts the account). */
  readonly week: { readonly anchor: number; readonly entries: number };
}

export interface EquityPoint {
  readonly time: number;
  readonly balance: number;
}

export interface BacktestReport {
  readonly sessionId: string;
  readonly start: BacktestStartData;
  readonly weeks: readonly WeeklySummaryData[];
  readonly complete: BacktestCompleteData | null;
  readonly equity: readonly EquityPoint[];
  readonly trades: number;
  readonly wins: number;
  readonly balance: number;
  /** Entries that did not happen, by why (a refused order's retcode, a governor skip): what explains a run with no trades. */
  readonly refusals: Readonly<Record<string, number>>;
}

export interface Problem {
  readonly key: number;
  readonly timestamp: string;
  readonly error: string;
  readonly traceback: string;
  readonly symbol?: string;
  readonly source?: string;
  readonly seq?: number;
}

export interface BotView {
  readonly running: boolean;
  readonly connected: boolean;
  readonly error: string | null;
  readonly trades_this_week: number;
  readonly last_trade_time: string | null;
  readonly balance?: number;
  readonly equity?: number;
  readonly broker?: string;
  readonly mode?: string;
}

export interface TradeStats {
  readonly wins: number;
  readonly losses: number;
  readonly totalPnl: number;
  readonly peak: number;
  /** Largest fall from a balance peak, in account currency and as a fraction of that peak. */
  readonly maxDrawdown: number;
  readonly maxDrawdownPct: number;
}

export interface CommandOutcome {
  readonly command: string;
  readonly ok: boolean;
  readonly reason: string;
  readonly request_id?: string | number;
}

export interface WorkbenchState {
  readonly eventsSeen: number;
  readonly nextKey: number;
  /** Highest `seq` folded so far: what a reconnecting client asks to resume after. */
  readonly lastSeq: number;
  readonly sessionId: string | null;
  readonly connectionId: string | null;
  readonly bot: BotView;
  readonly config: BotInitializationData | null;
  readonly symbols: Readonly<Record<string, SymbolView>>;
  readonly symbolOrder: readonly string[];
  readonly log: readonly LogEntry[];
  readonly logDropped: number;
  readonly problems: readonly Problem[];
  readonly equity: readonly EquityPoint[];
  readonly stats: TradeStats;
  readonly performance: PerformanceData | null;
  /** Entries per trading week, keyed by the week's Sunday 00:00 UTC anchor (unix seconds). */
  readonly weekly: Readonly<Record<number, number>>;
  readonly limits: { readonly min: number; readonly max: number };
  readonly backtests: Readonly<Record<string, BacktestReport>>;
  readonly backtestOrder: readonly string[];
  readonly commandResults: readonly CommandOutcome[];
  /** The viewed session's closed trades (newest last) and its profit per UTC day. */
  readonly trades: readonly ClosedTrade[];
  readonly daily: Readonly<Record<number, DayProfit>>;
  /** Optimisations this server ran or runs, by id, in the order first heard of. */
  readonly optimisations: Readonly<Record<string, OptimisationView>>;
  readonly optimisationOrder: readonly string[];
}

/** The governor's weekly trade band: at least `min`, at most `max` trades a week. */
export interface WeeklyBandView {
  readonly min: number;
  readonly max: number;
}

/** The recording an optimisation ends with (`optimisation.json`), as far as the workbench reads it. */
export interface OptimisationRecordingView {
  readonly id: string;
  /** The weekly trade band its weeks are counted within (recordings since 2026-12). */
  readonly band?: WeeklyBandView;
  readonly createdFrom?: Readonly<Record<string, unknown>>;
  readonly objective?: { readonly id: string; readonly label: string; readonly direction: 'max' | 'min' };
  readonly axes?: readonly { readonly name: string; readonly values: readonly (number | string | boolean)[] }[];
  readonly planned?: number;
  readonly stopped?: boolean;
  readonly trials?: readonly { readonly id: string; readonly params: Record<string, number | string | boolean>; readonly score: number | null; readonly metrics: Record<string, number> & { readonly profitFactor: number | null } }[];
  readonly overfitting?: {
    /** `value` null: the trials could not be told apart, so PBO is undefined (`reason`). */
    readonly pbo: { readonly value: number | null; readonly reason?: string; readonly reading: string } | null;
    readonly dsr: { readonly value: number; readonly reading: string } | null;
    readonly notes: readonly string[];
  } | null;
  readonly walkForward?: {
    readonly efficiency: number | null;
    readonly equity: readonly { readonly time: number; readonly equity: number }[];
    readonly stitched: Record<string, number | null>;
    readonly segments: readonly {
      readonly isFrom: string; readonly oosFrom: string; readonly oosTo: string;
      /** The dates of the first and last bars each part holds, and whether the data end before the segment's planned end (recordings since 2026-11). */
      readonly isFirstBar?: string; readonly isLastBar?: string; readonly oosFirstBar?: string; readonly oosLastBar?: string; readonly partial?: boolean;
      readonly params: Record<string, unknown>; readonly inSample: Record<string, number>; readonly outOfSample: Record<string, number>; readonly efficiency: number | null }[];
  } | null;
  /** The data's warnings and why the search ran fewer trials than asked for (recordings since 2026-12). */
  readonly notes?: readonly string[];
}

export interface OptimisationView {
  readonly id: string;
  readonly rows: readonly OptimisationTrialRow[];
  readonly done: number;
  readonly planned: number;
  readonly trialsPerSecond: number;
  readonly etaSeconds: number | null;
  readonly objective: { readonly id: string; readonly label: string; readonly direction: 'max' | 'min' } | null;
  /** The weekly trade band the rows' weeks are counted within (null until a message says it; older servers never do). */
  readonly band: WeeklyBandView | null;
  readonly finished: boolean;
  readonly stopped: boolean;
  readonly error: string | null;
  readonly recording: OptimisationRecordingView | null;
}

export function initialState(): WorkbenchState {
  return {
    eventsSeen: 0,
    nextKey: 1,
    lastSeq: 0,
    sessionId: null,
    connectionId: null,
    bot: { running: false, connected: false, error: null, trades_this_week: 0, last_trade_time: null },
    config: null,
    symbols: {},
    symbolOrder: [],
    log: [],
    logDropped: 0,
    problems: [],
    equity: [],
    stats: { wins: 0, losses: 0, totalPnl: 0, peak: 0, maxDrawdown: 0, maxDrawdownPct: 0 },
    performance: null,
    weekly: {},
    limits: { min: 3, max: 10 },
    backtests: {},
    backtestOrder: [],
    commandResults: [],
    trades: [],
    daily: {},
    optimisations: {},
    optimisationOrder: [],
  };
}

export function emptySymbol(symbol: string): SymbolView {
  return {
    symbol, state: 'idle', transitions: [], position: null, tradesThisWeek: 0, candles: [], markers: [],
    decisions: [], sr: null, closedTrades: 0, pnl: 0, week: { anchor: 0, entries: 0 },
  };
}

/**
 * Lists created during the current batch (see `inBatch`). Only these may be appended to in
 * place: no state handed out before the batch can see the change, so the fold stays pure.
 */
let owned: WeakSet<object> | null = null;

/** Runs a batch fold in which bounded lists are copied once per batch instead of once per event. */
export function inBatch<T>(fold: () => T): T {
  const outer = owned;
  owned = new WeakSet();
  try {
    return fold();
  } finally {
    owned = outer;
  }
}

/** Appends to a bounded list, dropping the oldest entries beyond `cap`. Never mutates a list it did not create in this batch. */
export function appendCapped<T>(list: readonly T[], item: T, cap: number): T[] {
  if (owned?.has(list)) {
    const mine = list as T[];
    mine.push(item);
    if (mine.length > cap) mine.splice(0, mine.length - cap);
    return mine;
  }
  const next = list.length >= cap ? list.slice(list.length - cap + 1) : list.slice();
  next.push(item);
  owned?.add(next);
  return next;
}
