import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import type { BacktestCompleteData } from '../../protocol/index.ts';
import { launchBrowser, openWorkbench, pageErrors, pageState, removeDir, serveStatic, startEngineServer, waitFor } from '../kit/browser.ts';

const root = new URL('../..', import.meta.url).pathname;
const fixturesDir = process.env.TRADELOOM_FIXTURE_RECORDINGS ?? join(root, 'fixtures/recordings');

/** The fixture recordings the real engine made; the smallest first, for speed. */
function fixtureRecordings(): string[] {
  if (!existsSync(fixturesDir)) return [];
  return readdirSync(fixturesDir)
    .filter((n) => n.endsWith('.jsonl'))
    .map((n) => join(fixturesDir, n))
    .sort((a, b) => readFileSync(a).length - readFileSync(b).length);
}

/** The recording's own final numbers: its BACKTEST_COMPLETE. */
function finalNumbers(path: string): BacktestCompleteData {
  const line = readFileSync(path, 'utf8').split('\n').reverse().find((l) => l.includes('"BACKTEST_COMPLETE"'));
  if (!line) throw new Error(`${path} has no BACKTEST_COMPLETE`);
  return JSON.parse(line).data as BacktestCompleteData;
}

function withCompleteBacktest(): string {
  const found = fixtureRecordings().find((p) => readFileSync(p, 'utf8').includes('"BACKTEST_COMPLETE"'));
  if (!found) throw new Error(`no recording with a BACKTEST_COMPLETE in ${fixturesDir}: the lead ships them (npm run backtest -- --record fixtures/recordings)`);
  return found;
}

let browser: Browser;
test.before(async () => {
  browser = await launchBrowser();
});
test.after(async () => {
  await browser?.close();
});

/** Plays to the end at full speed and checks the report against the recording's own numbers. */
async function replayToEndAndCheck(page: import('playwright-core').Page, expected: BacktestCompleteData) {
  await waitFor('the replay to reach its end', async () => (await page.getAttribute('[data-replay]', 'data-ended')) === 'true', 120_000);
  const report = await pageState(page, (s) => {
    const id = s.backtestOrder[s.backtestOrder.length - 1];
    const r = s.backtests[id];
    return { complete: r.complete, trades: r.trades, balance: r.balance };
  });
  assert.ok(report.complete, 'the report is complete');
  assert.is(report.complete!.final_balance, expected.final_balance);
  assert.is(report.complete!.total_trades, expected.total_trades);
  assert.is(report.complete!.total_return, expected.total_return);
  assert.is(report.complete!.max_drawdown, expected.max_drawdown);
  // The same numbers again, rebuilt by the reducer from the streamed trades themselves.
  assert.is(report.trades, expected.total_trades);
  assert.ok(Math.abs(report.balance - expected.final_balance) < 0.005, `balance from trades ${report.balance} vs ${expected.final_balance}`);
  // And on screen, in the backtest report editor.
  await page.locator('[data-view="backtests"] [data-backtest]').first().click();
  const shown = await page.locator('[data-metric="final_balance"] .value').innerText();
  assert.is(shown, expected.final_balance.toLocaleString('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 }));
  assert.is(await page.locator('[data-metric="total_trades"] .value').innerText(), expected.total_trades.toLocaleString('en-US'));
}

test('a local JSONL recording replays to its end with no server at all and shows the recording\'s final numbers', async () => {
  const recording = withCompleteBacktest();
  const expected = finalNumbers(recording);
  const site = await serveStatic(join(root, 'ui/dist'));
  try {
    const page = await openWorkbench(browser, site.url);
    const chooser = page.waitForEvent('filechooser');
    await page.getByText('Open local JSONL file…').click();
    await (await chooser).setFiles(recording);
    await replayToEndAndCheck(page, expected);
    assert.equal(pageErrors(page), []);
  } finally {
    await site.close();
  }
});

test('a recording from the real server\'s list replays through the same views to the same final numbers', async () => {
  const recording = withCompleteBacktest();
  const expected = finalNumbers(recording);
  const name = recording.split('/').pop()!;
  const dataDir = mkdtempSync(join(tmpdir(), 'tradeloom-e2e-replay-'));
  mkdirSync(join(dataDir, 'recordings'), { recursive: true });
  copyFileSync(recording, join(dataDir, 'recordings', name));
  // A file an editor left with only a byte-order mark: listed as empty, nothing to click.
  const EMPTY_NAME = '20240101-000000_backtest_0000-bom-only.jsonl';
  writeFileSync(join(dataDir, 'recordings', EMPTY_NAME), '\uFEFF\n');
  const server = await startEngineServer({ dataDir });
  try {
    const page = await openWorkbench(browser, server.url);
    await page.locator(`[data-recording="${name}"]`).click({ timeout: 30_000 });
    const empty = page.locator(`[data-recording="${EMPTY_NAME}"]`);
    assert.is(await empty.innerText(), `${EMPTY_NAME} · empty (no events)`);
    assert.is(await empty.evaluate((el) => el.tagName), 'SPAN', 'not a replay button');
    await replayToEndAndCheck(page, expected);
    // Seeking back and stepping folds the same reducer again: the start is clean.
    await page.locator('[aria-label="Seek"]').fill('0');
    assert.is(await pageState(page, (s) => s.eventsSeen), 0);
    await page.locator('[aria-label="Step"]').click();
    assert.is(await pageState(page, (s) => s.eventsSeen), 1);
    assert.equal(pageErrors(page), []);
  } finally {
    await server.stop();
    removeDir(dataDir);
  }
});

test('a paper-session recording replays to its end with the balance and symbol states it recorded', async () => {
  const recording = fixtureRecordings().find((p) => p.includes('_paper_'));
  if (!recording) throw new Error(`no paper recording in ${fixturesDir}`);
  const lines = readFileSync(recording, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l));
  const exits = lines.filter((e) => e.event_type === 'TRADE_EXIT');
  const lastState: Record<string, string> = {};
  for (const e of lines) if (e.event_type === 'STATE_TRANSITION') lastState[e.data.symbol] = e.data.to;
  const site = await serveStatic(join(root, 'ui/dist'));
  try {
    const page = await openWorkbench(browser, site.url);
    const chooser = page.waitForEvent('filechooser');
    await page.getByText('Open local JSONL file…').click();
    await (await chooser).setFiles(recording);
    await waitFor('the replay to reach its end', async () => (await page.getAttribute('[data-replay]', 'data-ended')) === 'true', 120_000);
    const got = await pageState(page, (s) => ({
      balance: s.bot.balance,
      seen: s.eventsSeen,
      states: Object.fromEntries(s.symbolOrder.map((x) => [x, s.symbols[x].state])),
    }));
    assert.is(got.seen, lines.filter((e) => e.event_type).length);
    if (exits.length) assert.is(got.balance, exits[exits.length - 1].data.balance_after);
    assert.equal(got.states, lastState);
    for (const [symbol, state] of Object.entries(lastState)) {
      assert.is(await page.locator(`.symbols [data-symbol="${symbol}"] .state-chip`).getAttribute('data-state'), state);
    }
  } finally {
    await site.close();
  }
});

test.run();
