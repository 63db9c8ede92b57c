import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { Page } from 'playwright-core';
import { pageErrors, runFromPalette, waitFor } from '../kit/browser.ts';
import { ProtocolClient, sharedEngine } from './engine-session.ts';

// One server for the three tests: each starts its own search from a fresh page, whose editor is the only one open.
const engine = sharedEngine(test);

/** Fills the Start Optimisation form for USDCHF H4 sma-crossover over 1998-1999H1 with these ranges. */
async function startFromForm(page: Page, fast: string, slow: string, dates = { from: '1998-01-01', to: '1999-06-30' }, more?: (form: ReturnType<Page['locator']>) => Promise<void>): Promise<void> {
  await runFromPalette(page, 'Start Optimisation');
  const form = page.locator('form[data-editor-type="optimisation-form"]');
  await form.waitFor();
  await waitFor('symbols in the form', async () => (await form.locator('select[name="symbol"] option').count()) > 0, 60_000);
  await form.locator('select[name="symbol"]').selectOption('USDCHF');
  await form.locator('select[name="timeframe"]').selectOption('H4');
  await form.locator('select[name="strategy"]').selectOption('sma-crossover');
  await form.locator('input[name="from"]').fill(dates.from);
  await form.locator('input[name="to"]').fill(dates.to);
  await form.locator('input[name="range-name-0"]').fill('fast');
  await form.locator('input[name="range-values-0"]').fill(fast);
  await form.locator('input[name="range-name-1"]').fill('slow');
  await form.locator('input[name="range-values-1"]').fill(slow);
  await form.locator('select[name="objective"]').selectOption('sharpe');
  await more?.(form);
  await form.getByRole('button', { name: 'Start optimisation' }).click();
}

test('the workbench starts a small grid: the table fills, the heatmap is drawn, PBO/DSR read out, and a row opens its backtest report', async () => {
  await engine.withPage(async ({ server, page }) => {
    const reference = await ProtocolClient.connect(server.url);
    try {
      await startFromForm(page, '4:12:4', '20,40');
      const editor = page.locator('[data-optimisation][data-running="false"]');
      await editor.locator('[data-finished]').waitFor({ timeout: 180_000 });
      const complete = await waitFor('the end announced to every client', async () => reference.received.find((m) => m.type === 'optimisation_complete'));
      const trials = complete.recording.trials as { id: string; params: { fast: number; slow: number }; metrics: { netProfit: number; finalBalance: number } }[];
      assert.is(trials.length, 6);
      assert.is(await editor.locator('[data-trial-table] tbody tr').count(), 6);
      // Ranked like the server's recording: best Sharpe first.
      assert.equal(await editor.locator('[data-trial-table] tbody tr').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-trial'))), trials.map((t) => t.id));
      assert.is(await editor.locator('[data-heatmap] [data-heatmap-cell]').count(), 6, 'fast 4,8,12 x slow 20,40');
      assert.match(await editor.locator('[data-dsr]').innerText(), /DSR \d\.\d{3}: after 6 trials/);
      assert.match(await editor.locator('[data-pbo]').innerText(), /PBO \d\.\d{3}: in .* ways to split/);
      // Sorting by a column reorders the rows; the rank stays the objective's.
      await editor.locator('button[data-sort="param:fast"]').click();
      const fasts = await editor.locator('[data-trial-table] tbody tr td:nth-child(2)').allInnerTexts();
      assert.equal(fasts.map(Number), [...fasts.map(Number)].sort((a, b) => a - b));
      // The best trial's row opens the full backtest report with the trial's own result.
      const best = trials[0];
      await editor.locator(`[data-trial="${best.id}"]`).click();
      const report = page.locator('[data-backtest-report][data-complete="true"]');
      await report.waitFor({ timeout: 120_000 });
      const final = best.metrics.finalBalance;
      assert.is(await report.locator('[data-metric="final_balance"] .value').innerText(), final.toLocaleString('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 }));
      assert.equal(pageErrors(page), []);
    } finally {
      reference.close();
    }
  });
});

test('a genetic search asked for more trials than the grid holds says in its editor why it ran fewer', async () => {
  await engine.withPage(async ({ page }) => {
    await startFromForm(page, '4:12:4', '20,40', undefined, async (form) => {
      await form.locator('select[name="method"]').selectOption('genetic');
      await form.locator('input[name="trials"]').fill('50');
    });
    const editor = page.locator('[data-optimisation][data-running="false"]');
    await editor.locator('[data-finished]').waitFor({ timeout: 180_000 });
    assert.is(await editor.locator('[data-trial-table] tbody tr').count(), 6);
    // The weeks column is named by the bot's weekly band (the defaults here), as the CLI's table is.
    assert.is(await editor.locator('button[data-sort="weeks"]').innerText(), 'Weeks 3-10');
    const notes = editor.locator('[data-run-notes]');
    assert.is(await notes.getAttribute('aria-label'), 'About this run');
    assert.match(await notes.innerText(), /genetic search: stopped after 6 of the 50 trials asked for: no combination that passes the constraints and was not run yet could be bred or drawn \(6 combinations in the grid\)/);
    assert.equal(pageErrors(page), []);
  });
});

test('Cancel in the editor stops a large grid; the rows that finished stay', async () => {
  await engine.withPage(async ({ page }) => {
    // Tens of thousands of trials on the whole H4 history (8,074 bars): still running when Cancel
    // is pressed, whatever the machine's pace (19,800 trials on 18 months finished first once
    // trials and the pool got faster).
    await startFromForm(page, '2:100:1', '101:400:1', { from: '1996-01-01', to: '2001-12-31' });
    const editor = page.locator('[data-optimisation][data-running="true"]');
    await waitFor('rows in the table', async () => (await page.locator('[data-trial-table] tbody tr').count()) > 0, 120_000).catch(async (err) => {
      throw new Error(`${(err as Error).message}; the page shows: ${(await page.locator('body').innerText().catch(() => '?')).slice(0, 600)}`);
    });
    await editor.locator('[data-cancel]').click();
    const finished = page.locator('[data-optimisation] [data-finished]');
    await finished.waitFor({ timeout: 120_000 });
    assert.match(await finished.innerText(), /stopped early/);
    const done = Number(await page.locator('[data-optimisation]').getAttribute('data-done'));
    assert.ok(done > 0 && done < 99 * 300, `${done} trials done`);
    assert.is(await page.locator('[data-trial-table] tbody tr').count(), Math.min(done, 200));
  });
});

test.run();
