import { Redis } from 'ioredis';
import { QueueUnreachableError } from './queue-error.ts';

/** The BullMQ queue every coordinator and worker of a Redis uses. */
export const TRIAL_QUEUE = 'tradeloom-trials';
/** The bars of a data set, by hash (see `encodeSeries`). */
export const dataKey = (hash: string) => `tradeloom:data:${hash}`;
/** A run's spec (JSON), by run key. */
export const runSpecKey = (run: string) => `tradeloom:run:${run}`;
/** A run's finished trials: a hash of trial id -> outcome JSON. Written once per trial id. */
export const resultsKey = (run: string) => `tradeloom:results:${run}`;

export { QueueUnreachableError } from './queue-error.ts';

/**
 * A connection for BullMQ (no per-command retry limit, as BullMQ requires), after a probe that
 * fails fast with a clear error when nothing answers at `url`.
 */
export async function connectRedis(url: string): Promise<Redis> {
  if (!/^rediss?:\/\//.test(url)) throw new QueueUnreachableError(`--queue "${url}": expected redis://host:port`);
  const probe = new Redis(url, { lazyConnect: true, connectTimeout: 3_000, maxRetriesPerRequest: 0, retryStrategy: () => null, enableOfflineQueue: false });
  probe.on('error', () => {});
  try {
    await probe.connect();
    await probe.ping();
  } catch (err) {
    throw new QueueUnreachableError(`cannot reach Redis at ${url}: ${(err as Error).message || 'connection refused'}`);
  } finally {
    probe.disconnect();
  }
  const redis = new Redis(url, { maxRetriesPerRequest: null });
  redis.on('error', (err) => process.stderr.write(`redis ${url}: ${err.message}\n`));
  return redis;
}
