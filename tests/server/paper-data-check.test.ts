import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { makeTempDir, stockHourlyExport } from '../kit/data-builders.ts';
import type { Json } from '../kit/server-kit.ts';
import { killAllServers, withConfiguredServer } from '../kit/server-process.ts';

// A config's data is checked against each symbol's spec wherever it is loaded, with the
// backtest's messages: the paper bot (`npm start -- --config`) warns on stderr and in
// BOT_INITIALIZATION, and the workbench's run_backtest carries the warning in BACKTEST_COMPLETE.
// Before, only `npm run backtest` and `npm run optimize` checked: a stock's 150.00 prices under
// EURUSD's 5-digit spec replayed without a word.

const dir = makeTempDir('tradeloom-paper-data-check-');
writeFileSync(join(dir.path, 'STOCK_H1.csv'), stockHourlyExport());
writeFileSync(join(dir.path, 'bot.json'), JSON.stringify({
  bot: { strategy: 'sma-crossover', params: { fast: 5, slow: 12 }, timeframe: 'H1', speed: 1_000_000, warmupBars: 30, autoStart: false, minTradesPerWeek: 1, maxTradesPerWeek: 4, symbols: [{ symbol: 'EURUSD', file: 'STOCK_H1.csv' }] },
}));
/** The backtest's warning for these prices under EURUSD's spec. */
const SCALE = /\S*STOCK_H1\.csv: prices have at most 2 decimals but EURUSD's spec has 5 digits: the price scale is far from the spec's[^\n]*/;

test('npm start warns of data off the spec\'s scale as the backtest does: on stderr and in BOT_INITIALIZATION', async () => {
  const b = spawnSync(process.execPath, ['--import', 'tsx', 'engine/cli/backtest.ts', '--config', join(dir.path, 'bot.json'), '--no-record', '--json'], { encoding: 'utf8' });
  assert.is(b.status, 0, b.stderr);
  const warning = SCALE.exec(b.stderr)?.[0];
  assert.ok(warning, `the backtest warns:\n${b.stderr}`);
  await withConfiguredServer(join(dir.path, 'bot.json'), join(dir.path, 'var-paper'), async (client, server) => {
    assert.ok(server.stderr().includes(`warning: ${warning}`), `npm start says the same before it serves:\n${server.stderr()}`);
    assert.is((await client.request({ type: 'start_bot' }, 'command_result')).ok, true);
    const init = await client.next((m) => m.event_type === 'BOT_INITIALIZATION');
    assert.equal(init.data.config.trading_settings.data_warnings, [warning]);
    // A config declares specs in the config, not with the backtest's flags.
    assert.match(warning!, /declare the instrument's own spec \(bot\.symbolSpecs\.EURUSD in [^)]*bot\.json\)$/);
  });
});

test('run_backtest of the configured symbol carries the same warning in BACKTEST_COMPLETE', async () => {
  await withConfiguredServer(join(dir.path, 'bot.json'), join(dir.path, 'var-backtest'), async (client) => {
    const reply = await client.request({ type: 'run_backtest', symbol: 'EURUSD', timeframe: 'H1' }, 'command_result');
    assert.is(reply.ok, true, reply.reason);
    const complete = await client.next((m: Json) => m.event_type === 'BACKTEST_COMPLETE' && m.session_id === reply.data.session_id, 0, 30_000);
    const warnings = complete.data.warnings as string[] | undefined;
    assert.ok(warnings?.some((w) => SCALE.test(w)), `BACKTEST_COMPLETE warnings: ${JSON.stringify(warnings)}`);
  });
});

test('start_optimisation on the config says the data\'s warning at once, and the recording keeps it with why the genetic search ran fewer trials and the configured weekly band', async () => {
  await withConfiguredServer(join(dir.path, 'bot.json'), join(dir.path, 'var-optimise'), async (client) => {
    const reply = await client.request({ type: 'start_optimisation', ranges: { fast: '4:6:1', slow: '12,14' }, method: 'genetic', trials: 50, population: 4 }, 'command_result');
    assert.is(reply.ok, true, reply.reason);
    const warnings = reply.data.warnings as string[];
    assert.is(warnings.length, 1, JSON.stringify(warnings));
    assert.match(warnings[0], SCALE);
    const complete = await client.next((m: Json) => m.type === 'optimisation_complete' && m.optimisation_id === reply.data.optimisation_id, 0, 120_000);
    assert.is(complete.done, 6);
    // The weeks are counted within the configured band, and every message says which.
    const progress = client.received.filter((m: Json) => m.type === 'optimisation_progress' && m.optimisation_id === reply.data.optimisation_id);
    assert.ok(progress.length > 0);
    for (const m of progress) assert.equal(m.band, { min: 1, max: 4 });
    assert.equal(complete.recording.band, { min: 1, max: 4 });
    assert.equal(complete.recording.notes, [warnings[0], 'genetic search: stopped after 6 of the 50 trials asked for: no combination that passes the constraints and was not run yet could be bred or drawn (6 combinations in the grid)']);
    const again = await client.request({ type: 'get_optimisation', name: reply.data.optimisation_id }, 'command_result');
    assert.equal(again.data.recording.notes, complete.recording.notes, 'the recording on disk keeps them');
  });
});

test.after(() => {
  killAllServers();
  dir.remove();
});
test.run();
