import { workerData } from 'node:worker_threads';
import type { ParamSet } from './param-space.ts';
import { resolveRun, type RunSpec } from './run-spec.ts';
import { seriesOf, type SharedSeries } from './shared-series.ts';
import { runTrial, type BarRange, type TrialInputs, type TrialOutcome } from './trial.ts';

/** What the pool gives each worker thread once: the shared bars and the run. */
export interface TrialWorkerData {
  readonly data: SharedSeries;
  readonly run: RunSpec;
}

export interface TrialTask {
  readonly params: readonly ParamSet[];
  readonly range: BarRange | null;
}

// Resolved on the thread's first task: the plugin is loaded and the config validated once per
// thread; the bars are views of the shared buffer, never copied.
let inputs: Promise<TrialInputs> | null = null;

/** A piscina task: a few trials, run one after another, outcomes in the same order. */
export async function runTrials(task: TrialTask): Promise<TrialOutcome[]> {
  const data = workerData as TrialWorkerData;
  inputs ??= resolveRun(data.run, seriesOf(data.data));
  const resolved = await inputs;
  return task.params.map((p) => runTrial(resolved, p, task.range ?? undefined));
}
