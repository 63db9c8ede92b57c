import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { execFileSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { launchBrowser, openWorkbench, pageConnection, pageErrors, removeDir, startEngineServer, waitFor } from '../kit/browser.ts';
import { drawnCharts } from './chart-probe.ts';
import { ProtocolClient } from './engine-session.ts';

const RUN = { type: 'run_backtest', symbol: 'USDCHF', timeframe: 'H4', from: '1998-01-01', to: '1999-12-31', strategy: 'sma-crossover' };

/** Runs one backtest on the server and returns its BACKTEST_COMPLETE. */
async function backtest(client: ProtocolClient, params: Record<string, unknown>): Promise<Record<string, any>> {
  const reply = await client.request({ ...RUN, params });
  assert.is(reply.ok, true, reply.reason);
  const id = reply.data.session_id;
  return waitFor('BACKTEST_COMPLETE', async () => client.received.find((m) => m.event_type === 'BACKTEST_COMPLETE' && m.data.session_id === id), 120_000);
}

/** `npm run backtest` with a parameter, recording into `dir`: a run the workbench has never seen. */
function cliBacktest(dir: string, fast: number): Record<string, any> {
  const out = execFileSync(process.execPath, ['--import', 'tsx', 'engine/cli/backtest.ts', '--symbol', RUN.symbol, '--timeframe', RUN.timeframe,
    '--from', RUN.from, '--to', RUN.to, '--strategy', RUN.strategy, '--set', `fast=${fast}`, '--record', dir, '--json'], { cwd: new URL('../..', import.meta.url).pathname, encoding: 'utf8' });
  return { data: JSON.parse(out) };
}

test('a recorded run and this session\'s run are listed with their parameters and range, and the Compare editor shows both side by side with two equity curves', async () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'tradeloom-compare-'));
  const browser = await launchBrowser();
  // A run from the command line, recorded where the server keeps its recordings.
  const earlier = cliBacktest(join(dataDir, 'recordings'), 5);
  const server = await startEngineServer({ dataDir });
  try {
    const page = await openWorkbench(browser, server.url);
    await waitFor('the page to connect', async () => (await pageConnection(page)).phase === 'open');
    const client = await ProtocolClient.connect(server.url);
    const now = await backtest(client, { fast: 10 });
    client.close();

    const list = page.locator('[data-view="backtests"]');
    const recorded = list.locator('[data-recorded-backtest]');
    await recorded.first().waitFor({ timeout: 30_000 });
    assert.is(await recorded.count(), 1);
    const recordedText = await recorded.innerText();
    assert.match(recordedText, /sma-crossover/);
    assert.match(recordedText, /fast=5 slow=30/);
    assert.match(recordedText, /1998-01-01 → 1999-12-31/);
    assert.match(recordedText, new RegExp(`${earlier.data.total_trades} trades`));
    await list.locator(`[data-backtest="${now.data.session_id}"]`).waitFor();
    assert.match(await list.locator(`[data-backtest="${now.data.session_id}"]`).innerText(), /fast=10 slow=30/);

    const compare = list.locator('[data-compare-open]');
    assert.ok(await compare.isDisabled(), 'nothing to compare with one run or none');
    await recorded.locator('input[type="checkbox"]').check();
    await list.locator(`[data-compare-pick="session:${now.data.session_id}"]`).check();
    await compare.click();
    const editor = page.locator('[data-compare-editor][data-runs="2"]');
    await editor.waitFor({ timeout: 30_000 });
    const columns = await editor.locator('thead [data-compare-run]').evaluateAll((ths) => ths.map((th) => th.getAttribute('data-compare-run')));
    assert.equal(columns, [earlier.data.session_id, now.data.session_id]);
    const cells = async (key: string) => editor.locator(`[data-compare-row="${key}"] td`).allInnerTexts();
    assert.equal(await cells('params'), ['fast=5 slow=30 stopLossPoints=500 takeProfitPoints=1000', 'fast=10 slow=30 stopLossPoints=500 takeProfitPoints=1000']);
    assert.equal(await cells('total_trades'), [String(earlier.data.total_trades), String(now.data.total_trades)]);
    assert.is.not(earlier.data.total_trades, now.data.total_trades);
    const net = await cells('net_profit');
    assert.equal(net.map((v) => Number(v.replace(/,/g, ''))), [earlier.data.report.stats.net_profit, now.data.report.stats.net_profit]);
    const [chart] = await drawnCharts(editor);
    assert.is(chart.name, 'compare-equity');
    assert.is(chart.drawn, 2, 'two equity curves');
    assert.is(chart.legend.length, 2);
    assert.is(new Set(chart.legend.map((k) => k.split('|')[1])).size, 2, 'in two colours');
    assert.match(chart.legend[0], /fast=5/);
    assert.equal(pageErrors(page), []);
  } finally {
    await browser.close();
    await server.stop();
    removeDir(dataDir);
  }
});

test.run();
