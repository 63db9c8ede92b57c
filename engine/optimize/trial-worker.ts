import { workerData } from 'node:worker_threads';
import { move } from 'piscina';
import { encodeOutcomes } from './outcome-codec.ts';
import { pluginsLoaded } from '../strategy/plugin-loader.ts';
import { catchStrayFailures } from '../strategy/stray-error.ts';
import type { ParamSet } from './param-space.ts';
import type { TrialRecord } from './optimizer.ts';
import { overfittingReport, type OverfittingReport } from './overfitting/overfitting-report.ts';
import { resolveRun, type RunSpec } from './run-spec.ts';
import { seriesMapOf, type SharedData } from './shared-series.ts';
import { runTrial, type BarRange, type TrialInputs, type TrialOutcome, type WeeklyReturns } from './trial.ts';

/** What the pool gives each worker thread once: the shared bars of every symbol and the run. */
export interface TrialWorkerData {
  readonly data: SharedData;
  readonly run: RunSpec;
}

export interface TrialTask {
  readonly params: readonly ParamSet[];
  readonly range: BarRange | null;
}

/**
 * A plugin's own timer or promise that throws on this thread (outside the hooks a trial calls):
 * the first is kept and fails the task that ran it (or the next), naming the plugin, as the
 * in-process run does (`exitOnStrayErrors`). Left alone it ended the thread, and with no task
 * running piscina replaced it silently: the search's table hid the failure. A plugin's
 * `process.exit` throws in the trial instead of ending the thread.
 */
let strayError: Error | null = null;
catchStrayFailures(pluginsLoaded, (f) => {
  strayError ??= new Error(`${f.plugin ? f.what : `${f.what} on an optimiser thread`}: ${f.message}`);
});

// Resolved on the thread's first task: the plugins are loaded and the config resolved once per
// thread; the bars are views of the shared buffers, never copied.
let inputs: Promise<TrialInputs> | null = null;

/**
 * A piscina task: some trials, run one after another; their outcomes in the same order, packed
 * into one Float64Array (`encodeOutcomes`) whose memory moves to the caller uncopied.
 */
export async function runTrials(task: TrialTask): Promise<Float64Array> {
  const data = workerData as TrialWorkerData;
  inputs ??= resolveRun(data.run, seriesMapOf(data.data));
  const resolved = await inputs;
  const outcomes: TrialOutcome[] = task.params.map((p) => runTrial(resolved, p, task.range ?? undefined));
  // The timers and promises the trials' plugins started with no delay run before the answer.
  await new Promise((resolve) => setTimeout(resolve, 0));
  if (strayError) throw strayError;
  return move(encodeOutcomes(outcomes)) as Float64Array;
}

/**
 * A piscina task: PBO and DSR over the trials' weekly returns, best trial first. Seconds of
 * arithmetic for thousands of trials: a server runs it here, off its event loop.
 */
export function overfitting(task: { readonly weeklyReturns: readonly WeeklyReturns[]; readonly trades: readonly number[] }): OverfittingReport {
  // Each trial's trade count goes with its returns: a winner (or a search) without trades has no DSR.
  return overfittingReport(task.weeklyReturns.map((weeklyReturns, k) => ({ weeklyReturns, metrics: { trades: task.trades[k] } }) as TrialRecord));
}
