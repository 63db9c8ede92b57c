import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { testerStats as statsOfTable, type ReportTrade } from '../../../engine/report/tester-stats.ts';
import { TradeTable } from '../../../engine/report/trade-table.ts';

/** The statistics of trades given as objects (the engine keeps them as a table). */
const testerStats = (deposit: number, trades: ReportTrade[], equity: Parameters<typeof statsOfTable>[2]) => statsOfTable(deposit, TradeTable.from(trades), equity);

// A hand-made run: $1,000 deposit, eight trades. Every figure below is worked out by hand (the
// arithmetic is written next to it) with MT5's definitions, not by calling the code under test.
const H = 3_600_000;
const t0 = Date.UTC(2024, 0, 1, 0);
const trade = (i: number, direction: 1 | -1, pnl: number, hours: number, mfe: number, mae: number): ReportTrade => ({
  symbol: i % 2 ? 'EURUSD' : 'USDCHF', direction, entryTime: t0 + i * 10 * H, exitTime: t0 + i * 10 * H + hours * H, pnl, mfe, mae,
});
const trades: ReportTrade[] = [
  trade(0, 1, 100, 2, 120, -10),   // balance 1100
  trade(1, 1, 50, 4, 60, -20),     // 1150
  trade(2, -1, -200, 6, 10, -210), // 950
  trade(3, -1, -100, 8, 0, -100),  // 850
  trade(4, 1, 0, 2, 5, -5),        // 850 (neither win nor loss: ends both runs)
  trade(5, -1, 300, 4, 310, 0),    // 1150
  trade(6, 1, 250, 6, 260, -30),   // 1400
  trade(7, -1, -50, 8, 20, -60),   // 1350
];
const balances = [1100, 1150, 950, 850, 850, 1150, 1400, 1350];
// Equity dips below the balances between trades: 1000 -> 1120 -> 900 (lowest, the largest fall
// from 1160) -> 1410 (peak) -> 1300.
const equity: Array<[number, number]> = [[t0, 1000], [t0 + H, 1120], [t0 + 2 * H, 1160], [t0 + 3 * H, 900], [t0 + 4 * H, 1410], [t0 + 5 * H, 1300]];

const close = (actual: number | null, expected: number, what: string, eps = 1e-9) => {
  assert.ok(actual !== null && Math.abs(actual - expected) <= eps * Math.max(1, Math.abs(expected)), `${what}: expected ${expected}, got ${actual}`);
};

test('profit, loss, factor, payoff and trade counts of a hand-made trade list match MT5\'s definitions', () => {
  const s = testerStats(1000, trades, equity);
  close(s.grossProfit, 100 + 50 + 300 + 250, 'gross profit');          // 700
  close(s.grossLoss, -(200 + 100 + 50), 'gross loss');                 // -350
  close(s.netProfit, 350, 'net profit');
  close(s.profitFactor, 700 / 350, 'profit factor');                   // 2
  close(s.expectedPayoff, 350 / 8, 'expected payoff');
  assert.is(s.totalTrades, 8);
  assert.is(s.profitTrades, 4);
  assert.is(s.lossTrades, 3);
  assert.is(s.longTrades, 4);
  close(s.longWonPercent, (100 * 3) / 4, 'long won %');               // 100, 50, 250 won; 0 did not
  assert.is(s.shortTrades, 4);
  close(s.shortWonPercent, (100 * 1) / 4, 'short won %');              // only the 300
  close(s.largestProfit, 300, 'largest profit');
  close(s.largestLoss, -200, 'largest loss');
  close(s.averageProfit, 700 / 4, 'average profit');
  close(s.averageLoss, -350 / 3, 'average loss');
});

test('consecutive runs: the longest by count and the richest by money, and their averages', () => {
  const s = testerStats(1000, trades, equity);
  // Win runs: [100, 50], [300, 250]; loss runs: [-200, -100], [-50]. The zero trade splits them.
  assert.is(s.maxConsecutiveWins, 2);
  close(s.maxConsecutiveWinsMoney, 150, 'money of the first longest win run');
  close(s.maximalConsecutiveProfit, 550, 'richest win run');
  assert.is(s.maximalConsecutiveProfitCount, 2);
  assert.is(s.maxConsecutiveLosses, 2);
  close(s.maxConsecutiveLossesMoney, -300, 'money of the longest loss run');
  close(s.maximalConsecutiveLoss, -300, 'largest loss run');
  assert.is(s.maximalConsecutiveLossCount, 2);
  close(s.averageConsecutiveWins, (2 + 2) / 2, 'average win run');
  close(s.averageConsecutiveLosses, (2 + 1) / 2, 'average loss run');
});

