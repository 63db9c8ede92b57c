// Runs every *.test.ts file under tests/ in its own Node process (tsx), one more at a time than
// the machine has cores (TEST_JOBS=N sets it), and prints one closing line "N passed, N failed"
// summed over uvu's per-file totals.
// The longest files start first (their seconds in tests/timings.json, from an earlier run), so
// no long file is left running alone at the end; `TEST_WRITE_TIMINGS=1 npm test` writes that file
// again from a full run.
import { spawn } from 'node:child_process';
import { existsSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
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
/** Seconds each file took in the run that wrote tests/timings.json. */
const timingsFile = join(root, 'tests/timings.json');
const known = existsSync(timingsFile) ? JSON.parse(readFileSync(timingsFile, 'utf8')) : {};
/** A file not timed yet (a new one) is assumed long: started early, it cannot hold up the end. */
const UNKNOWN_SECONDS = 60;
const expected = (file) => known[relative(root, file)] ?? UNKNOWN_SECONDS;
// One file more than the cores: a browser test spends much of its time waiting (a page loading,
// a replay's frames, a server starting, its polls), and a spare file keeps the cores busy then.
// The suite needs about 1,300 CPU seconds; CI's 2 cores took about 900 s of wall time, two files at a time.
const workers = Math.max(1, Math.min(Number(process.env.TEST_JOBS) || cpus().length + 1, 5));
let passed = 0;
let failed = 0;
const broken = [];
/** Each file's wall and CPU seconds, for the closing "slowest files" table. */
const timings = [];

/**
 * CPU seconds (user + system) of this runner's children that have exited, with every process
 * they waited for (servers, Chromium): Linux's cutime + cstime, null without /proc. It grows only
 * when a child is reaped, so its growth since the last exit is the exiting child's CPU (two files
 * ending in the same instant would both count on the first).
 */
function childrenCpu() {
  try {
    const fields = readFileSync('/proc/self/stat', 'utf8').split(') ')[1].split(' ');
    return (Number(fields[13]) + Number(fields[14])) / 100;
  } catch {
    return null;
  }
}
let lastCpu = childrenCpu();

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
    let cpu = null;
    child.once('exit', () => {
      const now = childrenCpu();
      if (now !== null && lastCpu !== null) cpu = now - lastCpu;
      lastCpu = now;
    });
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
      timings.push({ name, seconds, cpu });
      const cpuText = cpu === null ? '' : `, ${cpu.toFixed(1)} s CPU`;
      process.stdout.write(`\n# ${name}: ${ok} passed, ${bad} failed${skipped ? `, ${skipped} skipped` : ''} (${seconds.toFixed(1)} s${cpuText})\n`);
      if (bad > 0 || process.env.TEST_VERBOSE) {
        process.stdout.write(out);
        if (bad > 0) broken.push(name);
      }
      resolve();
    });
  });
}

const suiteStarted = process.hrtime.bigint();
// Longest first, then by name: the same order on every run with the same timings.
const queue = [...files].sort((a, b) => expected(b) - expected(a) || a.localeCompare(b));
await Promise.all(
  Array.from({ length: workers }, async () => {
    while (queue.length) await runFile(queue.shift());
  }),
);
const slowest = [...timings].sort((a, b) => b.seconds - a.seconds).slice(0, 12);
const wall = Number(process.hrtime.bigint() - suiteStarted) / 1e9;
const sum = timings.reduce((s, t) => s + t.seconds, 0);
process.stdout.write(`\nslowest files (wall s, CPU s); ${files.length} files in ${wall.toFixed(0)} s on ${workers} workers, ${sum.toFixed(0)} s summed:\n`);
for (const t of slowest) process.stdout.write(`${t.seconds.toFixed(1).padStart(7)} ${t.cpu === null ? '      -' : t.cpu.toFixed(1).padStart(7)}  ${t.name}\n`);
if (process.env.TEST_WRITE_TIMINGS && filter.length === 0) {
  const rounded = Object.fromEntries(timings.map((t) => [t.name, Math.round(t.seconds * 10) / 10]).sort(([a], [b]) => a.localeCompare(b)));
  writeFileSync(timingsFile, `${JSON.stringify(rounded, null, 2)}\n`);
}
if (broken.length) process.stdout.write(`\nfailing files: ${broken.join(', ')}\n`);
process.stdout.write(`\n${passed} passed, ${failed} failed\n`);
process.exit(failed > 0 || files.length === 0 ? 1 : 0);
