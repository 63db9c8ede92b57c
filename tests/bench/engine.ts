// Engine throughput: the whole backtest pipeline (symbol actor, SMA strategy, governor,
// SimBroker, event bus, metrics) on USDCHF H1 tiled to a million bars and more, fed in chunks
// (the engine streams them through its bar window), beside a bare loop computing the same SMA
// crossover on the same chunks in the same run. The tiled bars are built once, before timing:
// making test data is not part of the pipeline. Prints bars/s for both, their ratio, the same run
// without the Strategy Tester report (`report: false`) and with its signals dropped, and heap
// growth as a generated stream grows (flat = streaming). BENCH_ROUNDS (15), BENCH_WARM (5 warm-up
// runs) and BENCH_VERBOSE (print every round) tune it.
import { loadHistory } from '../../engine/data/load-history.ts';
import { tileChunks, tileSeries } from '../../engine/data/tile.ts';
import { runBacktest } from '../../engine/backtest/backtest-runner.ts';
import { smaCrossover } from '../../plugins/sma-crossover/index.ts';
import type { BarSeries } from '../../engine/model/bar.ts';
import type { LogEvent } from '../../protocol/index.ts';

/** The SMA(10/30) crossover with next-open fills, reversals and fixed stops, as a bare loop. */
function bareLoop(chunks: Iterable<BarSeries>): { bars: number; trades: number } {
  const ring = new Float64Array(32);
  let bars = 0, trades = 0, sumFast = 0, sumSlow = 0, prevDiff = 0;
  let pos = 0, entry = 0, sl = 0, tp = 0, pending = 0, pendingSl = 0, pendingTp = 0, pnl = 0;
  for (const c of chunks) {
    for (let j = 0; j < c.length; j++) {
      const o = c.open[j], h = c.high[j], l = c.low[j], close = c.close[j];
      if (pending !== 0) {
        if (pos !== 0) pnl += pos * (o - entry);
        pos = pending; entry = o; sl = pendingSl; tp = pendingTp; pending = 0; trades++;
      }
      if (pos === 1 && (l <= sl || h >= tp)) { pnl += (l <= sl ? sl : tp) - entry; pos = 0; }
      else if (pos === -1 && (h >= sl || l <= tp)) { pnl += entry - (h >= sl ? sl : tp); pos = 0; }
      const k = bars & 31;
      sumFast += close; sumSlow += close;
      if (bars >= 10) sumFast -= ring[(bars - 10) & 31];
      if (bars >= 30) sumSlow -= ring[(bars - 30) & 31];
      ring[k] = close;
      bars++;
      if (bars < 30) continue;
      const diff = sumFast / 10 - sumSlow / 30;
      const prev = prevDiff;
      prevDiff = diff;
      if (bars === 30) continue;
      const dir = prev <= 0 && diff > 0 ? 1 : prev >= 0 && diff < 0 ? -1 : 0;
      if (dir !== 0 && dir !== pos) { pending = dir; pendingSl = close - dir * 0.005; pendingTp = close + dir * 0.01; }
    }
  }
  return { bars, trades: trades + (pnl > Infinity ? 1 : 0) };
}

/** The same SMA computation through the same pipeline, with its signals dropped: the bar path alone. */
const smaSilent = { ...smaCrossover, id: 'sma-silent', onBar: (ctx: Parameters<NonNullable<typeof smaCrossover.onBar>>[0]) => void smaCrossover.onBar!(ctx) };

function pipeline(chunks: Iterable<BarSeries>, target: number, strategy: typeof smaCrossover = smaCrossover, report = true): { bars: number; events: number; trades: number } {
  let events = 0, trades = 0;
  const onEvent = (e: LogEvent) => {
    events++;
    if (e.event_type === 'TRADE_ENTRY') trades++;
  };
  const r = runBacktest({ symbol: 'USDCHF', series: chunks, totalBars: target, strategy, onEvent, report });
  return { bars: r.bars, events, trades };
}

/** The tiled history as 65,536-bar chunks (views of one series, built once). */
function chunksOf(series: BarSeries, size = 65_536): BarSeries[] {
  const out: BarSeries[] = [];
  for (let from = 0; from < series.length; from += size) {
    const to = Math.min(series.length, from + size);
    out.push({
      symbol: series.symbol, timeframe: series.timeframe, length: to - from,
      time: series.time.subarray(from, to), open: series.open.subarray(from, to), high: series.high.subarray(from, to),
      low: series.low.subarray(from, to), close: series.close.subarray(from, to), volume: series.volume.subarray(from, to),
    });
  }
  return out;
}

function heapMb(): number {
  (globalThis as { gc?: () => void }).gc?.();
  return process.memoryUsage().heapUsed / 1e6;
}

