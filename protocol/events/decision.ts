import * as t from 'io-ts';
import { envelopeOf } from '../envelope.ts';

/**
 * The spec's three decisions, plus the ones the engine needs to explain itself:
 * `order_rejected` (broker said no), `reset_aggression` (new week), `skip_paused`,
 * `skip_disconnected` and `skip_journal_failing` (entry refused because the symbol is paused,
 * the broker is away, or the journal cannot write).
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
  }),
]);
export type DecisionData = t.TypeOf<typeof DecisionDataCodec>;
export const DecisionCodec = envelopeOf('DECISION', DecisionDataCodec);
export type Decision = t.TypeOf<typeof DecisionCodec>;
