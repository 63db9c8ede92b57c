import * as t from 'io-ts';
import { envelopeOf } from '../envelope.ts';

/** BOT_INITIALIZATION `data`: the real config the bot started with. */
export const BotInitializationDataCodec = t.intersection([
  t.type({
    config: t.intersection([
      t.type({
        symbols: t.array(t.string),
        risk_parameters: t.UnknownRecord,
        trading_settings: t.UnknownRecord,
      }),
      t.UnknownRecord,
    ]),
    rl_enabled: t.boolean,
    mt5_connected: t.boolean,
  }),
  t.partial({
    /** Which broker port is active: `sim` (paper), `mt5-bridge`, `metaapi`. */
    broker: t.string,
    mode: t.string,
    strategies: t.array(t.string),
    /** Decimal places of each symbol's prices (its MT5 spec), keyed by symbol. */
    digits: t.record(t.string, t.number),
  }),
]);
export type BotInitializationData = t.TypeOf<typeof BotInitializationDataCodec>;
export const BotInitializationCodec = envelopeOf('BOT_INITIALIZATION', BotInitializationDataCodec);
export type BotInitialization = t.TypeOf<typeof BotInitializationCodec>;
