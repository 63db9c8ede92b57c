// Benchmark (prints, never asserts): candlestick patterns and support/resistance per bar over
// the USDCHF H1 history tiled to 1,000,000 bars, and patterns-sr through the whole backtest
// pipeline (SymbolActor, governor, SimBroker, event bus) beside the SMA reference and a bare
// loop running the same indicators. Target: patterns-sr >= 1,000,000 bars/s end to end.
//   npx tsx tests/bench/patterns.ts
import { fileURLToPath } from 'node:url';
import { resolve } from 'node:path';
import * as ti from 'technicalindicators';
import { loadHistory } from '../../engine/data/load-history.ts';
import { tileSeries } from '../../engine/data/tile.ts';
import { runBacktest } from '../../engine/backtest/backtest-runner.ts';
import type { BarSeries } from '../../engine/plugin-api.ts';
import { detectPatternMask, referencePatternMask } from '../../plugins/lib/candlestick-patterns/index.ts';
import { SupportResistance } from '../../plugins/lib/support-resistance/index.ts';
import { patternsSr } from '../../plugins/patterns-sr/index.ts';
import { smaCrossover } from '../../plugins/sma-crossover/index.ts';

const TARGET_BARS = 1_000_000;

/** Best of `runs` timings (the least disturbed by GC and the scheduler), in bars per second. */
function rate(bars: number, runs: number, body: () => unknown): number {
  let best = Infinity;
  for (let r = 0; r < runs; r++) {
    const t0 = performance.now();
    body();
    best = Math.min(best, performance.now() - t0);
  }
  return (bars / best) * 1000;
}

const fmt = (x: number) => `${(x / 1e6).toFixed(2)} M bars/s`;

export function main(): void {
  const { series: h1 } = loadHistory({ symbol: 'USDCHF', timeframe: 'H1' });
  const big: BarSeries = tileSeries(h1, TARGET_BARS);
  console.log(`USDCHF H1: ${h1.length} bars, tiled to ${big.length}`);

  let sink = 0;
  const fused = rate(big.length, 3, () => { for (let i = 0; i < big.length; i++) sink ^= detectPatternMask(big, i); });
  const reference = rate(big.length, 2, () => { for (let i = 0; i < big.length; i++) sink ^= referencePatternMask(big, i); });
  const sample = 20_000;
  const window = { open: [0, 0], high: [0, 0], low: [0, 0], close: [0, 0] };
  const library = rate(sample, 2, () => {
    for (let i = 1; i <= sample; i++) {
      for (let k = 0; k < 2; k++) { window.open[k] = h1.open[i - 1 + k]; window.high[k] = h1.high[i - 1 + k]; window.low[k] = h1.low[i - 1 + k]; window.close[k] = h1.close[i - 1 + k]; }
      if (ti.bullishengulfingpattern(window)) sink++;
    }
  });
  console.log('\ncandlestick patterns, all 19 per bar');
  console.log(`  fused one-pass detector      ${fmt(fused)}`);
  console.log(`  one function per pattern    ${fmt(reference)}   (fused is ${(fused / reference).toFixed(1)}x)`);
  console.log(`  technicalindicators, 1 pattern (bullish engulfing) ${fmt(library)}   (fused, all 19, is ${(fused / library).toFixed(1)}x)`);

  const sr = rate(big.length, 3, () => {
    const levels = new SupportResistance({ fractalBars: 3, toleranceAtr: 0.5 });
    for (let i = 0; i < big.length; i++) levels.update(big, i);
    sink += levels.levelCount;
  });
  const both = rate(big.length, 3, () => {
    const levels = new SupportResistance({ fractalBars: 3, toleranceAtr: 0.5 });
    for (let i = 0; i < big.length; i++) {
      levels.update(big, i);
      if (detectPatternMask(big, i) !== 0) sink += levels.nearestSupport(big.close[i], 2) > 0 ? 1 : 0;
    }
  });
  console.log('\nsupport/resistance (fractal swings, clustering, ATR), per bar');
  console.log(`  SupportResistance.update     ${fmt(sr)}`);
  console.log(`  patterns + levels + lookup   ${fmt(both)}   (the bare loop under patterns-sr)`);

  console.log('\nwhole pipeline: runBacktest (SymbolActor, governor, SimBroker, event bus, metrics)');
  let events = 0;
  for (const strategy of [patternsSr, smaCrossover]) {
    let trades = 0;
    // One untimed run to warm the JIT, then the best of five.
    const r = rate(big.length, 6, () => {
      events = 0;
      trades = runBacktest({ symbol: 'USDCHF', series: big, strategy, onEvent: () => { events++; } }).complete.total_trades;
    });
    console.log(`  ${strategy.id.padEnd(28)} ${fmt(r)}   ${trades} trades, ${events} events   (bare loop / pipeline: ${(both / r).toFixed(1)}x; target >= 1.00 M bars/s)`);
  }
  if (sink === 0.5) console.log(sink);
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) main();
