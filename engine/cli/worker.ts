import { parseArgs } from 'node:util';
import { connectRedis, QueueUnreachableError, TRIAL_QUEUE } from '../optimize/queue/queue-keys.ts';
import { startQueueWorker } from '../optimize/queue/queue-worker.ts';

const USAGE = `usage: npm run worker -- --queue redis://host:port [--lock-ms N]
  Runs optimisation trials from the BullMQ queue "${TRIAL_QUEUE}" on that Redis until Ctrl-C.
  Start one per core on each machine; each needs this project (and any plugin the optimisation uses).
  --lock-ms N   how long a job stays claimed without renewal (default 30000): a killed worker's
                trials go to another worker after about this long`;

async function main(): Promise<number> {
  let args;
  try {
    args = parseArgs({ options: { queue: { type: 'string' }, 'lock-ms': { type: 'string' }, help: { type: 'boolean', default: false } } }).values;
  } catch (err) {
    console.error(`worker: ${(err as Error).message}\n${USAGE}`);
    return 2;
  }
  if (args.help) {
    console.log(USAGE);
    return 0;
  }
  if (!args.queue) {
    console.error(`worker: --queue is required\n${USAGE}`);
    return 2;
  }
  const lockMs = args['lock-ms'] === undefined ? undefined : Number(args['lock-ms']);
  if (lockMs !== undefined && !(lockMs >= 1_000)) {
    console.error(`worker: --lock-ms "${args['lock-ms']}" must be a number of milliseconds, at least 1000`);
    return 2;
  }
  let redis;
  try {
    redis = await connectRedis(args.queue);
  } catch (err) {
    console.error(`worker: ${(err as Error).message}`);
    return err instanceof QueueUnreachableError ? 2 : 1;
  }
  let done = 0;
  const worker = startQueueWorker(redis, { url: args.queue, baseDir: process.cwd(), lockMs, onJob: (_, n) => (done += n) });
  worker.on('failed', (job, err) => console.error(`worker: job ${job?.id}: ${err.message}`));
  await worker.waitUntilReady();
  console.log(`worker ${process.pid}: running trials from "${TRIAL_QUEUE}" at ${args.queue} (Ctrl-C to stop)`);
  await new Promise<void>((resolve) => {
    const stop = () => resolve();
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
  await worker.close();
  redis.disconnect();
  console.log(`worker ${process.pid}: stopped after ${done.toLocaleString('en-US')} trials`);
  return 0;
}

process.exitCode = await main();
