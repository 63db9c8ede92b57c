import { readFileSync } from 'node:fs';
import * as t from 'io-ts';
import * as E from 'fp-ts/lib/Either.js';
import { PathReporter } from 'io-ts/lib/PathReporter.js';
import { ACTIONS } from './linear-policy.ts';
import { OBSERVATION_FEATURES } from './observation.ts';

export const POLICY_FORMAT = 'tradeloom-rl-policy';
export const POLICY_VERSION = 1;

/** A saved policy: versioned, self-describing (feature and action names), with its training run. */
export const PolicyFileCodec = t.type({
  format: t.literal(POLICY_FORMAT),
  version: t.literal(POLICY_VERSION),
  kind: t.literal('linear-softmax'),
  symbol: t.string,
  timeframe: t.string,
  features: t.array(t.string),
  actions: t.array(t.string),
  /** actions x features, row-major. */
  weights: t.array(t.number),
  training: t.intersection([t.type({
    algorithm: t.string,
    from: t.string,
    to: t.string,
    seed: t.number,
    generations: t.number,
    population: t.number,
    sigma: t.number,
    learningRate: t.number,
    drawdownPenalty: t.number,
    /** Episode reward of the final weights on the training range. */
    finalReward: t.number,
    /** Mean population reward per generation. */
    history: t.array(t.number),
  }), t.partial({
    bandPenalty: t.number,
    /** `mirror`: each candidate was scored by the worse of the real and the price-reflected series (see the trainer). */
    augmentation: t.string,
  })]),
});
export type PolicyFile = t.TypeOf<typeof PolicyFileCodec>;

/**
 * Decodes a policy file and checks it was made for this observation and action set, so a
 * policy trained on another feature layout is refused instead of silently misread.
 */
export function decodePolicyFile(raw: unknown, where: string): PolicyFile {
  const decoded = PolicyFileCodec.decode(raw);
  if (E.isLeft(decoded)) throw new Error(`${where}: not a valid policy file: ${PathReporter.report(decoded).join('; ')}`);
  const policy = decoded.right;
  if (policy.features.join(',') !== OBSERVATION_FEATURES.join(',')) {
    throw new Error(`${where}: policy features [${policy.features}] do not match this plugin's observation [${OBSERVATION_FEATURES}]`);
  }
  if (policy.actions.join(',') !== ACTIONS.join(',')) {
    throw new Error(`${where}: policy actions [${policy.actions}] do not match [${ACTIONS}]`);
  }
  if (policy.weights.length !== ACTIONS.length * OBSERVATION_FEATURES.length) {
    throw new Error(`${where}: expected ${ACTIONS.length * OBSERVATION_FEATURES.length} weights, got ${policy.weights.length}`);
  }
  return policy;
}

/** Reads and decodes a policy file; the error names the file and what is wrong. */
export function readPolicyFile(path: string): PolicyFile {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(path, 'utf8'));
  } catch (err) {
    throw new Error(`${path}: cannot read policy file: ${err instanceof Error ? err.message : String(err)}`);
  }
  return decodePolicyFile(raw, path);
}
