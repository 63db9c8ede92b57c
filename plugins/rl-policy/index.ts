import { fileURLToPath } from 'node:url';
import { createRlPolicyStrategy } from './rl-policy.ts';
import { readPolicyFile, type PolicyFile } from './policy-file.ts';

/** The policy the plugin ships, trained on USDCHF H1 1996-1999 (`npm run train`). */
export const DEFAULT_POLICY_PATH = fileURLToPath(new URL('./policies/usdchf-h1.json', import.meta.url));

function loadShipped(): { policy: PolicyFile | null; error: string | null } {
  try {
    return { policy: readPolicyFile(DEFAULT_POLICY_PATH), error: null };
  } catch (err) {
    return { policy: null, error: err instanceof Error ? err.message : String(err) };
  }
}

const shipped = loadShipped();

/**
 * Whether the shipped policy file loaded (BOT_INITIALIZATION `rl_enabled` when this strategy
 * runs), and why not. Loading happens once at import, never inside a hook.
 */
export const rlPolicyStatus: { readonly loaded: boolean; readonly path: string; readonly error: string | null } = Object.freeze({
  loaded: shipped.policy !== null, path: DEFAULT_POLICY_PATH, error: shipped.error,
});

/** The `rl-policy` strategy with the shipped policy. */
export const rlPolicy = createRlPolicyStrategy(shipped.policy);

export { createRlPolicyStrategy, RlPolicyConfigCodec, DEFAULT_RL_POLICY_CONFIG, type RlPolicyConfig, type RlPolicyState } from './rl-policy.ts';
export { readPolicyFile, decodePolicyFile, PolicyFileCodec, POLICY_FORMAT, POLICY_VERSION, type PolicyFile } from './policy-file.ts';
export { ACTIONS, LinearPolicy, type Action } from './linear-policy.ts';
export { OBSERVATION_FEATURES, OBSERVATION_SIZE, ObservationBuilder } from './observation.ts';
