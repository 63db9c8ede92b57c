// Runs every *.test.ts file under tests/ in its own Node process (tsx), two at a time, and
// prints one closing line "N passed, N failed" summed over uvu's per-file totals.
import { spawn } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { cpus } from 'node:os';

const root = new URL('..', import.meta.url).pathname;
const filter = process.argv.slice(2);

function walk(dir) {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (name === 'node_modules') return [];
    return statSync(path).isDirectory() ? walk(path) : name.endsWith('.test.ts') ? [path] : [];
  });
}

const files = walk(join(root, 'tests'))
  .filter((f) => filter.length === 0 || filter.some((p) => f.includes(p)))
  .sort();
const workers = Math.max(1, Math.min(Number(process.env.TEST_JOBS) || cpus().length, 4));
let passed = 0;
let failed = 0;
const broken = [];

function runFile(file) {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', file], {
      cwd: root,
      env: { ...process.env, FORCE_COLOR: '0', NO_COLOR: '1' },
    });
    let out = '';
    const started = process.hrtime.bigint();
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (out += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), 10 * 60_000);
    child.on('close', (code) => {
      clearTimeout(timer);
      const total = [...out.matchAll(/Total:\s+(\d+)/g)].reduce((s, m) => s + Number(m[1]), 0);
      const ok = [...out.matchAll(/Passed:\s+(\d+)/g)].reduce((s, m) => s + Number(m[1]), 0);
      const skipped = [...out.matchAll(/Skipped:\s+(\d+)/g)].reduce((s, m) => s + Number(m[1]), 0);
      let bad = Math.max(0, total - ok);
      // A file that crashed or exited non-zero without a failing test still counts as a failure.
      if (code !== 0 && bad === 0) bad = 1;
      passed += ok;
      failed += bad;
      const name = relative(root, file);
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      process.stdout.write(`\n# ${name}: ${ok} passed, ${bad} failed${skipped ? `, ${skipped} skipped` : ''} (${seconds.toFixed(1)} s)\n`);
      if (bad > 0 || process.env.TEST_VERBOSE) {
        process.stdout.write(out);
        if (bad > 0) broken.push(name);
      }
      resolve();
    });
  });
}

const queue = [...files];
await Promise.all(
  Array.from({ length: workers }, async () => {
    while (queue.length) await runFile(queue.shift());
  }),
);
if (broken.length) process.stdout.write(`\nfailing files: ${broken.join(', ')}\n`);
process.stdout.write(`\n${passed} passed, ${failed} failed\n`);
process.exit(failed > 0 || files.length === 0 ? 1 : 0);