function time<T>(fn: () => T): { result: T; seconds: number } {
  const t0 = process.hrtime.bigint();
  const result = fn();
  return { result, seconds: Number(process.hrtime.bigint() - t0) / 1e9 };
}

export async function main(): Promise<void> {
  const { series } = loadHistory({ symbol: 'USDCHF', timeframe: 'H1' });
  const target = Number(process.env.BENCH_BARS ?? 1_000_000);
  console.log(`\n== engine: USDCHF H1 (${series.length} real bars) tiled to ${target.toLocaleString('en-US')} bars, SMA(10/30) ==`);
  const chunks = chunksOf(tileSeries(series, target));
  // Warm up on the full input until the JIT settles (its later tiers and re-optimisations land
  // during the first few runs), as benchmark harnesses do before they time anything.
  const warmRuns = Number(process.env.BENCH_WARM ?? 5);
  // Short calls first, so both loops are compiled on entry rather than only through on-stack
  // replacement inside one long call (which left the bare loop 1.5x slower in some runs).
  for (let k = 0; k < 50; k++) bareLoop(chunks.slice(0, 1));
  for (let k = 0; k < warmRuns; k++) {
    pipeline(chunks, target);
    bareLoop(chunks);
  }
  const rounds = Number(process.env.BENCH_ROUNDS ?? 15);
  let bestPipe = Infinity, bestBare = Infinity, bestSilent = Infinity, bestNoReport = Infinity;
  let pipeResult = { bars: 0, events: 0, trades: 0 };
  let bareResult = { bars: 0, trades: 0 };
  for (let r = 0; r < rounds; r++) {
    // Alternate the two so machine noise hits both alike.
    const p = time(() => pipeline(chunks, target));
    const b = time(() => bareLoop(chunks));
    bestPipe = Math.min(bestPipe, p.seconds);
    if (process.env.BENCH_VERBOSE) console.log(`  round ${r}: pipeline ${(p.seconds * 1000).toFixed(0)} ms, bare loop ${(b.seconds * 1000).toFixed(0)} ms`);
    bestBare = Math.min(bestBare, b.seconds);
    pipeResult = p.result;
    bareResult = b.result;
  }
  // The same run without the trade ledger and the Strategy Tester report (`report: false`): what
  // the report costs, and the pipeline as it was before the report existed. After the pipeline
  // rounds too (a call site that sometimes has no ledger is another shape).
  for (let r = 0; r < 5; r++) bestNoReport = Math.min(bestNoReport, time(() => pipeline(chunks, target, smaCrossover, false)).seconds);
  // The bar path last: a second strategy through the same code makes its call sites
  // polymorphic, which would slow the pipeline rounds above if interleaved with them.
  for (let r = 0; r < 3; r++) bestSilent = Math.min(bestSilent, time(() => pipeline(chunks, target, smaSilent as typeof smaCrossover)).seconds);
  const pipeRate = pipeResult.bars / bestPipe;
  const bareRate = bareResult.bars / bestBare;
  console.log(`pipeline  ${Math.round(pipeRate).toLocaleString('en-US').padStart(13)} bars/s  (${pipeResult.trades} trades, ${pipeResult.events} events through the bus)`);
  console.log(`bare loop ${Math.round(bareRate).toLocaleString('en-US').padStart(13)} bars/s  (${bareResult.trades} trades)`);
  console.log(`no report ${Math.round(target / bestNoReport).toLocaleString('en-US').padStart(13)} bars/s  (the same run with report: false: no trade ledger, MFE/MAE or Strategy Tester report)`);
  console.log(`bar path  ${Math.round(target / bestSilent).toLocaleString('en-US').padStart(13)} bars/s  (same pipeline and SMA, signals dropped: the per-bar cost without trades)`);
  console.log(`pipeline / bare loop = ${(pipeRate / bareRate).toFixed(4)}   target: pipeline >= 5,000,000 bars/s -> ${pipeRate >= 5e6 ? 'met' : 'NOT met'}`);
  console.log(`pipeline / backtrader (~25,000 bars/s measured on this machine class) = ${(pipeRate / 25_000).toFixed(0)}x`);

  const stream = (bars: number) => tileChunks(series, bars, 65_536, { reuseBuffer: true });
  const before = heapMb();
  pipeline(stream(target), target);
  const at1 = heapMb();
  pipeline(stream(target * 4), target * 4);
  const at4 = heapMb();
  console.log(`heap after ${target.toLocaleString('en-US')} bars: ${(at1 - before).toFixed(1)} MB growth; after ${(target * 4).toLocaleString('en-US')} bars: ${(at4 - before).toFixed(1)} MB growth (flat = streaming)`);
}

if (import.meta.url === `file://${process.argv[1]}`) await main();
