import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { startRedis } from '../../kit/redis-server.ts';

const args = ['--symbol', 'USDCHF', '--timeframe', 'H1', '--from', '1997-01-01', '--to', '1998-12-31', '--param', 'fast=4:12:2', '--param', 'slow=20:60:10', '--objective', 'sharpe'];
const optimize = (extra: string[]) => spawnSync(process.execPath, ['--import', 'tsx', 'engine/cli/optimize.ts', ...args, ...extra], { encoding: 'utf8' });
const trials = (dir: string) => readFileSync(join(dir, 'trials.csv'), 'utf8');

function startWorker(url: string): ChildProcess {
  // A short lock so a killed worker's job is retried within seconds rather than 30.
  const child = spawn(process.execPath, ['--import', 'tsx', 'engine/cli/worker.ts', '--queue', url, '--lock-ms', '2000'], { stdio: ['ignore', 'pipe', 'pipe'] });
  child.stderr!.on('data', () => {});
  return child;
}

const ready = (child: ChildProcess) => new Promise<void>((resolve) => child.stdout!.on('data', (d) => String(d).includes('running trials') && resolve()));

test('two queue workers, one killed mid-run, give the local pool\'s results; a restarted coordinator continues from Redis', async () => {
  const redis = await startRedis();
  const dirs = [0, 1, 2].map(() => mkdtempSync(join(tmpdir(), 'tradeloom-queue-')));
  const workers: ChildProcess[] = [];
  const client = new Redis(redis.url);
  try {
    const local = optimize(['--workers', '2', '--out', dirs[0]]);
    assert.is(local.status, 0, local.stderr);

    workers.push(startWorker(redis.url), startWorker(redis.url));
    await Promise.all(workers.map(ready));
    const coordinator = spawn(process.execPath, ['--import', 'tsx', 'engine/cli/optimize.ts', ...args, '--queue', redis.url, '--out', dirs[1]], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    coordinator.stdout!.on('data', (d) => (out += d));
    coordinator.stderr!.on('data', (d) => (err += d));
    const exited = new Promise<number | null>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`the coordinator did not finish:\n${out}\n${err}`)), 300_000);
      coordinator.once('exit', (code) => {
        clearTimeout(timer);
        resolve(code);
      });
    });
    // Kill the first worker as soon as the workers have stored some results: it is mid-job.
    for (;;) {
      const keys = await client.keys('tradeloom:results:*');
      if (keys.length > 0 && (await client.hlen(keys[0])) >= 3) break;
      await new Promise((r) => setTimeout(r, 20));
    }
    workers[0].kill('SIGKILL');
    assert.is(await exited, 0, err);
    assert.match(out, /25 trials in/);
    assert.is(trials(dirs[1]), trials(dirs[0]), 'the same ranked trials, metrics and ids as the local pool');
    const [key] = await client.keys('tradeloom:results:*');
    assert.is(await client.hlen(key), 25, 'each trial stored once');

    // A coordinator started again finds every trial stored and queues nothing new.
    workers[1].kill('SIGKILL');
    const again = optimize(['--queue', redis.url, '--out', dirs[2]]);
    assert.is(again.status, 0, again.stderr);
    assert.is(trials(dirs[2]), trials(dirs[0]));
  } finally {
    client.disconnect();
    for (const w of workers) w.kill('SIGKILL');
    await redis.stop();
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  }
});

test('under --model ticks a queue worker reads the ticks from Redis with the bars: the same trials as the local pool, not the bars model\'s', async () => {
  const redis = await startRedis();
  const dirs = [0, 1, 2].map(() => mkdtempSync(join(tmpdir(), 'tradeloom-queue-ticks-')));
  const worker = startWorker(redis.url);
  try {
    const few = (extra: string[]) => spawnSync(process.execPath, ['--import', 'tsx', 'engine/cli/optimize.ts', '--symbol', 'USDCHF', '--timeframe', 'H1',
      '--from', '1997-01-01', '--to', '1997-12-31', '--param', 'fast=4,8', '--param', 'slow=30', ...extra], { encoding: 'utf8' });
    const local = few(['--model', 'ticks', '--workers', '2', '--out', dirs[0]]);
    assert.is(local.status, 0, local.stderr);
    const bars = few(['--workers', '2', '--out', dirs[1]]);
    assert.is(bars.status, 0, bars.stderr);
    await ready(worker);
    const queued = few(['--model', 'ticks', '--queue', redis.url, '--out', dirs[2]]);
    assert.is(queued.status, 0, queued.stderr);
    assert.is(trials(dirs[2]), trials(dirs[0]));
    // The final balances (column 16) differ from the bars model's: the ticks were walked.
    const balances = (dir: string) => trials(dir).trim().split('\n').slice(1).map((row) => row.split(',')[15]).sort().join(' ');
    assert.is.not(balances(dirs[2]), balances(dirs[1]));
  } finally {
    worker.kill('SIGKILL');
    await redis.stop();
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  }
});

test('a worker on an unreachable Redis says so and exits 2', () => {
  const r = spawnSync(process.execPath, ['--import', 'tsx', 'engine/cli/worker.ts', '--queue', 'redis://127.0.0.1:1'], { encoding: 'utf8' });
  assert.is(r.status, 2);
  assert.match(r.stderr, /cannot reach Redis at redis:\/\/127\.0\.0\.1:1/);
});

test.run();
