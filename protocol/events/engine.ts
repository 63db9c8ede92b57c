import * as t from 'io-ts';
import { envelopeOf, nullable } from '../envelope.ts';

/**
 * Events beyond the spec that the workbench needs to draw what the engine does. They use the
 * spec's envelope, so a client that knows only the spec can ignore them by `event_type`.
 */

/** A symbol actor moved between states (idle, scanning, in_trade, throttled, paused, faulted). */
export const StateTransitionDataCodec = t.intersection([
  t.type({ symbol: t.string, from: t.string, to: t.string, event: t.string, cause: t.string }),
  t.partial({ time: t.string }),
]);
export type StateTransitionData = t.TypeOf<typeof StateTransitionDataCodec>;
export const StateTransitionCodec = envelopeOf('STATE_TRANSITION', StateTransitionDataCodec);

/** A closed candle, level DEBUG: lets live and replayed views draw the chart. */
export const BarDataCodec = t.intersection([
  t.type({
    symbol: t.string,
    timeframe: t.string,
    time: t.string,
    open: t.number,
    high: t.number,
    low: t.number,
    close: t.number,
  }),
  t.partial({
    volume: t.number,
    synthetic: t.boolean,
    sr_levels: t.type({ support: nullable(t.number), resistance: nullable(t.number) }),
  }),
]);
export type BarData = t.TypeOf<typeof BarDataCodec>;
export const BarCodec = envelopeOf('BAR', BarDataCodec);

/** A client command, whether done or refused, with who sent it: the audit trail. */
export const CommandDataCodec = t.intersection([
  t.type({ command: t.string, connection_id: t.string, ok: t.boolean, reason: t.string }),
  t.partial({ params: t.UnknownRecord, symbol: t.string }),
]);
export type CommandData = t.TypeOf<typeof CommandDataCodec>;
export const CommandCodec = envelopeOf('COMMAND', CommandDataCodec);

/** Bot-level status changes: started, stopped, broker connected or lost. */
export const BotStatusDataCodec = t.intersection([
  t.type({ running: t.boolean, connected: t.boolean }),
  t.partial({ broker: t.string, reason: t.string }),
]);
export type BotStatusData = t.TypeOf<typeof BotStatusDataCodec>;
export const BotStatusEventCodec = envelopeOf('BOT_STATUS', BotStatusDataCodec);
