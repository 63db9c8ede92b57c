import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { launchBrowser, offlineStatusText, openWorkbench, pageErrors, runFromPalette, serveStatic } from '../kit/browser.ts';

const root = new URL('../..', import.meta.url).pathname;
let browser: Browser;
test.before(async () => {
  browser = await launchBrowser();
});
test.after(async () => {
  await browser?.close();
});

test('the layout (theme, panel, side bar width, open tabs) is kept across a reload', async () => {
  const site = await serveStatic(join(root, 'ui/dist'));
  try {
    const page = await openWorkbench(browser, site.url);
    assert.is(await page.evaluate('document.documentElement.dataset.theme'), 'dark');
    await runFromPalette(page, 'Toggle Light / Dark Theme');
    await runFromPalette(page, 'Open Performance Dashboard');
    await runFromPalette(page, 'Toggle Panel');
    // Drag the side bar's sash 100 px to the right.
    const sash = page.locator('.sash.vertical');
    const box = (await sash.boundingBox())!;
    await page.mouse.move(box.x + 2, box.y + 200);
    await page.mouse.down();
    await page.mouse.move(box.x + 102, box.y + 200, { steps: 5 });
    await page.mouse.up();
    const width = await page.locator('.main > .sidebar').evaluate((el) => el.getBoundingClientRect().width);
    assert.ok(Math.abs(width - 380) <= 2, `side bar ${width}px`);
    await page.waitForTimeout(400);
    await page.reload();
    await page.waitForFunction('window.__tradeloom !== undefined');
    assert.is(await page.evaluate('document.documentElement.dataset.theme'), 'light');
    assert.is(await page.locator('.center > .panel').count(), 0);
    assert.ok(Math.abs((await page.locator('.main > .sidebar').evaluate((el) => el.getBoundingClientRect().width)) - 380) <= 2);
    await page.locator('[data-editor="dashboard:performance"]').waitFor();
    assert.equal(pageErrors(page), []);
  } finally {
    await site.close();
  }
});

test('with no server the status bar says plainly that it is offline and counts down to the next attempt', async () => {
  const site = await serveStatic(join(root, 'ui/dist'));
  try {
    const page = await openWorkbench(browser, site.url);
    assert.match(await offlineStatusText(page), /Offline — reconnecting in \d+s \(attempt \d+\)/);
  } finally {
    await site.close();
  }
});

test('F1 opens the palette with every registered command; Escape closes it', async () => {
  const site = await serveStatic(join(root, 'ui/dist'));
  try {
    const page = await openWorkbench(browser, site.url);
    await page.keyboard.press('F1');
    await page.locator('.quickpick').waitFor();
    const labels = await page.locator('.quickpick li[data-item]').allInnerTexts();
    for (const title of ['Start Bot', 'Stop Bot', 'Pause Symbol', 'Resume Symbol', 'Close Position', 'Run Backtest', 'Request Status', 'Replay Recording from Server', 'Replay Local JSONL File']) {
      assert.ok(labels.some((l) => l.includes(title)), `palette lists ${title}`);
    }
    await page.keyboard.press('Escape');
    assert.is(await page.locator('.quickpick').count(), 0);
  } finally {
    await site.close();
  }
});

test.run();
