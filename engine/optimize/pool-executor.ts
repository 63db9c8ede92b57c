import { Piscina } from 'piscina';
import type { TrialExecutor, TrialJob } from './executor.ts';
import type { RunSpec } from './run-spec.ts';
import type { SharedData } from './shared-series.ts';
import type { BarRange, TrialOutcome } from './trial.ts';
import type { TrialRecord } from './optimizer.ts';
import type { OverfittingReport } from './overfitting/overfitting-report.ts';
import type { TrialTask, TrialWorkerData } from './trial-worker.ts';
import { decodeOutcomes } from './outcome-codec.ts';

const WORKER = new URL('./trial-worker-entry.mjs', import.meta.url).href;

/**
 * Trials on a worker-thread pool (piscina), one thread per core by default. The bars go to the
 * threads once, as SharedArrayBuffers (one per symbol); each task carries only parameter sets,
 * and its outcomes come back packed in one transferred buffer (`encodeOutcomes`).
 */
export class PoolExecutor implements TrialExecutor {
  readonly description: string;
  private readonly pool: Piscina;

  constructor(data: SharedData, run: RunSpec, readonly threads: number) {
    const workerData: TrialWorkerData = { data, run };
    this.pool = new Piscina({ filename: WORKER, name: 'runTrials', minThreads: threads, maxThreads: threads, idleTimeout: 60_000, workerData });
    this.description = `${threads} worker thread${threads === 1 ? '' : 's'}`;
  }

  async run(jobs: readonly TrialJob[], range: BarRange | undefined, onResult: (job: TrialJob, outcome: TrialOutcome) => void, signal?: AbortSignal): Promise<void> {
    // A bounded number of tasks in flight: an abort (Ctrl-C) then only waits for those.
    const limit = this.threads * 2;
    let next = 0;
    let active = 0;
    await new Promise<void>((resolve, reject) => {
      const pump = () => {
        while (active < limit && next < jobs.length && !signal?.aborted) {
          const slice = jobs.slice(next, next + taskSize(jobs.length - next, this.threads));
          next += slice.length;
          active++;
          const task: TrialTask = { params: slice.map((j) => j.params), range: range ?? null };
          this.pool.run(task).then((packed: Float64Array) => {
            active--;
            decodeOutcomes(packed).forEach((o, i) => onResult(slice[i], o));
            pump();
          }, reject);
        }
        if (active === 0 && (next >= jobs.length || signal?.aborted)) resolve();
      };
      pump();
    });
  }

  /** PBO and DSR of ranked trials on one of the pool's threads (seconds for thousands of trials). */
  overfitting(ranked: readonly TrialRecord[]): Promise<OverfittingReport> {
    return this.pool.run({ weeklyReturns: ranked.map((r) => r.weeklyReturns), trades: ranked.map((r) => r.metrics.trades) }, { name: 'overfitting' });
  }

  async close(): Promise<void> {
    await this.pool.destroy();
  }
}

/**
 * Trials in the next task, given how many remain: up to 32 while plenty remain (a task's
 * messages, wake-ups and decoding then cost the coordinating thread, which shares the cores
 * with the pool, almost nothing per trial), then smaller (an eighth of what is left per
 * thread) so every thread finishes at about the same time, down to single trials at the end.
 */
export function taskSize(remaining: number, threads: number): number {
  return Math.max(1, Math.min(32, Math.floor(remaining / (threads * 8))));
}
