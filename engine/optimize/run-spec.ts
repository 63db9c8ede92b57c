import { createHash } from 'node:crypto';
import type { BarSeries } from '../model/bar.ts';
import type { SimBrokerConfig } from '../broker/sim-broker.ts';
import type { GovernorConfig } from '../governor/governor-config.ts';
import { loadPlugins, validateStrategyConfig } from '../strategy/plugin-loader.ts';
import type { ParamSet } from './param-space.ts';
import type { BarRange, TrialInputs } from './trial.ts';

/**
 * An optimisation's fixed inputs as plain data, so a worker thread or another machine can
 * rebuild the same trial inputs: which plugin, its base config, account and broker settings.
 */
export interface RunSpec {
  readonly symbol: string;
  readonly strategy: string;
  /** Plugin specs to load besides the built-ins (folders or npm names), resolved against `baseDir`. */
  readonly plugins: readonly string[];
  readonly baseDir: string;
  readonly baseConfig: Readonly<Record<string, unknown>>;
  readonly balance: number;
  readonly riskPercent: number;
  readonly governor?: Partial<GovernorConfig>;
  readonly broker?: Partial<SimBrokerConfig>;
}

/** Loads the run's plugin and validates its base config: once per process, not per trial. */
export async function resolveRun(spec: RunSpec, series: BarSeries): Promise<TrialInputs> {
  const plugins = await loadPlugins(spec.plugins, { baseDir: spec.baseDir });
  const plugin = plugins.get(spec.strategy);
  if (!plugin) throw new Error(`strategy "${spec.strategy}" is not installed here (loaded: ${[...plugins.keys()].join(', ')}); add its plugin to this machine's project`);
  const baseConfig = validateStrategyConfig(plugin.strategy, spec.baseConfig) as Record<string, unknown>;
  return {
    symbol: spec.symbol, series, strategy: plugin.strategy, baseConfig,
    balance: spec.balance, riskPercent: spec.riskPercent, governor: spec.governor, broker: spec.broker,
  };
}

/** The run's identity: the spec (without where it was loaded from) and the data set's hash. */
export function runKey(spec: RunSpec, dataHash: string): string {
  const { baseDir: _, ...rest } = spec;
  return sha256(canonical({ ...rest, data: dataHash }));
}

/**
 * A trial's id from the run, the bar range and the parameters: the same trial gets the same
 * id on every machine and every restart, which is what makes queued trials idempotent.
 */
export function trialId(run: string, params: ParamSet, range?: BarRange): string {
  return sha256(canonical({ run, range: range ?? null, params })).slice(0, 32);
}

function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

/** JSON with object keys sorted, so equal values hash equally whatever their key order. */
export function canonical(value: unknown): string {
  return JSON.stringify(value, (_, v) => (v && typeof v === 'object' && !Array.isArray(v) ? Object.fromEntries(Object.entries(v).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) : v));
}
