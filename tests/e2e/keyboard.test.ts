import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { Page } from 'playwright-core';
import { builtWorkbench, openWorkbench, pageErrors, runFromPalette } from '../kit/browser.ts';
import { injectSession } from './injected-session.ts';

const workbench = builtWorkbench(test);

const focused = (page: Page) => page.evaluate(() => {
  const el = document.activeElement as HTMLElement | null;
  return { text: el?.innerText ?? '', inDialog: !!el?.closest('[data-confirm-dialog]'), confirm: el?.dataset.confirm ?? null };
});

async function paletteFirst(page: Page, query: string): Promise<string> {
  await page.keyboard.press('Control+Shift+P');
  const input = page.locator('.quickpick input');
  await input.waitFor();
  await input.fill(query);
  const text = await page.locator('.quickpick li.selected').innerText();
  return text;
}

test('the palette matches words in any order and letters in order: "toggle theme", "bot stop", "tglthm"', async () => {
  const page = await openWorkbench(workbench.browser, workbench.url);
  assert.match(await paletteFirst(page, 'toggle theme'), /Toggle Light \/ Dark Theme/);
  assert.match(await paletteFirst(page, 'bot stop'), /Bot: Stop Bot/);
  assert.match(await paletteFirst(page, 'tglthm'), /Toggle Light \/ Dark Theme/);
  await page.keyboard.press('Enter');
  assert.is(await page.evaluate('document.documentElement.dataset.theme'), 'light');
});

test('the palette lists the recently used command first, marked so', async () => {
  const page = await openWorkbench(workbench.browser, workbench.url);
  await runFromPalette(page, 'toggle theme');
  await page.keyboard.press('Control+Shift+P');
  const first = page.locator('.quickpick li').first();
  await first.waitFor();
  assert.match(await first.innerText(), /Toggle Light \/ Dark Theme[\s\S]*recently used/);
  await page.keyboard.press('Escape');
});

test('the Stop Bot dialog starts on Cancel, keeps Tab inside, and Escape dismisses it without stopping', async () => {
  const page = await openWorkbench(workbench.browser, workbench.url);
  await runFromPalette(page, 'Stop Bot');
  await page.locator('[data-confirm-dialog]').waitFor();
  await page.waitForFunction(() => (document.activeElement as HTMLElement | null)?.dataset.confirm === 'cancel');
  for (let i = 0; i < 5; i++) {
    await page.keyboard.press('Tab');
    assert.ok((await focused(page)).inDialog, `Tab ${i + 1} left the dialog`);
  }
  await page.keyboard.press('Shift+Tab');
  assert.ok((await focused(page)).inDialog);
  await page.keyboard.press('Escape');
  await page.locator('[data-confirm-dialog]').waitFor({ state: 'detached' });
  // Nothing was sent: no "Offline: stop_bot was not sent" notice.
  assert.is(await page.getByText('"stop_bot" was not sent').count(), 0);
  // Enter on the default focus is Cancel, never Confirm.
  await runFromPalette(page, 'Stop Bot');
  await page.waitForFunction(() => (document.activeElement as HTMLElement | null)?.dataset.confirm === 'cancel');
  await page.keyboard.press('Enter');
  await page.locator('[data-confirm-dialog]').waitFor({ state: 'detached' });
  assert.is(await page.getByText('"stop_bot" was not sent').count(), 0);
});

test('the symbol list\'s pause and close buttons are reached by Tab and shown with a focus ring', async () => {
  const page = await openWorkbench(workbench.browser, workbench.url);
  await injectSession(page);
  await page.locator('[data-symbol="USDCHF"] button.row').focus();
  await page.keyboard.press('Tab');
  const pause = await page.evaluate(() => {
    const el = document.activeElement as HTMLElement;
    const actions = el.closest('.actions') as HTMLElement | null;
    return { label: el.getAttribute('aria-label'), shown: actions ? getComputedStyle(actions).opacity : null, ring: getComputedStyle(el).outlineStyle };
  });
  assert.is(pause.label, 'Pause USDCHF');
  assert.is(pause.shown, '1');
  assert.is(pause.ring, 'solid');
  await page.keyboard.press('Tab');
  assert.is(await page.evaluate(() => document.activeElement?.getAttribute('aria-label')), 'Close USDCHF position');
});

test('the log is one Tab stop; arrow keys move between its rows', async () => {
  const page = await openWorkbench(workbench.browser, workbench.url);
  await injectSession(page);
  const rows = page.locator('[data-view="log"] .row');
  await rows.first().waitFor();
  assert.is(await page.locator('[data-view="log"] .row[tabindex="0"]').count(), 1);
  assert.ok(await page.locator('[data-view="log"] .row[tabindex="-1"]').count() > 5);
  await page.locator('[data-view="log"] .row[tabindex="0"]').focus();
  const before = await page.evaluate(() => (document.activeElement as HTMLElement).dataset.row);
  await page.keyboard.press('ArrowUp');
  const after = await page.evaluate(() => (document.activeElement as HTMLElement).dataset.row);
  assert.is(Number(after), Number(before) - 1);
  assert.is(await page.locator('[data-view="log"] .row[tabindex="0"]').count(), 1);
});

test('Ctrl+Tab moves between editors, Ctrl+W closes one, Ctrl+` toggles the log panel, Ctrl+Alt+Space reaches its command', async () => {
  const page = await openWorkbench(workbench.browser, workbench.url);
  await runFromPalette(page, 'Open Performance Dashboard');
  await runFromPalette(page, 'Open Weekly Trades Dashboard');
  const active = () => page.locator('.tab.active').getAttribute('data-editor');
  assert.is(await active(), 'dashboard:weekly');
  await page.keyboard.press('Control+Tab');
  assert.is(await active(), 'dashboard:performance');
  await page.keyboard.press('Control+Shift+Tab');
  assert.is(await active(), 'dashboard:weekly');
  await page.keyboard.press('Control+w');
  assert.is(await page.locator('[data-editor="dashboard:weekly"]').count(), 0);
  assert.is(await active(), 'dashboard:performance');
  assert.is(await page.locator('.center > .panel').count(), 1);
  await page.keyboard.press('Control+`');
  assert.is(await page.locator('.center > .panel').count(), 0);
  await page.keyboard.press('Control+`');
  await page.locator('[data-view="log"]').waitFor();
  // With no replay open the play/pause command still runs (it used to be unreachable: Space was read as " ").
  await page.keyboard.press('Control+Alt+Space');
  assert.equal(pageErrors(page), []);
});

test.run();
