import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { builtWorkbench, openWorkbench, pageErrors, pageState, waitFor } from '../kit/browser.ts';
import { injectSession } from './injected-session.ts';

const root = new URL('../..', import.meta.url).pathname;
const recordings = join(root, 'fixtures/recordings');
/** The engine's own paper recording: its BOT_INITIALIZATION lists EURUSD and XAUUSD as synthetic. */
const paper = join(recordings, readdirSync(recordings).find((n) => n.includes('_paper_'))!);

const workbench = builtWorkbench(test);

test('a paused log follows a switch to a replay: it shows the replay\'s rows, not the live ones it was paused on', async () => {
  const page = await openWorkbench(workbench.browser, workbench.url);
  await injectSession(page);
  const rows = page.locator('[data-view="log"] .rows');
  await rows.evaluate((el) => {
    el.scrollTop = 0;
    el.dispatchEvent(new Event('scroll'));
  });
  await page.locator('[data-log-paused]').waitFor();
  const chooser = page.waitForEvent('filechooser');
  await page.getByText('Open local JSONL file…').click();
  await (await chooser).setFiles(paper);
  await waitFor('the replay to reach its end', async () => (await page.getAttribute('[data-replay]', 'data-ended')) === 'true', 120_000);
  const kept = await pageState(page, (s) => s.log.length);
  await waitFor('the log to show the replay', async () => (await page.locator('[data-view="log"] .count').innerText()).startsWith(`${kept} shown · ${kept}/1000 kept`));
  assert.is(await page.locator('[data-log-paused]').count(), 0);
  // The replay's own rows: XAUUSD trades only in the recording, never in the injected live session.
  await page.locator('[data-view="log"]').getByRole('searchbox').fill('XAUUSD');
  assert.ok(await page.locator('[data-view="log"] .row').count() > 0);
  assert.equal(pageErrors(page), []);
});

test('a replayed recording shows SYN on the symbols its BOT_INITIALIZATION lists as synthetic; Ctrl+Alt+Space plays and pauses it', async () => {
  const page = await openWorkbench(workbench.browser, workbench.url);
  const chooser = page.waitForEvent('filechooser');
  await page.getByText('Open local JSONL file…').click();
  await (await chooser).setFiles(paper);
  await waitFor('the replay to reach its end', async () => (await page.getAttribute('[data-replay]', 'data-ended')) === 'true', 120_000);
  for (const symbol of ['EURUSD', 'XAUUSD']) assert.is(await page.locator(`[data-symbol="${symbol}"] [data-synthetic]`).innerText(), 'SYN');
  assert.is(await page.locator('[data-symbol="USDCHF"] [data-synthetic]').count(), 0);
  await page.locator('[data-symbol="EURUSD"] button.row').click();
  assert.is(await page.locator('[data-symbol-editor="EURUSD"] [data-synthetic]').innerText(), 'SYN');
  await page.locator('.replay-bar select').selectOption('1');
  const play = page.locator('[data-replay-play]');
  await page.locator('body').focus();
  await page.keyboard.press('Control+Alt+Space');
  await waitFor('playing', async () => (await play.getAttribute('aria-label')) === 'Pause');
  await page.keyboard.press('Control+Alt+Space');
  await waitFor('paused', async () => (await play.getAttribute('aria-label')) === 'Play');
});

test.run();
