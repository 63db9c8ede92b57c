import { spawn } from 'node:child_process';

// The CLIs (`engine/cli/*.ts`) as real processes, as `spawnSync(process.execPath, ['--import',
// 'tsx', ...])` runs them, but without blocking: a test with many independent runs (refusals,
// searches into their own folders) has them run two at a time, each checked as before.

/** What `spawnSync(..., { encoding: 'utf8' })` gives back, for the fields the tests read. */
export interface CliResult {
  readonly status: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
}

/**
 * Runs `node --import tsx <script> ...args` in the current directory; `timeoutMs` SIGTERMs it
 * then (as spawnSync's `timeout`: status null, signal SIGTERM).
 */
export function runCli(script: string, args: readonly string[], options: { timeoutMs?: number } = {}): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', script, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    const timer = options.timeoutMs === undefined ? undefined : setTimeout(() => child.kill('SIGTERM'), options.timeoutMs);
    child.once('error', reject);
    child.once('close', (status, signal) => {
      clearTimeout(timer);
      resolve({ status, signal, stdout, stderr });
    });
  });
}

/** Runs every job, at most `concurrency` at a time; the results in the jobs' order. */
export async function inParallel<T>(jobs: readonly (() => Promise<T>)[], concurrency = 2): Promise<T[]> {
  const results: T[] = new Array(jobs.length);
  let next = 0;
  await Promise.all(Array.from({ length: Math.min(concurrency, jobs.length) }, async () => {
    while (next < jobs.length) {
      const i = next++;
      results[i] = await jobs[i]();
    }
  }));
  return results;
}
