import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { LogEvent } from '../../protocol/index.ts';
import { formatTimestamp } from '../../protocol/index.ts';
import { builtWorkbench, offlineStatusText, openWorkbench, pageConnection, pageErrors, runFromPalette, waitFor } from '../kit/browser.ts';
import { ProtocolClient, withEngine } from './engine-session.ts';
import { injectSession, injectedSession } from './injected-session.ts';

const workbench = builtWorkbench(test);

const symbolsShown = (page: import('playwright-core').Page) =>
  page.locator('.symbols [data-symbol]').evaluateAll((els) => els.map((e) => e.getAttribute('data-symbol')));

test('issue 15: against the real server: no 404 (favicon), the bot\'s symbol order kept over a reload, Request Status answers in words, and offline the bot is not "running"', async () => {
  await withEngine({}, async ({ server, page }) => {
    const failed: string[] = [];
    page.on('response', (r) => { if (r.status() >= 400) failed.push(`${r.status()} ${r.url()}`); });
    const consoleErrors: string[] = [];
    page.on('console', (m) => { if (m.type() === 'error') consoleErrors.push(m.text()); });
    const reference = await ProtocolClient.connect(server.url);
    const order = ((await reference.status()).symbols ?? []).map((s: { symbol: string }) => s.symbol);
    reference.close();
    assert.ok(order.length > 1, 'the bot trades several symbols');
    await waitFor('the bot\'s symbols', async () => (await symbolsShown(page)).length === order.length);
    assert.equal(await symbolsShown(page), order);
    await page.reload();
    await waitFor('the page to connect again', async () => (await pageConnection(page)).phase === 'open');
    await waitFor('the bot\'s symbols again', async () => (await symbolsShown(page)).length === order.length);
    assert.equal(await symbolsShown(page), order);
    assert.equal(failed, []);
    assert.equal(consoleErrors, []);

    await runFromPalette(page, 'Request Status');
    const notice = page.locator('.notice', { hasText: 'Status: bot' });
    await notice.waitFor();
    const text = await notice.innerText();
    assert.match(text, /^Status: bot running, broker connected, (1 entry|\d+ entries) this week; /);
    assert.not.match(text, /\b1 entries\b/);

    await page.keyboard.press('Control+Shift+P');
    await page.locator('.quickpick input').fill('back to live');
    assert.is(await page.locator('.quickpick li.selected span').first().innerText(), 'Replay: Back to Live');
    await page.keyboard.press('Escape');

    await server.stop('SIGKILL');
    const offline = await offlineStatusText(page);
    assert.match(offline, /Offline/);
    const bot = await page.locator('[data-status="bot"]').innerText();
    assert.is(bot, 'Bot: unknown while offline');
    assert.equal(pageErrors(page), []);
  });
});

test('issue 15: at 800 px every field of a decision shows whole (wrapped, not cut)', async () => {
  const page = await openWorkbench(workbench.browser, workbench.url, { width: 800, height: 900 });
  const decision = {
    timestamp: formatTimestamp(Date.UTC(1997, 0, 25, 20)), session_id: 'live-1', event_type: 'DECISION', level: 'INFO', seq: 100_001,
    data: {
      symbol: 'USDCHF', decision: 'rl_action', action: 'hold', reason: 'the policy preferred to hold: expected value of a buy below the hold threshold after the spread',
      trades_this_week: 2, max_trades: 10, aggression_multiplier: 1.3, action_values: { buy: 0.1234, sell: -0.2345, hold: 0.3456, close: 0.0123 },
    },
  } as LogEvent;
  await injectSession(page, [...injectedSession(), decision]);
  await page.locator('[data-symbol="USDCHF"] button.row').click();
  const item = page.locator('[data-symbol-editor="USDCHF"] .decisions li').first();
  await item.scrollIntoViewIfNeeded();
  const cut = await item.evaluate((li) => {
    const box = li.getBoundingClientRect();
    return [...li.querySelectorAll('.head > *, .reason, .values > *')]
      .filter((el) => {
        const r = el.getBoundingClientRect();
        return r.right > box.right + 1 || r.left < box.left - 1 || (el as HTMLElement).scrollWidth > (el as HTMLElement).clientWidth + 1;
      })
      .map((el) => el.textContent);
  });
  assert.equal(cut, []);
  assert.ok(await item.evaluate((li) => li.getBoundingClientRect().width > 300), 'the decisions get the editor\'s width');
  assert.equal(pageErrors(page), []);
});

test.run();
