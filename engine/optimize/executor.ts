import type { ParamSet } from './param-space.ts';
import { runTrial, type BarRange, type TrialInputs, type TrialOutcome } from './trial.ts';

/** One trial to run: its id (see `trialId`) and parameters. */
export interface TrialJob {
  readonly id: string;
  readonly params: ParamSet;
}

/**
 * Runs trials somewhere: in this thread, on a worker-thread pool, or on a BullMQ queue.
 * `run` calls `onResult` as each trial finishes (any order) and resolves when all have, or
 * soon after `signal` aborts (trials already finished are kept; the rest are not reported).
 */
export interface TrialExecutor {
  readonly description: string;
  run(jobs: readonly TrialJob[], range: BarRange | undefined, onResult: (job: TrialJob, outcome: TrialOutcome) => void, signal?: AbortSignal): Promise<void>;
  close(): Promise<void>;
}

/** Trials one after another in this thread (tests, small runs, the reference for the pools). */
export class InlineExecutor implements TrialExecutor {
  readonly description = 'this thread';

  constructor(private readonly inputs: TrialInputs) {}

  async run(jobs: readonly TrialJob[], range: BarRange | undefined, onResult: (job: TrialJob, outcome: TrialOutcome) => void, signal?: AbortSignal): Promise<void> {
    for (const job of jobs) {
      if (signal?.aborted) return;
      onResult(job, runTrial(this.inputs, job.params, range));
      // Let a Ctrl-C handler run between trials.
      if (jobs.length > 1) await new Promise((r) => setImmediate(r));
    }
  }

  async close(): Promise<void> {}
}
