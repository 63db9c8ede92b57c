import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { Page } from 'playwright-core';
import { waitFor } from '../kit/browser.ts';
import { ProtocolClient, sharedEngine, withEngine } from './engine-session.ts';
import { openRunForm } from './run-backtest-form.ts';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { encodeLines, makeTempDir, MT5_BARS_HEADER, mt5BarRow } from '../kit/data-builders.ts';

/**
 * Fills the Run Backtest form for USDCHF (and `model` when given), runs it, and opens its
 * finished report: BACKTEST_COMPLETE as the reference client received it, and the report.
 */
async function runFromForm(page: Page, reference: ProtocolClient, o: { timeframe: string; from: string; to: string; model?: string }) {
  const form = await openRunForm(page);
  await form.locator('select[name="symbol"]').selectOption('USDCHF');
  await form.locator('select[name="timeframe"]').selectOption(o.timeframe);
  await form.locator('input[name="from"]').fill(o.from);
  await form.locator('input[name="to"]').fill(o.to);
  if (o.model) await form.locator('select[name="model"]').selectOption(o.model);
  await form.getByRole('button', { name: 'Run backtest' }).click();
  await form.getByText('Server: accepted').waitFor({ timeout: 30_000 });
  const complete = await waitFor('BACKTEST_COMPLETE on the wire', async () => reference.received.find((m) => m.event_type === 'BACKTEST_COMPLETE'), 120_000);
  const sessionId = complete.data.session_id as string;
  await page.locator(`[data-view="backtests"] [data-backtest="${sessionId}"]`).click();
  const report = page.locator(`[data-backtest-report="${sessionId}"][data-complete="true"]`);
  await report.waitFor({ timeout: 30_000 });
  return { complete, sessionId, report };
}

// The first two tests run on one default server, each with its own reference client (which sees
// only what comes after it connects: its own backtest's BACKTEST_COMPLETE); the third has its own config.
const engine = sharedEngine(test);

test('the Run Backtest form starts a backtest on the server and its report fills in live to the engine\'s final numbers', async () => {
  await engine.withPage(async ({ server, page }) => {
    const reference = await ProtocolClient.connect(server.url);
    try {
      const { complete, sessionId, report } = await runFromForm(page, reference, { timeframe: 'H4', from: '1999-01-01', to: '1999-06-30' });
      assert.is(await report.locator('[data-metric="total_trades"] .value').innerText(), (complete.data.total_trades as number).toLocaleString('en-US'));
      const final = complete.data.final_balance as number;
      assert.is(await report.locator('[data-metric="final_balance"] .value').innerText(), final.toLocaleString('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 }));
      const weeks = reference.received.filter((m) => m.event_type === 'WEEKLY_SUMMARY' && m.session_id === sessionId).length;
      assert.is(await report.locator('tr[data-week]').count(), weeks);
      // The account's side, as the CLI summary prints it: loss per losing trade over the balance it was sized from, and the swap.
      const risk = complete.data.realized_risk as { losing_trades: number; median_pct: number; p90_pct: number; max_pct: number };
      assert.ok(risk.losing_trades > 0);
      assert.is(await report.locator('tr[data-stat="realized_risk"] td').innerText(), `median ${risk.median_pct.toFixed(2)} %, p90 ${risk.p90_pct.toFixed(2)} %, max ${risk.max_pct.toFixed(2)} % of balance`);
      const swap = complete.data.swap_total as number;
      assert.ok(swap !== 0, 'USDCHF positions held overnight are charged swap');
      assert.is(await report.locator('tr[data-stat="swap_total"] td').innerText(), swap.toLocaleString('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 }));
      // The default model says nothing.
      assert.is(complete.data.model, undefined);
      assert.is(await report.locator('tr[data-stat="model"]').count(), 0);
    } finally {
      reference.close();
    }
  });
});

test('the form runs a backtest under the real-ticks model: BACKTEST_START/COMPLETE say so and the report has the Model row', async () => {
  await engine.withPage(async ({ server, page }) => {
    const reference = await ProtocolClient.connect(server.url);
    try {
      const { complete, sessionId, report } = await runFromForm(page, reference, { timeframe: 'H1', from: '1999-01-01', to: '1999-03-31', model: 'ticks' });
      assert.is(complete.data.model, 'ticks');
      assert.is(reference.received.find((m) => m.event_type === 'BACKTEST_START' && m.session_id === sessionId)?.data.model, 'ticks');
      assert.is(await report.locator('tr[data-stat="model"] td').innerText(), 'real ticks: stops and targets tested on each tick or sample inside a bar');
    } finally {
      reference.close();
    }
  });
});

test('the real-ticks model on data of bars only: the refusal marks the Stops and targets select and names the data', async () => {
  // EURUSD from an MT5 bar export: 200 H1 bars, no ticks inside them.
  const dir = makeTempDir('tradeloom-e2e-bars-');
  try {
    const rows = Array.from({ length: 200 }, (_, i) => {
      const t = new Date(Date.UTC(1999, 0, 4) + i * 3_600_000);
      const p = (1.17 + 0.001 * Math.sin(i / 7)).toFixed(5);
      return mt5BarRow(t.toISOString().slice(0, 10).replaceAll('-', '.'), t.toISOString().slice(11, 19), p, p, p, p);
    });
    const file = join(dir.path, 'EURUSD_H1.csv');
    writeFileSync(file, encodeLines([MT5_BARS_HEADER, ...rows]));
    const config = join(dir.path, 'bot.json');
    writeFileSync(config, JSON.stringify({ bot: { symbols: [{ symbol: 'USDCHF' }, { symbol: 'EURUSD', file }] } }));
    await withEngine({ extraArgs: ['--config', config] }, async ({ page }) => {
      const form = await openRunForm(page);
      await form.locator('select[name="symbol"]').selectOption('EURUSD');
      await form.locator('select[name="timeframe"]').selectOption('H1');
      const select = form.locator('select[name="model"]');
      await select.selectOption('ticks');
      await form.getByRole('button', { name: 'Run backtest' }).click();
      await form.getByText('Server: refused').waitFor({ timeout: 30_000 });
      assert.is(await select.getAttribute('aria-invalid'), 'true');
      assert.match(await form.locator('#model-error').innerText(), /holds bars, not ticks or time,price samples/);
      assert.match(await select.getAttribute('aria-describedby') ?? '', /model-error/);
      // Choosing the other model clears the mark.
      await select.selectOption('bars');
      assert.is(await select.getAttribute('aria-invalid'), null);
      assert.is(await form.locator('#model-error').count(), 0);
    });
  } finally {
    dir.remove();
  }
});

test.run();
