import * as t from 'io-ts';
import { envelopeOf, nullable } from '../envelope.ts';

/** Mirrors MT5's `OrderSendResult` (retcode 10009 = done). */
export const ExecutionResultCodec = t.intersection([
  t.type({
    retcode: t.number,
    deal: t.number,
    order: t.number,
    volume: t.number,
    price: t.number,
    bid: t.number,
    ask: t.number,
    comment: t.string,
  }),
  t.partial({ request_id: t.number, retcode_external: t.number }),
]);
export type ExecutionResult = t.TypeOf<typeof ExecutionResultCodec>;

export const DirectionCodec = t.keyof({ buy: null, sell: null });
export type Direction = t.TypeOf<typeof DirectionCodec>;

/** TRADE_ENTRY `data`, the spec's fields plus a few a trader wants (position id, bar time). */
export const TradeEntryDataCodec = t.intersection([
  t.type({
    symbol: t.string,
    direction: DirectionCodec,
    price: t.number,
    lot_size: t.number,
    stop_loss: t.number,
    take_profit: t.number,
    patterns_detected: t.array(t.string),
    sr_levels: t.type({ support: nullable(t.number), resistance: nullable(t.number) }),
    aggression_multiplier: t.number,
    trades_this_week: t.number,
    execution_result: ExecutionResultCodec,
  }),
  t.partial({ position_id: t.number, strategy: t.string, time: t.string, reason: t.string }),
]);
export type TradeEntryData = t.TypeOf<typeof TradeEntryDataCodec>;
export const TradeEntryCodec = envelopeOf('TRADE_ENTRY', TradeEntryDataCodec);
export type TradeEntry = t.TypeOf<typeof TradeEntryCodec>;

/** TRADE_EXIT `data`; `timestamp` is the exit time (market time in a backtest). */
export const TradeExitDataCodec = t.intersection([
  t.type({
    symbol: t.string,
    exit_price: t.number,
    exit_reason: t.string,
    pnl: t.number,
    balance_after: t.number,
    timestamp: t.string,
  }),
  t.partial({
    position_id: t.number, direction: DirectionCodec, entry_price: t.number, lot_size: t.number,
    /** The parts of `pnl` (all in account currency, each booked in cents): `pnl` = profit + swap + commission (both sides). */
    commission: t.number, profit: t.number, swap: t.number,
  }),
]);
export type TradeExitData = t.TypeOf<typeof TradeExitDataCodec>;
export const TradeExitCodec = envelopeOf('TRADE_EXIT', TradeExitDataCodec);
export type TradeExit = t.TypeOf<typeof TradeExitCodec>;
