import * as t from 'io-ts';
import { BotInitializationCodec } from './bot.ts';
import { TradeEntryCodec, TradeExitCodec } from './trade.ts';
import { DecisionCodec } from './decision.ts';
import { ErrorEventCodec } from './error.ts';
import { PerformanceCodec } from './performance.ts';
import { BacktestStartCodec, WeeklySummaryCodec, BacktestCompleteCodec } from './backtest.ts';
import { StateTransitionCodec, BarCodec, CommandCodec, BotStatusEventCodec } from './engine.ts';

/** Every log event, by `event_type`. */
export const EVENT_CODECS = {
  BOT_INITIALIZATION: BotInitializationCodec,
  TRADE_ENTRY: TradeEntryCodec,
  TRADE_EXIT: TradeExitCodec,
  DECISION: DecisionCodec,
  ERROR: ErrorEventCodec,
  PERFORMANCE: PerformanceCodec,
  BACKTEST_START: BacktestStartCodec,
  WEEKLY_SUMMARY: WeeklySummaryCodec,
  BACKTEST_COMPLETE: BacktestCompleteCodec,
  STATE_TRANSITION: StateTransitionCodec,
  BAR: BarCodec,
  COMMAND: CommandCodec,
  BOT_STATUS: BotStatusEventCodec,
} as const;

/** The nine event types the spec names. */
export const SPEC_EVENT_TYPES = [
  'BOT_INITIALIZATION', 'TRADE_ENTRY', 'TRADE_EXIT', 'DECISION', 'ERROR', 'PERFORMANCE',
  'BACKTEST_START', 'WEEKLY_SUMMARY', 'BACKTEST_COMPLETE',
] as const;

export type EventType = keyof typeof EVENT_CODECS;
export const EVENT_TYPES = Object.keys(EVENT_CODECS) as EventType[];

export const LogEventCodec = t.union([
  BotInitializationCodec, TradeEntryCodec, TradeExitCodec, DecisionCodec, ErrorEventCodec,
  PerformanceCodec, BacktestStartCodec, WeeklySummaryCodec, BacktestCompleteCodec,
  StateTransitionCodec, BarCodec, CommandCodec, BotStatusEventCodec,
]);
/** Any log event on the wire. Narrow on `event_type`. */
export type LogEvent = t.TypeOf<typeof LogEventCodec>;
/** The event of one type, e.g. `EventOf<'TRADE_ENTRY'>`. */
export type EventOf<TType extends EventType> = t.TypeOf<(typeof EVENT_CODECS)[TType]>;
/** The `data` of one event type, e.g. `DataOf<'DECISION'>`. */
export type DataOf<TType extends EventType> = EventOf<TType>['data'];

export * from './bot.ts';
export * from './trade.ts';
export * from './decision.ts';
export * from './error.ts';
export * from './performance.ts';
export * from './backtest.ts';
export * from './backtest-report.ts';
export * from './engine.ts';
