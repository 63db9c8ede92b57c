import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { resolveBot } from '../../engine/config/index.ts';
import { runPortfolioBacktest } from '../../engine/backtest/config-backtest.ts';
import type { Strategy } from '../../engine/strategy/strategy.ts';
import type { LogEvent } from '../../protocol/index.ts';
import { smaCrossover } from '../../plugins/sma-crossover/index.ts';
import { builtWorkbench, openWorkbench, pageErrors } from '../kit/browser.ts';
import { drawnCharts } from './chart-probe.ts';

const workbench = builtWorkbench(test);

// The same charts, in the same order, as the HTML report (tests/engine/report/html-report.test.ts).
const CHARTS = ['balance-equity', 'drawdown', 'entries-hour', 'profit-hour', 'entries-weekday', 'profit-weekday', 'entries-month', 'profit-month',
  'mfe-profit', 'mae-profit', 'per-symbol', 'symbol-profit'];

/** A real three-symbol portfolio run's events, as the server would stream them. */
function portfolioRun(): { events: LogEvent[]; sessionId: string; trades: number } {
  const strategies = new Map<string, Strategy>([['sma-crossover', smaCrossover as Strategy]]);
  const bot = resolveBot({
    strategy: 'sma-crossover', timeframe: 'H1', params: { fast: 5, slow: 20 },
    symbols: [{ symbol: 'USDCHF' }, { symbol: 'EURUSD' }, { symbol: 'XAUUSD', timeframe: 'H4' }],
  }, { where: 'test', baseDir: '.', strategies });
  const events: LogEvent[] = [];
  const { complete } = runPortfolioBacktest(bot, { from: '1998-01-01', to: '1998-06-30', onEvent: (e) => events.push(e) });
  return { events, sessionId: complete.session_id, trades: complete.total_trades };
}

test('the workbench report of a portfolio run draws the HTML report\'s charts, per symbol too, and redraws them at its container\'s width', async () => {
  const run = portfolioRun();
  const page = await openWorkbench(workbench.browser, workbench.url, { width: 1600, height: 1000 });
  await page.evaluate((inputs) => (window as unknown as { __tradeloom: { inject(i: unknown[]): void } }).__tradeloom.inject(inputs), run.events as unknown[]);
  await page.locator(`[data-view="backtests"] [data-backtest="${run.sessionId}"]`).click();
  const report = page.locator(`[data-backtest-report="${run.sessionId}"][data-complete="true"]`);
  const charts = report.locator('[data-report-charts]');
  await charts.waitFor({ timeout: 15_000 });
  await charts.locator('[data-chart="symbol-profit"] svg').waitFor();
  const wide = await drawnCharts(charts);
  assert.equal(wide.map((c) => c.name), CHARTS);
  for (const c of wide) {
    assert.ok(c.width > 200 && c.height > 60, `${c.name} is laid out (${c.width}x${c.height})`);
    assert.ok(c.drawn > 0, `${c.name} has drawn marks (${c.drawn} of ${c.marks})`);
    assert.ok(Math.abs(c.width - c.boxWidth) <= 1, `${c.name} fills its box (${c.width} of ${c.boxWidth})`);
  }
  const chart = (list: typeof wide, name: string) => list.find((c) => c.name === name)!;
  assert.is(chart(wide, 'balance-equity').drawn, 2, 'balance and equity');
  assert.equal(chart(wide, 'balance-equity').legend.map((k) => k.split('|')[0]), ['Balance', 'Equity']);
  assert.is(chart(wide, 'per-symbol').drawn, 3, 'one line per symbol');
  assert.equal(chart(wide, 'per-symbol').legend.map((k) => k.split('|')[0]), ['EURUSD', 'USDCHF', 'XAUUSD']);
  assert.is(new Set(chart(wide, 'per-symbol').legend.map((k) => k.split('|')[1])).size, 3, 'three colours');
  assert.is(chart(wide, 'mfe-profit').drawn, run.trades, 'one point per trade');
  assert.is(chart(wide, 'entries-hour').marks, 24);

  // Another window width: the charts' boxes change size, and each chart is redrawn to fill its box.
  await page.setViewportSize({ width: 900, height: 1000 });
  const narrow = await (async () => {
    for (let i = 0; i < 50; i++) {
      const now = await drawnCharts(charts);
      const b = chart(now, 'balance-equity');
      if (b.boxWidth !== chart(wide, 'balance-equity').boxWidth && Math.abs(b.width - b.boxWidth) <= 1) return now;
      await page.waitForTimeout(100);
    }
    return drawnCharts(charts);
  })();
  assert.is.not(chart(narrow, 'balance-equity').boxWidth, chart(wide, 'balance-equity').boxWidth);
  for (const c of narrow) {
    assert.ok(c.drawn > 0 && c.width > 100, `${c.name} still drawn at ${c.width}px`);
    assert.ok(Math.abs(c.width - c.boxWidth) <= 1, `${c.name} redrawn to its box (${c.width} of ${c.boxWidth})`);
  }
  // Every chart (these and the report's earlier canvas charts) fits the editor's width.
  const overflow = await report.evaluate((el) => {
    const right = el.getBoundingClientRect().right;
    return [...el.querySelectorAll('[data-report-charts], .charts, svg, canvas')].map((c) => c.getBoundingClientRect().right - right).reduce((a, b) => Math.max(a, b), 0);
  });
  assert.ok(overflow <= 1, `the charts fit the editor (${overflow}px over)`);
  assert.equal(pageErrors(page), []);
  await page.close();
});

test.run();
