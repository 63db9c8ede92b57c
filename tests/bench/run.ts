export {};
// `npm run bench`: every benchmark, one after another, each printing its own side-by-side
// ratios. Benchmarks are not tests: nothing here passes or fails on speed.
const benches = ['./engine.ts', './patterns.ts', './server-load.ts', './ui-flood.ts'];
const only = process.argv.slice(2);

for (const path of benches) {
  if (only.length && !only.some((o) => path.includes(o))) continue;
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
