import type { Locator, Page } from 'playwright-core';
import { runFromPalette } from '../kit/browser.ts';

/**
 * Opens the Run Backtest form from the palette and returns it as soon as it shows: the server's
 * choices (`backtest_options`) may not be in it yet, so the strategy is still a free field.
 */
export async function showRunForm(page: Page): Promise<Locator> {
  await runFromPalette(page, 'Run Backtest');
  const form = page.locator('form[data-editor-type="backtest-form"]');
  await form.waitFor();
  return form;
}

/**
 * Opens the Run Backtest form from the palette once the server's choices are in it (the strategy
 * select comes with them), so nothing chosen after is replaced by their arrival.
 */
export async function openRunForm(page: Page): Promise<Locator> {
  const form = await showRunForm(page);
  await form.locator('select[name="strategy"]').waitFor({ timeout: 60_000 });
  return form;
}
