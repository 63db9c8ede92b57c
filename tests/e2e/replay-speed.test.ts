import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { builtWorkbench, pageErrors } from '../kit/browser.ts';

const root = new URL('../..', import.meta.url).pathname;
const recordings = join(root, 'fixtures/recordings');
/** The engine's smallest backtest recording: its bars hours and days apart in market time. */
const backtest = readdirSync(recordings).filter((n) => n.includes('_backtest_')).map((n) => join(recordings, n))
  .sort((a, b) => readFileSync(a).length - readFileSync(b).length)[0];
const stamps: string[] = readFileSync(backtest, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l).timestamp);
/** How many distinct market times the first `position` events span: the steps a user saw. */
const marketSteps = (position: number) => new Set(stamps.slice(0, position)).size;

const workbench = builtWorkbench(test);

/**
 * The workbench on a paused fake clock (its frames and timers move only when the test says), with
 * the recording loaded: it starts playing, as it does for a user.
 */
async function loadedOnFakeClock(): Promise<Page> {
  const context = await workbench.browser.newContext({ viewport: { width: 1600, height: 1000 }, deviceScaleFactor: 1 });
  const page = await context.newPage();
  await page.clock.install();
  await page.goto(workbench.url);
  await page.clock.pauseAt(Date.now() + 2_000);
  await page.locator('[data-view="recordings"], .symbols').first().waitFor();
  const chooser = page.waitForEvent('filechooser');
  await page.getByText('Open local JSONL file…').click();
  await (await chooser).setFiles(backtest);
  await page.locator('[data-replay]').waitFor();
  return page;
}

const position = async (page: Page) => Number(await page.getAttribute('[data-replay]', 'data-position'));

test('issue 15: "max" plays a recording visibly, frame by frame, instead of being done on load; Skip to end ends it at once', async () => {
  const page = await loadedOnFakeClock();
  assert.is(await page.locator('.replay-bar select').inputValue(), 'Infinity');
  await page.clock.runFor(17);
  const first = await position(page);
  assert.ok(first > 0 && first < stamps.length, `after one frame at max: ${first} of ${stamps.length}`);
  const seen = new Set<number>([first]);
  while ((await page.getAttribute('[data-replay]', 'data-ended')) !== 'true') {
    await page.clock.runFor(17);
    seen.add(await position(page));
    assert.ok(seen.size < 10_000, 'the replay never ends');
  }
  assert.ok(seen.size >= 100, `max showed ${seen.size} steps on the way to the end`);
  // Asked for the end: there it is.
  await page.locator('[aria-label="Seek"]').fill('0');
  await page.locator('[aria-label="Skip to end"]').click();
  assert.is(await position(page), stamps.length);
  assert.is(await page.getAttribute('[data-replay]', 'data-ended'), 'true');
  assert.equal(pageErrors(page), []);
});

test('issue 15: at 1x a backtest\'s hours between bars shrink to a short wait (a few bars a second), and 10x is ten times that', async () => {
  const page = await loadedOnFakeClock();
  await page.locator('.replay-bar select').selectOption('1');
  await page.clock.runFor(1_000);
  const oneX = marketSteps(await position(page));
  // A quarter second per quiet stretch: the first bar at once, then one every 250 ms.
  assert.ok(oneX >= 4 && oneX <= 6, `1x showed ${oneX} market times in a second`);
  await page.locator('.replay-bar select').selectOption('10');
  const before = marketSteps(await position(page));
  await page.clock.runFor(1_000);
  const tenX = marketSteps(await position(page)) - before;
  assert.ok(tenX >= 25 && tenX <= 45, `10x showed ${tenX} market times in a second`);
  assert.is(await page.getAttribute('[data-replay]', 'data-ended'), 'false');
});

test.run();
