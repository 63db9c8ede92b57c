/** The policy's actions, in the order of its weight rows. */
export const ACTIONS = ['hold', 'buy', 'sell', 'close'] as const;
export type Action = (typeof ACTIONS)[number];

/**
 * A linear softmax policy: `logits = W · obs` (W is actions × features, row-major), action
 * probabilities `softmax(logits)`. Acting is greedy (the most probable action), so a policy
 * and an observation always give the same decision; exploration happens in the trainer, which
 * perturbs the weights (evolution strategies) rather than sampling actions.
 */
export class LinearPolicy {
  readonly probabilities = new Float64Array(ACTIONS.length);

  constructor(readonly weights: Float64Array, readonly features: number) {
    if (weights.length !== ACTIONS.length * features) {
      throw new Error(`policy weights: expected ${ACTIONS.length} x ${features} = ${ACTIONS.length * features} numbers, got ${weights.length}`);
    }
  }

  /** Fills `probabilities` for `obs` and returns the index of the chosen action. */
  act(obs: Float64Array): number {
    const w = this.weights, n = this.features, p = this.probabilities;
    let best = 0;
    let max = -Infinity;
    for (let a = 0; a < ACTIONS.length; a++) {
      let z = 0;
      const row = a * n;
      for (let k = 0; k < n; k++) z += w[row + k] * obs[k];
      p[a] = z;
      if (z > max) { max = z; best = a; }
    }
    let sum = 0;
    for (let a = 0; a < ACTIONS.length; a++) sum += (p[a] = Math.exp(p[a] - max));
    for (let a = 0; a < ACTIONS.length; a++) p[a] /= sum;
    return best;
  }
}