test('balance and equity drawdowns: absolute, maximal and relative, money and percent', () => {
  const s = testerStats(1000, trades, equity);
  // Balance: lowest 850 (absolute 1000 - 850 = 150); largest fall 1150 -> 850 = 300, 300/1150.
  close(s.balanceDrawdown.absolute, 150, 'balance absolute');
  close(s.balanceDrawdown.maximal, 300, 'balance maximal');
  close(s.balanceDrawdown.maximalPercent, (100 * 300) / 1150, 'balance maximal %');
  close(s.balanceDrawdown.relativePercent, (100 * 300) / 1150, 'balance relative %');
  close(s.balanceDrawdown.relative, 300, 'balance relative money');
  // Equity: lowest 900 (absolute 100); falls 1160 -> 900 = 260 (22.41 %) and 1410 -> 1300 = 110.
  close(s.equityDrawdown.absolute, 100, 'equity absolute');
  close(s.equityDrawdown.maximal, 260, 'equity maximal');
  close(s.equityDrawdown.maximalPercent, (100 * 260) / 1160, 'equity maximal %');
  close(s.equityDrawdown.relative, 260, 'equity relative money');
  close(s.recoveryFactor, 350 / 260, 'recovery factor = net profit / maximal equity drawdown');
});

test('relative drawdown can come from a different fall than the maximal one', () => {
  // 1000 -> 500 (fall 500, 50 %), then 5000 -> 4000 (fall 1000, 20 %).
  const s = testerStats(1000, [], [[t0, 1000], [t0 + H, 500], [t0 + 2 * H, 5000], [t0 + 3 * H, 4000]]);
  close(s.equityDrawdown.maximal, 1000, 'largest money fall');
  close(s.equityDrawdown.maximalPercent, 20, 'its percent');
  close(s.equityDrawdown.relativePercent, 50, 'largest percent fall');
  close(s.equityDrawdown.relative, 500, 'its money');
});

test('AHPR, GHPR, Sharpe, LR correlation and LR standard error from the balance curve', () => {
  const s = testerStats(1000, trades, equity);
  const before = [1000, ...balances.slice(0, -1)];
  const hpr = balances.map((b, i) => b / before[i]);
  const mean = hpr.reduce((a, b) => a + b) / 8;
  close(s.ahpr, mean, 'AHPR');
  close(s.ghpr, Math.pow(1350 / 1000, 1 / 8), 'GHPR');
  close(s.ghpr, Math.pow(hpr.reduce((a, b) => a * b), 1 / 8), 'GHPR is the geometric mean of the HPRs');
  const sd = Math.sqrt(hpr.reduce((a, h) => a + (h - mean) ** 2, 0) / 7);
  close(s.sharpeRatio, (mean - 1) / sd, 'Sharpe = (AHPR - 1) / stdev(HPR)');
  // Regression of the balances on x = 1..8, by the textbook normal equations.
  const xs = balances.map((_, i) => i + 1);
  const n = 8;
  const sx = xs.reduce((a, b) => a + b), sy = balances.reduce((a, b) => a + b);
  const sxy = xs.reduce((a, x, i) => a + x * balances[i], 0), sxx = xs.reduce((a, x) => a + x * x, 0), syy = balances.reduce((a, y) => a + y * y, 0);
  const r = (n * sxy - sx * sy) / Math.sqrt((n * sxx - sx * sx) * (n * syy - sy * sy));
  close(s.lrCorrelation, r, 'LR correlation', 1e-9);
  const b = (n * sxy - sx * sy) / (n * sxx - sx * sx);
  const a = (sy - b * sx) / n;
  const sse = xs.reduce((acc, x, i) => acc + (balances[i] - (a + b * x)) ** 2, 0);
  close(s.lrStandardError, Math.sqrt(sse / (n - 2)), 'LR standard error', 1e-9);
});

test('holding time, MFE and MAE are the means over the trades', () => {
  const s = testerStats(1000, trades, equity);
  close(s.averageHoldingMs, ((2 + 4 + 6 + 8) * 2 * H) / 8, 'average holding');
  close(s.averageMfe, (120 + 60 + 10 + 0 + 5 + 310 + 260 + 20) / 8, 'average MFE');
  close(s.averageMae, (-10 - 20 - 210 - 100 - 5 + 0 - 30 - 60) / 8, 'average MAE');
});

test('without trades the ratios are null rather than a made-up number', () => {
  const s = testerStats(1000, [], [[t0, 1000]]);
  assert.is(s.profitFactor, null);
  assert.is(s.ahpr, null);
  assert.is(s.sharpeRatio, null);
  assert.is(s.lrCorrelation, null);
  assert.is(s.recoveryFactor, null);
  assert.is(s.expectedPayoff, 0);
});

// Regression: a recovery factor of 3e11 from an equity drawdown that was float noise.
test('ratios over float noise are null: an equity fall of 1e-11, a loss of 1e-9, HPRs and balances that never moved by half a cent', () => {
  const tiny = [1e-9, 2e-9, -1e-9, 3e-9].map((pnl, i) => trade(i, 1, pnl, 1, 0, 0));
  const s = testerStats(10_000, tiny, [[t0, 10_000], [t0 + H, 10_002.56], [t0 + 2 * H, 10_002.56 - 1e-11]]);
  assert.ok(s.equityDrawdown.maximal > 0, 'the noise is there');
  assert.is(s.recoveryFactor, null);
  assert.is(s.profitFactor, null);
  assert.is(s.sharpeRatio, null);
  assert.is(s.lrCorrelation, null);
  assert.is(s.lrStandardError, 0);
  assert.is(s.lossTrades, 1);
});

test.run();
