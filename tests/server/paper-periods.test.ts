import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { makeTempDir, mt5HourlyExport } from '../kit/data-builders.ts';
import type { Json } from '../kit/server-kit.ts';
import { killAllServers, startServerProcess, withConfiguredServer } from '../kit/server-process.ts';

// Review 2, findings 1 and 2: `npm start --config` keeps the backtest's period rule (refuses
// data that share no period, replays only the shared span of partly overlapping data, every
// symbol from one market time), and the workbench's run_backtest tests a symbol on its own file.

/** EURUSD H1 as MT5 exports it, weekdays from `first` for `days` days, its times written in the file's zone. */
function eurusdExport(first: string, days: number): Buffer {
  return mt5HourlyExport(first, days, { start: 1.1, decimals: 5, pad: 0.0004, step: (i) => 0.0025 * Math.sin(i / 11) + 0.0006 * Math.cos(i / 3) });
}

const dir = makeTempDir('tradeloom-paper-periods-');
// 2001-01..2001-06 beside the shipped USDCHF (1996-03..2001-03): they share 2001-01-01..2001-03-31.
// The file's times are UTC+4 (Etc/GMT-4), so its first bar is 2000-12-31 20:00 UTC and its H4
// bars (from local midnight) open at 20:00, 00:00, ... UTC, as the shipped USDCHF's do.
writeFileSync(join(dir.path, 'EURUSD_late.csv'), eurusdExport('2001-01-01', 180));
writeFileSync(join(dir.path, 'EURUSD_2024.csv'), eurusdExport('2024-01-01', 60));
const symbols = (file: string) => [{ symbol: 'EURUSD', file, timezone: 'Etc/GMT-4' }, { symbol: 'USDCHF' }];
const bot = { strategy: 'sma-crossover', params: { fast: 5, slow: 12 }, timeframe: 'H4', speed: 1_000_000, warmupBars: 30, autoStart: false };
writeFileSync(join(dir.path, 'partial.json'), JSON.stringify({ bot: { ...bot, symbols: symbols('EURUSD_late.csv') } }));
writeFileSync(join(dir.path, 'apart.json'), JSON.stringify({ bot: { ...bot, symbols: symbols('EURUSD_2024.csv') } }));

const backtest = (config: string) => spawnSync(process.execPath, ['--import', 'tsx', 'engine/cli/backtest.ts', '--config', join(dir.path, config), '--no-record', '--json'], { encoding: 'utf8' });
const H4 = 4 * 3_600_000;

test('data that share no period: npm start exits 2 before listening, with the backtest\'s message naming each symbol\'s span', async () => {
  const server = startServerProcess(['--config', join(dir.path, 'apart.json'), '--port', '0', '--data-dir', join(dir.path, 'var-apart')]);
  const outcome = await Promise.race([server.exit.then((code) => `exit ${code}`), server.listening.then((url) => `listening on ${url}`, () => 'exited')]);
  if (outcome.startsWith('listening')) server.child.kill('SIGKILL');
  assert.is(outcome, 'exit 2', `nothing is served: ${server.stderr()}`);
  const refusal = /bot\.symbols: the symbols' data share no period, and one account trades them together: [^\n]*?UTC \([^)]*\)\. /;
  const started = refusal.exec(server.stderr())?.[0];
  assert.ok(started, server.stderr());
  assert.match(started!, /EURUSD H4 2023-12-31 20:00 to [^;]*; USDCHF H4 1996-03-31 20:00 to 2001-03-31 00:00 UTC/);
  const b = backtest('apart.json');
  assert.is(b.status, 2);
  assert.ok(b.stderr.includes(started!), `the backtest's refusal says the same:\n${b.stderr}\n${started}`);
  assert.match(server.stderr(), /or run one symbol alone \(a config naming only that symbol\)/);
  assert.not.match(server.stderr(), /\n\s+at |internal error/, 'no stack trace');
});

