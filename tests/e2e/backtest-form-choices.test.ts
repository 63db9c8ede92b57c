import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { runFromPalette, waitFor } from '../kit/browser.ts';
import { ProtocolClient, withEngine } from './engine-session.ts';

test('the Run Backtest form offers what the server has, defaults to a run that trades, and keeps no stale answer', async () => {
  await withEngine({}, async ({ server, page }) => {
    const reference = await ProtocolClient.connect(server.url);
    try {
      await runFromPalette(page, 'Run Backtest');
      const form = page.locator('form[data-editor-type="backtest-form"]');
      await form.waitFor();
      const strategy = form.locator('select[name="strategy"]');
      await strategy.waitFor({ timeout: 30_000 });
      // Chosen and shown, never blank: the server's default.
      assert.is(await form.locator('select[name="symbol"]').inputValue(), 'USDCHF');
      assert.is(await form.locator('select[name="timeframe"]').inputValue(), 'H4');
      const ids = await strategy.locator('option').allInnerTexts();
      for (const id of ['patterns-sr', 'sma-crossover']) assert.ok(ids.includes(id), `strategy ${id} offered`);
      assert.ok((await form.locator('#strategy-description').innerText()).length > 10);
      assert.match(await form.locator('select[name="symbol"] option[value="EURUSD"]').innerText(), /synthetic/);
      // A reversed range is caught before anything is sent, in plain words.
      await form.locator('input[name="from"]').fill('2000-01-01');
      await form.locator('input[name="to"]').fill('1999-01-01');
      await form.getByRole('button', { name: 'Run backtest' }).click();
      await form.getByText('"To" must not be before "From".').first().waitFor();
      assert.not.ok(reference.received.some((m) => m.event_type === 'COMMAND' && m.data.command === 'run_backtest'));
      // The default run over the whole shipped history trades.
      await form.locator('input[name="from"]').fill('');
      await form.locator('input[name="to"]').fill('');
      await form.getByRole('button', { name: 'Run backtest' }).click();
      await form.getByText('Server: accepted').waitFor({ timeout: 30_000 });
      const complete = await waitFor('BACKTEST_COMPLETE on the wire', async () => reference.received.find((m) => m.event_type === 'BACKTEST_COMPLETE'), 180_000);
      assert.ok((complete.data.total_trades as number) > 0);
      // Reopened: a fresh form, no answer from the earlier run.
      await page.locator('[data-editor="backtest-form"] .close').click();
      await runFromPalette(page, 'Run Backtest');
      await form.locator('select[name="strategy"]').waitFor();
      assert.is(await form.locator('[data-backtest-outcome]').count(), 0);
      // Its report is titled with its own settings.
      const title = await page.locator(`[data-backtest="${complete.data.session_id}"]`).innerText();
      assert.match(title, /USDCHF H4/);
    } finally {
      reference.close();
    }
  });
});

test.run();
