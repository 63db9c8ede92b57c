import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { join } from 'node:path';
import AxeBuilder from '@axe-core/playwright';
import type { Page } from 'playwright-core';
import { builtWorkbench, openWorkbench, runFromPalette } from '../kit/browser.ts';
import { injectSession } from './injected-session.ts';
import { injectOptimisations, optimisationMessages } from './injected-optimisation.ts';

const optimisations = await optimisationMessages();

const workbench = builtWorkbench(test);

/** axe-core's WCAG 2.1 A/AA rules over the page as it is; only serious and critical findings count. */
async function seriousViolations(page: Page, view: string): Promise<string[]> {
  const result = await new AxeBuilder({ page: page as never }).withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']).analyze();
  return result.violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${view}: ${v.id} (${v.impact}) ${v.help}: ${v.nodes.slice(0, 3).map((n) => n.target.join(' ')).join(' | ')}`);
}

const VIEWS: readonly [string, (page: Page) => Promise<void>][] = [
  ['symbol editor', async (page) => {
    await page.locator('[data-symbol="USDCHF"] button.row').click();
    await page.locator('[data-symbol-editor="USDCHF"]').waitFor();
  }],
  ['trades', (page) => runFromPalette(page, 'Open Trades')],
  ['performance dashboard', (page) => runFromPalette(page, 'Open Performance Dashboard')],
  ['state machines', (page) => runFromPalette(page, 'Show State Machines')],
  ['optimisation editor', async (page) => {
    await injectOptimisations(page, optimisations.messages);
    await page.locator('[data-optimisation-item="usdchf-grid"]').click();
    await page.locator('[data-optimisation="usdchf-grid"] [data-heatmap]').waitFor();
  }],
  ['optimisation editor with walk-forward', async (page) => {
    await page.locator('[data-optimisation-item="usdchf-walk-forward"]').click();
    await page.locator('[data-optimisation="usdchf-walk-forward"] [data-walk-forward]').waitFor();
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
    await injectSession(page);
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
