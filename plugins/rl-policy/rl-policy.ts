import * as t from 'io-ts';
import { defineStrategy, type Signal, type Strategy, type StrategyContext } from '../../engine/plugin-api.ts';
import { ACTIONS, LinearPolicy, type Action } from './linear-policy.ts';
import { ObservationBuilder, OBSERVATION_SIZE } from './observation.ts';
import type { PolicyFile } from './policy-file.ts';

export const RlPolicyConfigCodec = t.type({
  /** Protective stop this many ATRs from the entry (sizing needs one; the policy exits earlier by `close`). */
  stopAtr: t.number,
  /** Take-profit this many ATRs away; 0 leaves exits to the policy and the stop. */
  takeProfitAtr: t.number,
});
export type RlPolicyConfig = t.TypeOf<typeof RlPolicyConfigCodec>;
export const DEFAULT_RL_POLICY_CONFIG: RlPolicyConfig = { stopAtr: 2, takeProfitAtr: 0 };

type MutableSignal = { -readonly [K in keyof Signal]: Signal[K] };

/** Per-symbol state: the observation builder and two signals reused bar after bar. */
export interface RlPolicyState {
  observation: ObservationBuilder;
  policy: LinearPolicy;
  /** Probability per action, shared by every decision this state reports (the engine copies it). */
  values: Record<Action, number>;
  hold: MutableSignal;
  close: MutableSignal;
  /** Every decision in order, when a test or the trainer asks for them (`recordDecisions`). */
  log: number[] | null;
}

/**
 * The RL policy as a strategy. On each closed bar it builds the observation (patterns, S/R
 * distances, trend, momentum, volatility, position, weekly pace), asks the linear policy for
 * hold/buy/sell/close, and returns a Signal carrying `decision` (the action and each action's
 * probability), which the engine reports as DECISION `rl_action`. A choice that cannot apply
 * (buy while long, close while flat) is reported as chosen and executed as a hold.
 *
 * @example
 * ```ts
 * const strategy = createRlPolicyStrategy(readPolicyFile('plugins/rl-policy/policies/usdchf-h1.json'));
 * runBacktest({ symbol: 'USDCHF', series, strategy });
 * ```
 */
export function createRlPolicyStrategy(policy: PolicyFile | null, options: { recordDecisions?: boolean } = {}): Strategy<RlPolicyConfig, RlPolicyState> {
  const weights = policy ? Float64Array.from(policy.weights) : null;
  return defineStrategy<RlPolicyConfig, RlPolicyState>({
    id: 'rl-policy',
    description: policy
      ? `Linear softmax policy trained by ${policy.training.algorithm} on ${policy.symbol} ${policy.timeframe} ${policy.training.from}..${policy.training.to} (seed ${policy.training.seed})`
      : 'RL policy (no policy file loaded: it never trades)',
    configCodec: RlPolicyConfigCodec,
    defaultConfig: DEFAULT_RL_POLICY_CONFIG,
    warmup: 30,
    initialState() {
      const values = { hold: 0, buy: 0, sell: 0, close: 0 };
      return {
        observation: new ObservationBuilder(),
        policy: new LinearPolicy(weights ?? new Float64Array(ACTIONS.length * OBSERVATION_SIZE), OBSERVATION_SIZE),
        values,
        hold: { direction: 'hold', decision: { action: 'hold', values }, reason: '' },
        close: { direction: 'close', decision: { action: 'close', values }, reason: 'policy chose close' },
        log: options.recordDecisions ? [] : null,
      };
    },
    onBar(ctx) {
      if (!weights) return;
      const state = ctx.state;
      if (!state.observation.build(ctx)) return;
      const a = state.policy.act(state.observation.values);
      const p = state.policy.probabilities;
      const v = state.values;
      v.hold = p[0]; v.buy = p[1]; v.sell = p[2]; v.close = p[3];
      if (state.log) state.log.push(a, p[0], p[1], p[2], p[3]);
      return toSignal(ctx, ACTIONS[a]);
    },
  });
}

function toSignal(ctx: StrategyContext<RlPolicyConfig, RlPolicyState>, action: Action): Signal {
  const { state, position, config } = ctx;
  if (action === 'close') {
    if (position) return state.close;
    return holdAs(state, 'close', 'policy chose close while flat: nothing to close');
  }
  if (action === 'hold') return holdAs(state, 'hold', 'policy chose hold');
  const side = action === 'buy' ? 1 : -1;
  if (position && position.direction === action) return holdAs(state, action, `policy chose ${action} while already ${action === 'buy' ? 'long' : 'short'}`);
  const close = ctx.bars.close[ctx.index];
  const atr = state.observation.sr.atr.value;
  const f = 10 ** ctx.spec.digits;
  const stopLoss = Math.round((close - side * config.stopAtr * atr) * f) / f;
  const takeProfit = config.takeProfitAtr > 0 ? Math.round((close + side * config.takeProfitAtr * atr) * f) / f : undefined;
  return {
    direction: action, stopLoss, takeProfit, reason: `policy chose ${action} (p=${state.values[action].toFixed(3)})`,
    decision: { action, values: state.values },
  };
}

function holdAs(state: RlPolicyState, action: Action, reason: string): Signal {
  const s = state.hold;
  (s.decision as { action: string }).action = action;
  s.reason = reason;
  return s;
}
