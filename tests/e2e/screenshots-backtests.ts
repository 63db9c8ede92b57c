// Saves screenshots of the workbench's backtest report (charts of a three-symbol run) and of the
// Compare editor (two parameter sets) to ui/screenshots/, at 1920x1080 and 1366x768 (-1366);
// not a test, run by hand after `npm run build`:
//   node --import tsx tests/e2e/screenshots-backtests.ts
// The runs are real engine runs on the shipped history, fed into the built UI (no server needed).
import { join } from 'node:path';
import { runBacktest } from '../../engine/backtest/backtest-runner.ts';
import { runPortfolioBacktest } from '../../engine/backtest/config-backtest.ts';
import { resolveBot } from '../../engine/config/index.ts';
import { loadHistory } from '../../engine/data/load-history.ts';
import type { Strategy } from '../../engine/strategy/strategy.ts';
import type { LogEvent } from '../../protocol/index.ts';
import { smaCrossover } from '../../plugins/sma-crossover/index.ts';
import { launchBrowser, openWorkbench, serveStatic } from '../kit/browser.ts';
import { SIZES } from './screenshots.ts';

const root = new URL('../..', import.meta.url).pathname;

function runs(): { events: LogEvent[]; portfolio: string; singles: string[] } {
  const events: LogEvent[] = [];
  const strategies = new Map<string, Strategy>([['sma-crossover', smaCrossover as Strategy]]);
  const bot = resolveBot({
    strategy: 'sma-crossover', timeframe: 'H1', params: { fast: 5, slow: 20 },
    symbols: [{ symbol: 'USDCHF' }, { symbol: 'EURUSD' }, { symbol: 'XAUUSD', timeframe: 'H4' }],
  }, { where: 'screenshots', baseDir: '.', strategies });
  const portfolio = runPortfolioBacktest(bot, { from: '1998-01-01', to: '1998-12-31', onEvent: (e) => events.push(e) }).complete.session_id;
  const { series } = loadHistory({ symbol: 'USDCHF', timeframe: 'H4', from: '1998-01-01', to: '1999-12-31' });
  const singles = [5, 10, 20].map((fast) => runBacktest({
    symbol: 'USDCHF', series, strategy: smaCrossover, strategyConfig: { fast, slow: 30, stopLossPoints: 500, takeProfitPoints: 1000 },
    labels: { from: '1998-01-01', to: '1999-12-31' }, onEvent: (e) => events.push(e),
  }).sessionId);
  return { events, portfolio, singles };
}

async function main(): Promise<void> {
  const { events, portfolio, singles } = runs();
  const browser = await launchBrowser();
  const site = await serveStatic(join(root, 'ui/dist'));
  try {
    for (const size of SIZES) {
      const page = await openWorkbench(browser, site.url, { width: size.width, height: size.height });
      await page.evaluate((inputs) => (window as unknown as { __tradeloom: { inject(i: unknown[]): void } }).__tradeloom.inject(inputs), events as unknown[]);
      await page.locator(`[data-view="backtests"] [data-backtest="${portfolio}"]`).click();
      await page.locator('[data-report-charts]').scrollIntoViewIfNeeded();
      await page.waitForTimeout(800);
      await page.screenshot({ path: join(root, `ui/screenshots/backtest-report-charts${size.suffix}.png`) });
      for (const id of singles) await page.locator(`[data-compare-pick="session:${id}"]`).check();
      await page.locator('[data-compare-open]').click();
      await page.locator('[data-compare-editor] [data-chart="compare-equity"] svg').waitFor();
      await page.locator('[data-compare-editor]').evaluate((el) => el.scrollIntoView({ block: 'start' }));
      await page.waitForTimeout(800);
      await page.screenshot({ path: join(root, `ui/screenshots/backtest-compare${size.suffix}.png`) });
      console.log(`saved ui/screenshots/backtest-report-charts${size.suffix}.png and backtest-compare${size.suffix}.png`);
      await page.close();
    }
  } finally {
    await browser.close();
    await site.close();
  }
}

main().catch((err) => {
  console.error(err);
  process.exitCode = 1;
});
