import { Worker, type Job } from 'bullmq';
import type { Redis } from 'ioredis';
import type { BarSeries } from '../../model/bar.ts';
import { resolveRun, type RunSpec } from '../run-spec.ts';
import { decodeSeries, seriesOf } from '../shared-series.ts';
import { runTrial, type TrialInputs } from '../trial.ts';
import { outcomeBytes } from '../outcome-codec.ts';
import { dataKey, resultsKey, runSpecKey, TRIAL_QUEUE } from './queue-keys.ts';
import type { TrialJobData } from './queue-executor.ts';

export interface QueueWorkerOptions {
  readonly url: string;
  /** Where this machine's relative plugin paths are resolved (the project folder). */
  readonly baseDir: string;
  /** How long a job's lock lasts without renewal: a killed worker's job is retried after about this long. */
  readonly lockMs?: number;
  readonly onJob?: (job: Job<TrialJobData>, trials: number) => void;
}

/**
 * The worker side of the queue: runs queued trials with this machine's copy of the plugins,
 * fetching each symbol's bars from Redis by hash the first time it is needed (kept in memory
 * after). Each outcome is stored under its trial id (as `outcomeBytes`) before the job completes, so a job
 * retried after its worker died stores the same values again and is counted once.
 */
export function startQueueWorker(redis: Redis, o: QueueWorkerOptions): Worker<TrialJobData, number> {
  const runs = new Map<string, Promise<TrialInputs>>();
  const inputsFor = (run: string, data: string) => {
    let p = runs.get(run);
    if (!p) {
      p = (async () => {
        const json = await redis.get(runSpecKey(run));
        if (json === null) throw new Error(`run ${run} is not in Redis at ${o.url} (its coordinator has not started it, or Redis was flushed)`);
        const { data: hashes, ...stored } = JSON.parse(json) as Omit<RunSpec, 'baseDir'> & { data: Record<string, string> };
        const series = new Map<string, BarSeries>();
        for (const [symbol, hash] of Object.entries(hashes)) {
          const bytes = await redis.getBuffer(dataKey(hash));
          if (bytes === null) throw new Error(`data set ${data} (${symbol}'s bars, ${hash}) is not on this machine and not in Redis at ${o.url}; start the coordinator (npm run optimize -- --queue ${o.url}) that owns it`);
          series.set(symbol, seriesOf(decodeSeries(bytes)));
        }
        return resolveRun({ ...stored, baseDir: o.baseDir }, series);
      })();
      // A failure (a plugin missing here) is not cached: the next job retries it.
      p.catch(() => runs.delete(run));
      runs.set(run, p);
    }
    return p;
  };
  const lockDuration = o.lockMs ?? 30_000;
  return new Worker<TrialJobData, number>(TRIAL_QUEUE, async (job) => {
    const { run, data, range, trials } = job.data;
    const inputs = await inputsFor(run, data);
    const outcomes: [string, Buffer][] = trials.map((t) => [t.id, outcomeBytes(runTrial(inputs, t.params, range ?? undefined))]);
    // One HSET for the job's trials: one round trip, and Redis parses one command, not one per trial.
    await redis.hset(resultsKey(run), ...outcomes.flat());
    o.onJob?.(job, trials.length);
    return trials.length;
  }, { connection: redis, concurrency: 1, lockDuration, stalledInterval: Math.max(500, lockDuration / 2), maxStalledCount: 5 });
}
