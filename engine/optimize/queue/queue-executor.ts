import { createHash } from 'node:crypto';
import { Queue, QueueEvents } from 'bullmq';
import type { Redis } from 'ioredis';
import type { BarSeries } from '../../model/bar.ts';
import type { TrialExecutor, TrialJob } from '../executor.ts';
import type { RunSpec } from '../run-spec.ts';
import { encodeSeries } from '../shared-series.ts';
import type { BarRange, TrialOutcome } from '../trial.ts';
import { outcomeFromBytes } from '../outcome-codec.ts';
import { connectRedis, dataKey, resultsKey, runSpecKey, TRIAL_QUEUE } from './queue-keys.ts';

export { QueueUnreachableError } from './queue-keys.ts';

/** What a queued job carries: up to 64 trials of one run on one bar range. */
export interface TrialJobData {
  readonly run: string;
  readonly data: string;
  readonly range: BarRange | null;
  readonly trials: readonly TrialJob[];
}

const ATTEMPTS = 5;

/**
 * Trials on a BullMQ queue: the coordinator side. Each symbol's bars and the run's spec go to
 * Redis once (by hash); each job carries up to 64 trials; workers (`npm run worker`) anywhere run
 * them and store each outcome under its trial id (`outcomeBytes`). Trials already stored (a restarted coordinator,
 * a rerun) are reported without being queued; a job id derives from its trials' ids, so
 * queueing the same trials again adds nothing.
 */
export class QueueExecutor implements TrialExecutor {
  readonly description: string;

  private constructor(
    private readonly redis: Redis,
    private readonly eventsConnection: Redis,
    private readonly queue: Queue,
    private readonly events: QueueEvents,
    private readonly run_: string,
    private readonly dataHash: string,
    url: string,
  ) {
    this.description = `the BullMQ queue "${TRIAL_QUEUE}" at ${url} (npm run worker -- --queue ${url})`;
  }

  /** `hashes`: each symbol's data hash; `dataHash`: the whole data set's (`dataSetHash`). */
  static async connect(url: string, o: { spec: RunSpec; series: ReadonlyMap<string, BarSeries>; hashes: Readonly<Record<string, string>>; dataHash: string; run: string }): Promise<QueueExecutor> {
    const redis = await connectRedis(url);
    for (const [symbol, hash] of Object.entries(o.hashes)) {
      if (!(await redis.exists(dataKey(hash)))) await redis.set(dataKey(hash), encodeSeries(o.series.get(symbol)!));
    }
    const { baseDir: _, ...portable } = o.spec;
    await redis.set(runSpecKey(o.run), JSON.stringify({ ...portable, data: o.hashes }));
    const queue = new Queue(TRIAL_QUEUE, { connection: redis });
    const eventsConnection = redis.duplicate();
    const events = new QueueEvents(TRIAL_QUEUE, { connection: eventsConnection });
    events.on('error', () => {});
    await events.waitUntilReady();
    return new QueueExecutor(redis, eventsConnection, queue, events, o.run, o.dataHash, url);
  }

  async run(jobs: readonly TrialJob[], range: BarRange | undefined, onResult: (job: TrialJob, outcome: TrialOutcome) => void, signal?: AbortSignal): Promise<void> {
    const pending = new Map(jobs.map((j) => [j.id, j]));
    const take = (id: string, bytes: Buffer | null) => {
      const job = pending.get(id);
      if (!job || bytes === null) return;
      pending.delete(id);
      onResult(job, outcomeFromBytes(bytes));
    };
    // Listen before looking at stored results, so nothing finishing in between is missed.
    let failure: Error | null = null;
    let wake = () => {};
    // Jobs reported complete since the last look: only their trials are read then.
    const completed: string[] = [];
    const onCompleted = ({ jobId }: { jobId: string }) => {
      if (!ours.has(jobId)) return;
      completed.push(jobId);
      wake();
    };
    const onFailed = async ({ jobId, failedReason }: { jobId: string; failedReason: string }) => {
      if (!ours.has(jobId)) return;
      const job = await this.queue.getJob(jobId);
      if (job && job.attemptsMade >= ATTEMPTS) {
        failure = new Error(`trials failed on a worker after ${ATTEMPTS} attempts: ${failedReason}`);
        wake();
      }
    };
    const ours = new Map<string, string[]>();
    this.events.on('completed', onCompleted);
    this.events.on('failed', onFailed);
    try {
      await this.collect([...pending.keys()], take);
      // Up to 64 trials a job (a few ms of work each): fewer round trips to Redis per trial, while
      // at least ~16 jobs keep every worker busy to the end (the optimiser queues a grid's next
      // batch behind this one, so only the run's last jobs leave a worker idle).
      const per = Math.max(1, Math.min(64, Math.floor(pending.size / 16)));
      const rest = [...pending.values()];
      const bulk = [];
      for (let k = 0; k < rest.length; k += per) {
        const trials = rest.slice(k, k + per);
        const jobId = `${this.run_.slice(0, 16)}-${createHash('sha256').update(trials.map((t) => t.id).join()).digest('hex').slice(0, 24)}`;
        ours.set(jobId, trials.map((t) => t.id));
        const data: TrialJobData = { run: this.run_, data: this.dataHash, range: range ?? null, trials };
        bulk.push({ name: 'trials', data, opts: { jobId, attempts: ATTEMPTS, backoff: { type: 'fixed', delay: 500 }, removeOnComplete: 1_000, removeOnFail: false } });
      }
      for (let k = 0; k < bulk.length; k += 500) await this.queue.addBulk(bulk.slice(k, k + 500));
      // Jobs of ours left failed by an earlier run (a worker lacked the plugin, say): try them again.
      for (const job of await this.queue.getJobs(['failed'])) if (job.id && ours.has(job.id)) await job.retry();
      while (pending.size > 0 && !signal?.aborted) {
        if (failure) throw failure;
        // Completion events wake the loop at once; the timeout is a fallback that also picks up
        // results stored by jobs that completed before this coordinator started listening.
        let timedOut = false;
        if (completed.length === 0) {
          await new Promise<void>((resolve) => {
            const timer = setTimeout(() => {
              timedOut = true;
              resolve();
            }, 1_000);
            wake = () => {
              clearTimeout(timer);
              resolve();
            };
            signal?.addEventListener('abort', wake, { once: true });
          });
        }
        const ids = timedOut ? [...pending.keys()] : completed.splice(0).flatMap((jobId) => ours.get(jobId) ?? []);
        await this.collect(ids, take);
      }
      if (failure) throw failure;
    } finally {
      this.events.off('completed', onCompleted);
      this.events.off('failed', onFailed);
    }
  }

  /** Reports every stored result among `ids`. */
  private async collect(ids: readonly string[], take: (id: string, bytes: Buffer | null) => void): Promise<void> {
    for (let k = 0; k < ids.length; k += 2_000) {
      const slice = ids.slice(k, k + 2_000);
      const values = await this.redis.hmgetBuffer(resultsKey(this.run_), ...slice);
      slice.forEach((id, i) => take(id, values[i]));
    }
  }

  async close(): Promise<void> {
    // BullMQ leaves connections it was given open: close them, or the process would not exit.
    await this.events.close();
    await this.queue.close();
    this.eventsConnection.disconnect();
    this.redis.disconnect();
  }
}