test('partly overlapping data: npm start warns as the backtest does and replays only the shared span, every symbol from one market time', async () => {
  await withConfiguredServer(join(dir.path, 'partial.json'), join(dir.path, 'var-partial'), async (client, server) => {
    const warning = /warning: (the symbols' data cover different periods[^\n]*)/.exec(server.stderr())?.[1];
    assert.ok(warning, server.stderr());
    assert.match(warning!, /the span they share, 2000-12-31 20:00 to 2001-03-31 00:00 UTC: EURUSD H4 2000-12-31 20:00 to 2001-06-29 20:00 UTC/);
    const b = backtest('partial.json');
    assert.is(b.status, 0, b.stderr);
    assert.ok(b.stderr.includes(`backtest: warning: ${warning}`), `the backtest warns the same:\n${b.stderr}`);

    assert.is((await client.request({ type: 'start_bot' }, 'command_result')).ok, true);
    const init = await client.next((m) => m.event_type === 'BOT_INITIALIZATION');
    assert.equal(init.data.config.trading_settings.data_warnings, [warning]);
    const exhausted = await client.next((m) => m.event_type === 'BOT_STATUS' && /history is exhausted/.test(m.data.reason ?? ''), 0, 60_000);
    const events = client.received.filter((m) => m.event_type) as Json[];
    // The end of the history is not a user's stop (it said "bot stopped by user").
    assert.match(exhausted.data.reason, /^bot stopped: the recorded history is exhausted/);
    const stops = events.filter((e) => e.event_type === 'STATE_TRANSITION' && e.data.to === 'idle');
    assert.ok(stops.length >= 2 && stops.every((e) => /history is exhausted/.test(e.data.cause)), JSON.stringify(stops.map((e) => e.data.cause)));
    assert.not.ok(events.some((e) => /by user/.test(JSON.stringify(e.data))), 'nothing says the user stopped it');
    const bars = events.filter((e) => e.event_type === 'BAR');
    const first = (symbol: string) => bars.find((e) => e.data.symbol === symbol)!.data.time as string;
    // One market time for both (EURUSD's 30 warm-up bars are its first: it has none before the span).
    assert.is(first('USDCHF'), first('EURUSD'));
    assert.ok(first('USDCHF') >= '2000-12-31T20' && first('USDCHF') < '2001-01-15', `the replay starts in the shared span (${first('USDCHF')})`);
    for (const symbol of ['USDCHF', 'EURUSD']) assert.ok(bars.filter((e) => e.data.symbol === symbol).at(-1)!.data.time < '2001-03-31', `${symbol} ends with the span`);
    // Every event carries the market time being replayed: no 1996 USDCHF bar under a 2001 clock.
    const at = (iso: string) => Date.parse(`${iso.slice(0, 19)}Z`);
    for (const e of events) {
      // COMMAND records a user's command at the wall-clock time it came.
      if (e.session_id !== init.session_id || e.event_type === 'COMMAND') continue;
      assert.ok(e.timestamp >= first('USDCHF') && e.timestamp <= '2001-03-31T00:00:00.000000', `${e.event_type} at ${e.timestamp}`);
      if (e.event_type === 'BAR') assert.ok(at(e.timestamp) - at(e.data.time) >= 0 && at(e.timestamp) - at(e.data.time) <= H4, `BAR ${e.data.time} at ${e.timestamp}`);
      if (e.event_type === 'TRADE_EXIT') assert.ok(Math.abs(at(e.timestamp) - at(e.data.timestamp)) <= H4, `TRADE_EXIT ${e.data.timestamp} at ${e.timestamp}`);
    }
    assert.ok(events.some((e) => e.event_type === 'TRADE_EXIT'), 'the bot traded');
  });
});

test('run_backtest on a symbol the bot trades from a file tests that file, read in its zone, not synthetic bars', async () => {
  await withConfiguredServer(join(dir.path, 'partial.json'), join(dir.path, 'var-backtest'), async (client) => {
    const reply = await client.request({ type: 'run_backtest', symbol: 'EURUSD', timeframe: 'H1', from: '2000-12-31', to: '2001-01-02' }, 'command_result');
    assert.is(reply.ok, true, reply.reason);
    assert.not.match(reply.reason, /synthetic/);
    assert.is(reply.data.synthetic, false);
    // 2001-01-01 00:00 .. 2001-01-03 03:00 in UTC+4: four bars on 2000-12-31 (20:00-23:00 UTC) and two whole days.
    assert.is(reply.data.data_points, 4 + 48);
    const complete = await client.next((m) => m.event_type === 'BACKTEST_COMPLETE' && m.session_id === reply.data.session_id, 0, 30_000);
    assert.ok(complete);
    // A symbol without a file (USDCHF) still uses the shipped history.
    const usdchf = await client.request({ type: 'run_backtest', symbol: 'USDCHF', timeframe: 'H4', from: '1998-01-01', to: '1998-01-31' }, 'command_result');
    assert.is(usdchf.ok, true, usdchf.reason);
    assert.is(usdchf.data.synthetic, false);
  });
});

test.after(() => {
  killAllServers();
  dir.remove();
});
test.run();
