import * as t from 'io-ts';
import { nullable } from '../envelope.ts';

/** The spec's bot status object, plus what the status bar shows. */
export const BotStatusCodec = t.intersection([
  t.type({
    running: t.boolean,
    connected: t.boolean,
    error: nullable(t.string),
    trades_this_week: t.number,
    last_trade_time: nullable(t.string),
  }),
  t.partial({
    session_id: t.string,
    broker: t.string,
    mt5_connected: t.boolean,
    mode: t.string,
    balance: t.number,
    equity: t.number,
    min_trades: t.number,
    max_trades: t.number,
    last_seq: t.number,
    symbols: t.array(
      t.intersection([
        t.type({ symbol: t.string, state: t.string, trades_this_week: t.number }),
        t.partial({
          position: nullable(t.intersection([
            t.type({ direction: t.string, lot_size: t.number, entry_price: t.number, stop_loss: t.number, take_profit: t.number }),
            /** The broker's ticket, the entry time, and the floating profit in account currency at the last quote. */
            t.partial({ ticket: t.number, time: t.string, profit: t.number }),
          ])),
          /**
           * Live: other positions of the bot's open on the symbol besides `position` (a second one
           * found on a restart or a reconnection): kept, not managed; `close_position` with the
           * ticket closes one. Absent when there is none.
           */
          kept_positions: t.array(t.intersection([
            t.type({ direction: t.string, lot_size: t.number, entry_price: t.number, stop_loss: t.number, take_profit: t.number, ticket: t.number }),
            t.partial({ time: t.string }),
          ])),
          synthetic: t.boolean,
          timeframe: t.string,
          /** Decimal places of the symbol's prices (its MT5 spec). */
          digits: t.number,
        }),
      ]),
    ),
  }),
]);
export type BotStatus = t.TypeOf<typeof BotStatusCodec>;
export type SymbolStatus = NonNullable<BotStatus['symbols']>[number];
