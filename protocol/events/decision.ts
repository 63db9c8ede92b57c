import * as t from 'io-ts';
import { envelopeOf } from '../envelope.ts';

/**
 * The spec's three decisions, plus the ones the engine needs to explain itself:
 * `order_rejected` (broker said no), `reset_aggression` (accepted, not emitted: a new week's reset
 * shows in the closed week's WEEKLY_SUMMARY `aggression_multiplier`), `skip_paused`,
 * `skip_disconnected` and `skip_journal_failing` (entry refused because the symbol is paused,
 * the broker is away, or the journal cannot write), `skip_duplicate_positions` (entry refused
 * because more than one position of the bot is open on the symbol) and `foreign_position` (live:
 * a position on the account that is not the bot's, by its magic number, is left alone; `ticket`,
 * `lot_size` and `magic` name it) and `partial_close` (live: an exit deal closed part of one of
 * the bot's positions; `ticket`, `lot_size` (lots left), `closed_lots`, `exit_price`, `deal`,
 * `profit`, `commission`, `swap` and `balance_after` describe it; the round trip's TRADE_EXIT comes
 * when the rest closes).
 */
export const DecisionKindCodec = t.keyof({
  skip_max_trades_reached: null,
  increase_aggression: null,
  rl_action: null,
  order_rejected: null,
  reset_aggression: null,
  skip_paused: null,
  skip_disconnected: null,
  skip_journal_failing: null,
  skip_duplicate_positions: null,
  foreign_position: null,
  partial_close: null,
});
export type DecisionKind = t.TypeOf<typeof DecisionKindCodec>;

export const DecisionDataCodec = t.intersection([
  t.type({
    symbol: t.string,
    decision: DecisionKindCodec,
    reason: t.string,
    trades_this_week: t.number,
    max_trades: t.number,
    aggression_multiplier: t.number,
  }),
  t.partial({
    /** For `rl_action`: the chosen action and the policy's value or probability per action. */
    action: t.string,
    action_values: t.record(t.string, t.number),
    retcode: t.number,
    time: t.string,
    /** For `foreign_position`: the position's ticket, volume and magic number (0: opened by hand). */
    ticket: t.number,
    lot_size: t.number,
    magic: t.number,
    /** For `partial_close`: the exit deal's ticket, lots, price and amounts, and the balance after it. */
    deal: t.number,
    closed_lots: t.number,
    exit_price: t.number,
    profit: t.number,
    commission: t.number,
    swap: t.number,
    balance_after: t.number,
  }),
]);
export type DecisionData = t.TypeOf<typeof DecisionDataCodec>;
export const DecisionCodec = envelopeOf('DECISION', DecisionDataCodec);
export type Decision = t.TypeOf<typeof DecisionCodec>;
