import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { Page } from 'playwright-core';
import { runBacktest } from '../../engine/backtest/backtest-runner.ts';
import { loadHistory } from '../../engine/data/load-history.ts';
import type { LogEvent } from '../../protocol/index.ts';
import { smaCrossover } from '../../plugins/sma-crossover/index.ts';
import { seriousViolations } from '../kit/axe.ts';
import { builtWorkbench, openWorkbench, runFromPalette } from '../kit/browser.ts';
import { injectSession, injectedSession } from './injected-session.ts';
import { injectOptimisations, optimisationMessages } from './injected-optimisation.ts';

const optimisations = await optimisationMessages();

const workbench = builtWorkbench(test);

/** Two real backtests (fast=5 and fast=10), for the report with its charts and the Compare editor. */
function twoRuns(): { events: LogEvent[]; ids: string[] } {
  const { series } = loadHistory({ symbol: 'USDCHF', timeframe: 'H4', from: '1998-01-01', to: '1998-12-31' });
  const events: LogEvent[] = [];
  const ids = [5, 10].map((fast) => runBacktest({
    symbol: 'USDCHF', series, strategy: smaCrossover, strategyConfig: { fast, slow: 30, stopLossPoints: 500, takeProfitPoints: 1000 },
    onEvent: (e) => events.push(e),
  }).sessionId);
  return { events, ids };
}
const RUNS = twoRuns();

/** The box scrolls (so axe's scrollable-region-focusable looks at it), and is one Tab stop. */
async function assertScrollableRegion(page: Page, selector: string): Promise<void> {
  const box = page.locator(selector);
  await box.waitFor();
  const { scrolls, tabIndex } = await box.evaluate((el) => ({ scrolls: el.scrollHeight > el.clientHeight, tabIndex: (el as HTMLElement).tabIndex }));
  assert.ok(scrolls, `${selector} scrolls in this session`);
  assert.is(tabIndex, 0, `${selector} is reached by Tab`);
}

const VIEWS: readonly [string, (page: Page) => Promise<void>][] = [
  ['symbol editor', async (page) => {
    await page.locator('[data-symbol="USDCHF"] button.row').click();
    await page.locator('[data-symbol-editor="USDCHF"]').waitFor();
    // Issue M6: its decisions list scrolls; a keyboard must reach it.
    await assertScrollableRegion(page, '[data-symbol-editor="USDCHF"] [data-decision-list]');
  }],
  ['trades', async (page) => {
    await runFromPalette(page, 'Open Trades');
    // Issue M6: "Profit per day" scrolls in its box with nothing focusable in it.
    await assertScrollableRegion(page, '[data-scroll="profit-by-day"]');
  }],
  ['performance dashboard', (page) => runFromPalette(page, 'Open Performance Dashboard')],
  // A reviewer: its yes/no cells were the chart's fills, 2.4:1 on the light theme.
  ['weekly trades dashboard', (page) => runFromPalette(page, 'Open Weekly Trades Dashboard')],
  ['state machines', (page) => runFromPalette(page, 'Show State Machines')],
  ['backtest report with charts', async (page) => {
    await page.locator(`[data-view="backtests"] [data-backtest="${RUNS.ids[0]}"]`).click();
    await page.locator('[data-report-charts] [data-chart="symbol-profit"] svg').waitFor();
  }],
  ['compare runs', async (page) => {
    for (const id of RUNS.ids) await page.locator(`[data-compare-pick="session:${id}"]`).check();
    await page.locator('[data-compare-open]').click();
    await page.locator('[data-compare-editor][data-runs="2"] [data-chart="compare-equity"] svg').waitFor();
  }],
  ['optimisation editor', async (page) => {
    await injectOptimisations(page, optimisations.messages);
    await page.locator('[data-optimisation-item="usdchf-grid"]').click();
    await page.locator('[data-optimisation="usdchf-grid"] [data-heatmap]').waitFor();
  }],
  ['optimisation editor with walk-forward', async (page) => {
    await page.locator('[data-optimisation-item="usdchf-walk-forward"]').click();
    await page.locator('[data-optimisation="usdchf-walk-forward"] [data-walk-forward]').waitFor();
  }],
  ['optimisation editor with notes', async (page) => {
    await page.locator('[data-optimisation-item="usdchf-genetic"]').click();
    await page.locator('[data-optimisation="usdchf-genetic"] [data-run-notes]').waitFor();
  }],
  ['problems panel with a data warning', async (page) => {
    await page.locator('[data-panel="problems"]').click();
    await page.locator('[data-view="problems"] [data-data-warning]').waitFor();
  }],
  ['start optimisation form', (page) => runFromPalette(page, 'Start Optimisation')],
  ['command palette', async (page) => {
    await page.keyboard.press('Control+Shift+P');
    await page.locator('.quickpick input').waitFor();
  }],
  ['confirm dialog', async (page) => {
    await page.keyboard.press('Escape');
    await runFromPalette(page, 'Stop Bot');
    await page.locator('[data-confirm-dialog]').waitFor();
  }],
];

for (const theme of ['dark', 'light'] as const) {
  test(`the main views have no serious or critical accessibility violation in the ${theme} theme`, async () => {
    const page = await openWorkbench(workbench.browser, workbench.url);
    if (theme === 'light') await runFromPalette(page, 'Toggle Light / Dark Theme');
    await injectSession(page, injectedSession({ busy: true }));
    await page.evaluate((inputs) => (window as unknown as { __tradeloom: { inject(i: unknown[]): void } }).__tradeloom.inject(inputs), RUNS.events as unknown[]);
    const found: string[] = [];
    for (const [name, open] of VIEWS) {
      await open(page);
      await page.waitForTimeout(150);
      found.push(...(await seriousViolations(page, name)));
    }
    assert.equal(found, [], found.join('\n'));
  });
}

test.run();
