import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { resolveBot } from '../../../engine/config/index.ts';
import { runPortfolioBacktest } from '../../../engine/backtest/config-backtest.ts';
import { renderHtmlReport } from '../../../engine/report/html-report.ts';
import type { Strategy } from '../../../engine/strategy/strategy.ts';
import { smaCrossover } from '../../../plugins/sma-crossover/index.ts';
import { accountRows, testerStatRows } from '../../../protocol/index.ts';
import { launchBrowser } from '../../kit/browser.ts';
import { makeTempDir } from '../../kit/data-builders.ts';

const CHARTS = ['balance-equity', 'drawdown', 'entries-hour', 'profit-hour', 'entries-weekday', 'profit-weekday', 'entries-month', 'profit-month',
  'mfe-profit', 'mae-profit', 'per-symbol', 'symbol-profit'];

test('the HTML report of a three-symbol run opens offline in Chromium with every chart drawn and the tester\'s table', async () => {
  const strategies = new Map<string, Strategy>([['sma-crossover', smaCrossover as Strategy]]);
  const bot = resolveBot({
    strategy: 'sma-crossover', timeframe: 'H1', params: { fast: 5, slow: 20 },
    symbols: [{ symbol: 'USDCHF' }, { symbol: 'EURUSD' }, { symbol: 'XAUUSD', timeframe: 'H4' }],
  }, { where: 'test', baseDir: '.', strategies });
  const { complete, histories } = runPortfolioBacktest(bot, { from: '1998-01-01', to: '1998-12-31' });
  const html = renderHtmlReport(complete, { sources: Object.fromEntries([...histories].map(([s, h]) => [s, h.source])), synthetic: complete.synthetic_symbols });
  assert.not.match(html, /<script|<link|src=|url\(/, 'nothing to fetch: no script, stylesheet, image or font reference');
  const dir = makeTempDir('tradeloom-report-');
  const browser = await launchBrowser();
  try {
    const file = join(dir.path, 'report.html');
    writeFileSync(file, html);
    const page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
    const requests: string[] = [];
    const errors: string[] = [];
    page.on('request', (r) => requests.push(r.url()));
    page.on('pageerror', (e) => errors.push(e.message));
    await page.route('**/*', (route) => (route.request().url().startsWith('file:') ? route.continue() : route.abort()));
    await page.goto(pathToFileURL(file).href);
    assert.equal(requests, [pathToFileURL(file).href], 'the file is the only thing loaded');
    assert.equal(errors, []);
    const charts = await page.$$eval('svg.chart', (svgs) => svgs.map((svg) => {
      const marks = [...svg.querySelectorAll('.mark')];
      const drawn = marks.filter((m) => {
        const box = (m as SVGGraphicsElement).getBBox();
        return box.width > 0 || box.height > 0;
      });
      const rect = svg.getBoundingClientRect();
      return { name: svg.getAttribute('data-chart'), marks: marks.length, drawn: drawn.length, width: rect.width, height: rect.height };
    }));
    assert.equal(charts.map((c) => c.name), CHARTS);
    for (const c of charts) {
      assert.ok(c.width > 200 && c.height > 60, `${c.name} is laid out (${c.width}x${c.height})`);
      assert.ok(c.drawn > 0, `${c.name} has drawn marks (${c.drawn} of ${c.marks})`);
    }
    const perSymbol = charts.find((c) => c.name === 'per-symbol')!;
    assert.is(perSymbol.drawn, 3, 'one line per symbol');
    const scatter = charts.find((c) => c.name === 'mfe-profit')!;
    assert.is(scatter.drawn, complete.total_trades, 'one point per trade');
    const table = await page.$$eval('.stats tr', (rows) => rows.map((r) => [r.querySelector('th')!.textContent, r.querySelector('td')!.textContent]));
    // MT5's table, then the account's side as the CLI summary prints it (loss per losing trade, swap).
    assert.equal(table, [...testerStatRows(complete.report!.stats), ...accountRows(complete)].map((r) => [r.label, r.value]));
    assert.ok(table.some(([label]) => label === 'Loss per losing trade'));
    assert.match(await page.textContent('body') ?? '', /synthetic data: EURUSD, XAUUSD/);
    if (process.env.UPDATE_SCREENSHOTS === '1') await page.screenshot({ path: 'ui/screenshots/backtest-html-report.png', fullPage: false });
  } finally {
    await browser.close();
    dir.remove();
  }
});

test('the HTML report says the data check\'s warnings and a failed run\'s problem before any figure', () => {
  const strategies = new Map<string, Strategy>([['sma-crossover', smaCrossover as Strategy]]);
  const bot = resolveBot({ strategy: 'sma-crossover', timeframe: 'H4', symbols: [{ symbol: 'USDCHF' }] }, { where: 'test', baseDir: '.', strategies });
  const { complete } = runPortfolioBacktest(bot, { from: '1998-01-01', to: '1998-06-30' });
  const html = renderHtmlReport({ ...complete, warnings: ['prices.csv: prices have at most 2 decimals & more'], error: 'disk <full>' });
  const warning = html.indexOf('<p class="warning"><strong>Warning:</strong> prices.csv: prices have at most 2 decimals &amp; more</p>');
  const problem = html.indexOf('<p class="problem" role="alert">The run failed: disk &lt;full&gt;. The figures cover the bars before the failure.</p>');
  assert.ok(problem > 0 && warning > problem, 'the problem, then the warning, escaped');
  assert.ok(warning < html.indexOf('<h2>Results</h2>'), 'before the figures');
});

test.run();
