import { Piscina } from 'piscina';
import type { TrialExecutor, TrialJob } from './executor.ts';
import type { RunSpec } from './run-spec.ts';
import type { SharedSeries } from './shared-series.ts';
import type { BarRange, TrialOutcome } from './trial.ts';
import type { TrialTask, TrialWorkerData } from './trial-worker.ts';

const WORKER = new URL('./trial-worker-entry.mjs', import.meta.url).href;

/**
 * Trials on a worker-thread pool (piscina), one thread per core by default. The bars go to the
 * threads once, as a SharedArrayBuffer; each task carries only a few parameter sets.
 */
export class PoolExecutor implements TrialExecutor {
  readonly description: string;
  private readonly pool: Piscina;

  constructor(data: SharedSeries, run: RunSpec, readonly threads: number) {
    const workerData: TrialWorkerData = { data, run };
    this.pool = new Piscina({ filename: WORKER, name: 'runTrials', minThreads: threads, maxThreads: threads, idleTimeout: 60_000, workerData });
    this.description = `${threads} worker thread${threads === 1 ? '' : 's'}`;
  }

  async run(jobs: readonly TrialJob[], range: BarRange | undefined, onResult: (job: TrialJob, outcome: TrialOutcome) => void, signal?: AbortSignal): Promise<void> {
    // A few trials per task: a task's message costs far less than a trial (ms), but a handful
    // per task keeps every thread busy without one thread getting the last long batch.
    const per = Math.max(1, Math.min(8, Math.floor(jobs.length / (this.threads * 16))));
    const tasks: Promise<void>[] = [];
    for (let k = 0; k < jobs.length; k += per) {
      const slice = jobs.slice(k, k + per);
      const task: TrialTask = { params: slice.map((j) => j.params), range: range ?? null };
      tasks.push(
        this.pool.run(task, signal ? { signal } : {}).then(
          (outcomes: TrialOutcome[]) => outcomes.forEach((o, i) => onResult(slice[i], o)),
          (err: Error) => {
            if (err.name !== 'AbortError' && !signal?.aborted) throw err;
          },
        ),
      );
    }
    await Promise.all(tasks);
  }

  async close(): Promise<void> {
    await this.pool.destroy();
  }
}
