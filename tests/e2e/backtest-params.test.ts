import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { seriousViolations } from '../kit/axe.ts';
import { runFromPalette, waitFor } from '../kit/browser.ts';
import { ProtocolClient, withEngine } from './engine-session.ts';

test('the Run Backtest form offers the strategy\'s parameters from its codec, refuses a bad value naming the field, and a good value changes the run', async () => {
  await withEngine({}, async ({ server, page }) => {
    const reference = await ProtocolClient.connect(server.url);
    try {
      await runFromPalette(page, 'Run Backtest');
      const form = page.locator('form[data-editor-type="backtest-form"]');
      await form.locator('select[name="strategy"]').waitFor({ timeout: 30_000 });
      await form.locator('select[name="strategy"]').selectOption('sma-crossover');
      const params = form.locator('[data-strategy-params="sma-crossover"]');
      await params.waitFor();
      assert.equal(await params.locator('[data-param]').evaluateAll((els) => els.map((e) => e.getAttribute('data-param'))), ['fast', 'slow', 'stopLossPoints', 'takeProfitPoints']);
      assert.is(await params.locator('input[name="param-fast"]').inputValue(), '10');
      assert.match(await params.locator('[data-param="fast"]').innerText(), /positive integer/);
      await form.locator('select[name="symbol"]').selectOption('USDCHF');
      await form.locator('select[name="timeframe"]').selectOption('H4');
      await form.locator('input[name="from"]').fill('1998-01-01');
      await form.locator('input[name="to"]').fill('1999-12-31');

      // Refused by the plugin's codec on the server, the field named and marked.
      await params.locator('input[name="param-fast"]').fill('0');
      await form.getByRole('button', { name: 'Run backtest' }).click();
      const error = form.locator('[data-param-error="fast"]');
      await error.waitFor({ timeout: 15_000 });
      assert.match(await error.innerText(), /params\.fast: expected positive integer, got 0/);
      assert.is(await params.locator('input[name="param-fast"]').getAttribute('aria-invalid'), 'true');
      assert.match(await form.locator('[data-backtest-outcome]').innerText(), /refused/);
      assert.not.ok(reference.received.some((m) => m.event_type === 'BACKTEST_START'));
      // The fields and the refusal are accessible in both themes.
      const found = await seriousViolations(page, 'run backtest form (dark)');
      await runFromPalette(page, 'Toggle Light / Dark Theme');
      found.push(...(await seriousViolations(page, 'run backtest form (light)')));
      assert.equal(found, [], found.join('\n'));

      // The defaults, then fast=5: the runs differ, and each says what it ran with.
      const runs: Record<string, any>[] = [];
      for (const fast of ['10', '5']) {
        await params.locator('input[name="param-fast"]').fill(fast);
        await form.getByRole('button', { name: 'Run backtest' }).click();
        await form.getByText('Server: accepted').waitFor({ timeout: 30_000 });
        assert.is(await form.locator('[data-param-error]').count(), 0);
        const n = runs.length;
        const complete = await waitFor('BACKTEST_COMPLETE on the wire', async () => reference.received.filter((m) => m.event_type === 'BACKTEST_COMPLETE')[n], 120_000);
        runs.push(complete);
      }
      const starts = reference.received.filter((m) => m.event_type === 'BACKTEST_START');
      assert.is(starts[0].data.params.USDCHF.fast, 10);
      assert.is(starts[1].data.params.USDCHF.fast, 5);
      assert.is.not(runs[1].data.total_trades, runs[0].data.total_trades);
      // The report shows the parameters it ran with.
      const id = runs[1].data.session_id as string;
      await page.locator(`[data-view="backtests"] [data-backtest="${id}"]`).click();
      const report = page.locator(`[data-backtest-report="${id}"][data-complete="true"]`);
      await report.waitFor({ timeout: 30_000 });
      assert.match(await report.locator('[data-report-params]').innerText(), /fast\s*5/);
    } finally {
      reference.close();
    }
  });
});

test.run();
