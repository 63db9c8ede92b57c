export {};
// `npm run bench`: every benchmark, one after another, each printing its own side-by-side
// ratios. Benchmarks are not tests: nothing here passes or fails on speed.
//
// The single-threaded engine benchmarks run pinned to one CPU, the least disturbed one by a
// short calibration loop: on shared 2-vCPU machines one vCPU often shares its core with a
// busy neighbour and runs the same code 1.1-1.8x slower for minutes at a time (both the
// pipeline and its bare loop; their ratio holds). The server and UI benchmarks run unpinned
// (their clients and Chromium need the other cores). BENCH_PIN=0 runs everything unpinned.
import { spawnSync } from 'node:child_process';
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';

const benches = ['./engine.ts', './portfolio.ts', './patterns.ts', './server-load.ts', './memory-budget.ts', './ui-flood.ts', './optimize.ts'];
const pinned = new Set(['./engine.ts', './portfolio.ts', './patterns.ts']);
const only = process.argv.slice(2);
const inPinnedChild = process.env.BENCH_PINNED !== undefined;

/** A fixed CPU-bound loop (arithmetic over a typed array, short-lived objects), timed in ms. */
const CALIBRATION = `
const a = new Float64Array(1 << 16); for (let i = 0; i < a.length; i++) a[i] = Math.sin(i);
let s = 0, keep = null; const t0 = process.hrtime.bigint();
for (let r = 0; r < 40; r++) for (let i = 30; i < a.length; i++) { s += a[i] - a[i - 30]; if ((i & 255) === 0) keep = { s, i }; }
console.log(Number(process.hrtime.bigint() - t0) / 1e6, keep ? '' : s);`;

/** The CPU whose calibration loop runs fastest (median of three), or null when pinning is off or impossible. */
function quietestCpu(): { cpu: number; report: string } | null {
  if (process.platform !== 'linux' || process.env.BENCH_PIN === '0' || availableParallelism() < 2) return null;
  if (spawnSync('taskset', ['-V']).status !== 0) return null;
  const medians: number[] = [];
  for (let cpu = 0; cpu < availableParallelism(); cpu++) {
    const times: number[] = [];
    for (let k = 0; k < 3; k++) {
      const r = spawnSync('taskset', ['-c', String(cpu), process.execPath, '-e', CALIBRATION], { encoding: 'utf8' });
      const ms = Number.parseFloat(r.stdout);
      if (r.status !== 0 || !Number.isFinite(ms)) return null;
      times.push(ms);
    }
    medians.push(times.sort((x, y) => x - y)[1]);
  }
  const cpu = medians.indexOf(Math.min(...medians));
  return { cpu, report: medians.map((ms, k) => `cpu${k} ${ms.toFixed(0)} ms`).join(', ') };
}

const pin = inPinnedChild ? null : quietestCpu();
for (const path of benches) {
  if (only.length && !only.some((o) => path.includes(o))) continue;
  if (pin && pinned.has(path)) {
    console.log(`\n(${path.slice(2)} pinned to CPU ${pin.cpu}, the quietest by a calibration loop: ${pin.report}; BENCH_PIN=0 to run unpinned)`);
    const child = spawnSync('taskset', ['-c', String(pin.cpu), process.execPath, ...process.execArgv, fileURLToPath(import.meta.url), path.slice(2)], {
      stdio: 'inherit', env: { ...process.env, BENCH_PINNED: String(pin.cpu) },
    });
    if (child.status !== 0) process.exitCode = 1;
    continue;
  }
  try {
    const mod = (await import(path)) as { main?: () => Promise<void> };
    if (typeof mod.main !== 'function') {
      console.log(`\n== ${path}: no main() exported, skipped ==`);
      continue;
    }
    await mod.main();
  } catch (err) {
    console.log(`\n== ${path} failed: ${(err as Error).stack ?? err} ==`);
    process.exitCode = 1;
  }
}
