import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { pageState, runFromPalette, waitFor } from '../kit/browser.ts';
import { ProtocolClient, sharedEngine } from './engine-session.ts';

// One server for the three tests: each waits for the engine state it needs (the bot running, a
// symbol scanning, a position open), whatever the one before left.
const engine = sharedEngine(test);

test('Stop Bot from the palette asks first, then reaches the bot; Start Bot starts it again', async () => {
  await engine.withPage(async ({ server, page }) => {
    const reference = await ProtocolClient.connect(server.url);
    try {
      await waitFor('the bot running', async () => (await reference.status()).running === true, 60_000);
      // Cancelling a dangerous command sends nothing.
      await runFromPalette(page, 'Stop Bot');
      await page.locator('[role="alertdialog"]').waitFor();
      await page.getByRole('button', { name: 'Cancel' }).click();
      assert.is((await reference.status()).running, true);
      await runFromPalette(page, 'Stop Bot');
      await page.locator('[data-confirm="ok"]').click();
      await waitFor('the engine to report stopped', async () => (await reference.status()).running === false);
      await page.locator('[data-status="bot"]', { hasText: 'Bot: stopped' }).waitFor({ timeout: 15_000 });
      await runFromPalette(page, 'Start Bot');
      await waitFor('the engine to report running', async () => (await reference.status()).running === true);
      await page.locator('[data-status="bot"]', { hasText: 'Bot: running' }).waitFor({ timeout: 15_000 });
    } finally {
      reference.close();
    }
  });
});

test('Pause Symbol from the palette pauses that symbol in the engine and the explorer shows it', async () => {
  await engine.withPage(async ({ server, page }) => {
    const reference = await ProtocolClient.connect(server.url);
    try {
      // A symbol running in the engine and shown running on the page (the palette lists what the page shows).
      const symbol = await waitFor('a symbol scanning, in the engine and on the page', async () => {
        const s = await reference.status();
        const running = (s.symbols ?? []).filter((x: { state: string }) => x.state !== 'idle' && x.state !== 'paused').map((x: { symbol: string }) => x.symbol as string);
        const shown = await pageState(page, (p) => p.symbolOrder.filter((x) => p.symbols[x].state !== 'idle' && p.symbols[x].state !== 'paused'));
        return running.find((x: string) => shown.includes(x)) ?? false;
      }, 60_000);
      await runFromPalette(page, 'Pause Symbol');
      await page.locator(`.quickpick [data-item="${symbol}"]`).click();
      await waitFor(`${symbol} paused in the engine`, async () => (await reference.status()).symbols.find((x: { symbol: string }) => x.symbol === symbol)?.state === 'paused');
      await page.locator(`.symbols [data-symbol="${symbol}"] .state-chip[data-state="paused"]`).waitFor({ timeout: 15_000 });
      await runFromPalette(page, 'Resume Symbol');
      await page.locator(`.quickpick [data-item="${symbol}"]`).click();
      await waitFor(`${symbol} resumed`, async () => (await reference.status()).symbols.find((x: { symbol: string }) => x.symbol === symbol)?.state !== 'paused');
    } finally {
      reference.close();
    }
  });
});

test('Close Position asks for confirmation naming the position, then the engine closes it', async () => {
  await engine.withPage(async ({ server, page }) => {
    const reference = await ProtocolClient.connect(server.url);
    try {
      // A position the page lists (from TRADE_ENTRY), picked as a user would. The strategy may close
      // it at any moment: the dialog must name the one picked, whatever happens to it meanwhile.
      const symbol = await waitFor('a position to pick from the palette', async () => {
        await waitFor('an open position on the page', async () =>
          pageState(page, (s) => s.symbolOrder.some((x) => s.symbols[x].position !== null)), 120_000);
        await runFromPalette(page, 'Close Position');
        const item = page.locator('.quickpick:has(input[placeholder="Position to close at market"]) [data-item]').first();
        try {
          await item.waitFor({ timeout: 3_000 });
        } catch {
          // Closed before the list was built: the palette said so instead. Try again.
          await page.keyboard.press('Escape');
          return false;
        }
        const picked = await item.getAttribute('data-item');
        await item.click();
        return picked;
      }, 120_000);
      const dialog = page.locator('[role="alertdialog"]');
      await dialog.waitFor();
      assert.match(await dialog.innerText(), new RegExp(`Close ${symbol} \\((buy|sell) [0-9.]+ lots opened at`));
      await page.locator('[data-confirm="ok"]').click();
      const result = await waitFor('the COMMAND audit event', async () => reference.received.find((m) => m.event_type === 'COMMAND' && m.data.command === 'close_position'));
      // Done, or refused because the strategy closed it first; either way the engine answered us.
      if (result.data.ok) {
        const exit = await waitFor('the TRADE_EXIT', async () => reference.received.find((m) => m.event_type === 'TRADE_EXIT' && m.data.symbol === symbol && m.seq > result.seq - 5));
        assert.ok(exit);
      } else {
        assert.match(result.data.reason, /position/);
      }
    } finally {
      reference.close();
    }
  });
});

test.run();
