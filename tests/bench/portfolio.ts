// `npm run bench` part: a portfolio of three symbols through the whole pipeline (one account,
// one governor, one simulator, bars merged by close time), beside a single-symbol run of the
// same bars in the same process, alternated round by round so machine noise hits both alike.
import { loadHistory } from '../../engine/data/load-history.ts';
import { tileSeries } from '../../engine/data/tile.ts';
import { runBacktest } from '../../engine/backtest/backtest-runner.ts';
import { runPortfolio } from '../../engine/backtest/portfolio-backtest.ts';
import { resolveSymbolSpec } from '../../engine/model/symbol-spec.ts';
import type { Strategy } from '../../engine/strategy/strategy.ts';
import { smaCrossover } from '../../plugins/sma-crossover/index.ts';

function time<T>(fn: () => T): { result: T; seconds: number } {
  const t0 = process.hrtime.bigint();
  const result = fn();
  return { result, seconds: Number(process.hrtime.bigint() - t0) / 1e9 };
}

export async function main(): Promise<void> {
  const target = Number(process.env.BENCH_BARS ?? 1_000_000);
  const { series: real } = loadHistory({ symbol: 'USDCHF', timeframe: 'H1' });
  // One tiled series serves all three symbols (USDCHF prices under the EURUSD and GBPUSD specs,
  // as the equity-sampling test does): the same bars at the same times, merged in turn.
  const series = tileSeries(real, target);
  const strategy = smaCrossover as Strategy;
  const config = strategy.defaultConfig;
  console.log(`\n== portfolio: 3 symbols x ${target.toLocaleString('en-US')} bars (USDCHF H1 tiled), SMA(10/30), one account and governor ==`);
  const single = () => runBacktest({ symbol: 'USDCHF', series, strategy, strategyConfig: config });
  const portfolio = () => runPortfolio({
    symbols: ['USDCHF', 'EURUSD', 'GBPUSD'].map((name) => ({ spec: resolveSymbolSpec(name), series, strategy, strategyConfig: config })),
  });
  for (let k = 0; k < Number(process.env.BENCH_WARM ?? 2); k++) {
    single();
    portfolio();
  }
  let bestSingle = Infinity, bestPortfolio = Infinity, singleTrades = 0, portfolioTrades = 0, portfolioBars = 0;
  for (let r = 0; r < Number(process.env.BENCH_ROUNDS ?? 4); r++) {
    const s = time(single);
    const p = time(portfolio);
    if (process.env.BENCH_VERBOSE) console.log(`  round ${r}: single ${(s.seconds * 1000).toFixed(0)} ms, portfolio ${(p.seconds * 1000).toFixed(0)} ms`);
    bestSingle = Math.min(bestSingle, s.seconds);
    bestPortfolio = Math.min(bestPortfolio, p.seconds);
    singleTrades = s.result.complete.total_trades;
    portfolioTrades = p.result.complete.total_trades;
    portfolioBars = p.result.bars;
  }
  const singleRate = target / bestSingle;
  const portfolioRate = portfolioBars / bestPortfolio;
  console.log(`single    ${Math.round(singleRate).toLocaleString('en-US').padStart(13)} bars/s  (${singleTrades} trades)`);
  console.log(`portfolio ${Math.round(portfolioRate).toLocaleString('en-US').padStart(13)} bars/s aggregate (${portfolioBars.toLocaleString('en-US')} bars, ${portfolioTrades} trades; the weekly maximum binds across the three)`);
  console.log(`portfolio / single = ${(portfolioRate / singleRate).toFixed(3)}   target >= 0.8 -> ${portfolioRate / singleRate >= 0.8 ? 'met' : 'NOT met'}`);
}

if (import.meta.url === `file://${process.argv[1]}`) await main();
