// The optimiser at scale: a 10,000-trial SMA grid on USDCHF H1 (the whole history) on a
// worker-thread pool of 1 and 2 threads, and through BullMQ with two worker processes on a
// local redis-server, side by side in one run. Targets: 10,000 trials within 60 s on 2 cores,
// 2/1 scaling >= 1.7, the queue within 1.15x of the local pool's time.
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { loadHistory } from '../../engine/data/load-history.ts';
import { parseParam, ParamSpace } from '../../engine/optimize/param-space.ts';
import { resolveObjective } from '../../engine/optimize/objectives.ts';
import { optimise } from '../../engine/optimize/optimizer.ts';
import type { TrialExecutor } from '../../engine/optimize/executor.ts';
import { PoolExecutor } from '../../engine/optimize/pool-executor.ts';
import { QueueExecutor } from '../../engine/optimize/queue/queue-executor.ts';
import { dataSetHash, hashAll, shareAll } from '../../engine/optimize/shared-series.ts';
import { oneSymbolSpec, resolveRun, runKey } from '../../engine/optimize/run-spec.ts';
import { startRedis } from '../kit/redis-server.ts';

export async function main(): Promise<void> {
  const { series } = loadHistory({ symbol: 'USDCHF', timeframe: 'H1' });
  // 100 fast x 100 slow lengths = 10,000 combinations, all with fast < slow.
  const space = new ParamSpace([parseParam('fast=1:100:1'), parseParam('slow=110:605:5')]);
  const warmup = new ParamSpace([parseParam('fast=1:40:1'), parseParam('slow=610:705:5')]);
  const spec = oneSymbolSpec({ symbol: 'USDCHF', timeframe: 'H1' });
  const bars = new Map([['USDCHF', series]]);
  const inputs = await resolveRun(spec, bars);
  const objective = resolveObjective('net-profit', inputs.bot.symbols[0].strategy);
  const hashes = hashAll(bars);
  const dataHash = dataSetHash(hashes);
  const shared = shareAll(bars);
  console.log(`\n== optimiser: ${space.size.toLocaleString('en-US')}-trial SMA grid on USDCHF H1, ${series.length.toLocaleString('en-US')} bars ==`);

  // CPU seconds of this process (every thread) and of `others` (worker processes, redis-server):
  // on a shared machine the wall-clock ratios move with the load, CPU per trial much less.
  const cpu = (others: readonly number[]) => {
    const own = process.cpuUsage();
    return (own.user + own.system) / 1e6 + others.reduce((sum, pid) => sum + processCpu(pid), 0);
  };
  const time = async (label: string, executor: TrialExecutor, run: string, others: readonly number[] = []) => {
    // A warm-up grid first (thread start-up, plugin load, JIT), then the timed grid. Each thread
    // or worker process compiles the engine itself, and a trial's once-per-run code (setup, the
    // end-of-run metrics) only gets optimised after hundreds of trials: a thread's first ~20
    // trials cost 5-70x a warm one, the next ~800 about 1.3-1.7x. So 800 warm-up trials (400 per
    // thread on two), on lengths outside the timed grid, and the cold cost printed on its own.
    const w0 = performance.now();
    await optimise({ space: warmup, valid: () => true, search: { method: 'grid' }, objective, executor, run: `${run}-warmup` });
    const warm = (performance.now() - w0) / 1000;
    const t0 = performance.now();
    const c0 = cpu(others);
    const r = await optimise({ space, valid: () => true, search: { method: 'grid' }, objective, executor, run });
    const s = (performance.now() - t0) / 1000;
    const c = cpu(others) - c0;
    console.log(`${label.padEnd(34)} ${r.ranked.length.toLocaleString('en-US')} trials in ${s.toFixed(1)} s: ${(r.ranked.length / s).toFixed(0)} trials/s, ${((r.ranked.length * series.length) / s / 1e6).toFixed(1)} M bars/s aggregate; CPU ${((c * 1000) / r.ranked.length).toFixed(2)} ms/trial on ${(c / s).toFixed(2)} cores (after ${warmup.size} warm-up trials in ${warm.toFixed(1)} s)`);
    return { seconds: s, warm, best: r.ranked[0] };
  };

  const pool = async (threads: number) => {
    const executor = new PoolExecutor(shared, spec, threads);
    try {
      return await time(`local pool, ${threads} thread${threads > 1 ? 's' : ''}`, executor, runKey(spec, dataHash));
    } finally {
      await executor.close();
    }
  };
  const one = await pool(1);
  const two = await pool(2);
  console.log(`scaling 2/1: ${(one.seconds / two.seconds).toFixed(2)}x (target >= 1.7); 10,000 trials on 2 threads: ${two.seconds.toFixed(1)} s, ${(two.seconds + two.warm).toFixed(1)} s with the warm-up (target <= 60 s)`);

  const redis = await startRedis();
  const workers: ChildProcess[] = [];
  try {
    for (let k = 0; k < 2; k++) {
      const w = spawn(process.execPath, ['--import', 'tsx', 'engine/cli/worker.ts', '--queue', redis.url], { stdio: ['ignore', 'pipe', 'inherit'] });
      workers.push(w);
      await new Promise<void>((resolve) => w.stdout!.on('data', (d) => String(d).includes('running trials') && resolve()));
    }
    // A fresh run key each time so nothing comes from stored results.
    const run = `${runKey(spec, dataHash)}-bench-${Date.now()}`;
    const executor = await QueueExecutor.connect(redis.url, { spec, series: bars, hashes, dataHash, run });
    try {
      const queued = await time('BullMQ, 2 worker processes', executor, run, [redis.pid, ...workers.map((w) => w.pid!)]);
      console.log(`queue / local pool (2 threads): ${(queued.seconds / two.seconds).toFixed(2)}x the time (target <= 1.15x); same best: ${JSON.stringify(queued.best.params) === JSON.stringify(two.best.params)}`);
    } finally {
      await executor.close();
    }
  } finally {
    for (const w of workers) w.kill('SIGTERM');
    await redis.stop();
  }
}

/** User + system CPU seconds of a process, all its threads (Linux /proc; 0 elsewhere). */
function processCpu(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return 0;
  }
}
