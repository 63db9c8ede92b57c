import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { TestClient } from '../kit/server-kit.ts';
import { killAllServers, startServerProcess } from '../kit/server-process.ts';

// A strategy stuck in a loop that never ends. JavaScript runs the bot, the feed and the server on
// one thread, so before, one symbol's `onBar` in a `for (;;)` froze everything: no bar for any
// symbol, no answer on the WebSocket, /healthz hung, and the positions were left unmanaged. Now
// each plugin hook in the bot runs under `bot.pluginTimeoutMs`: the call is stopped, ERROR names
// the plugin and the hook, and only that symbol is parked (faulted); a backtest the server runs
// for a client is stopped at 12 times that limit per slice of bars and ends with its error.

const root = mkdtempSync(join(tmpdir(), 'tradeloom-time-limit-'));
test.after(() => {
  killAllServers();
  rmSync(root, { recursive: true, force: true });
});

test('a plugin looping forever in onBar is stopped at bot.pluginTimeoutMs: its symbol is parked, the other symbol, the server and /healthz go on', async () => {
  const config = join(root, 'bot.json');
  writeFileSync(config, JSON.stringify({
    bot: {
      plugins: [resolve('fixtures/plugins/looping-plugin')],
      symbols: [{ symbol: 'USDCHF', strategy: 'looping-plugin', params: { loopAtIndex: 12 } }, { symbol: 'EURUSD', strategy: 'sma-crossover' }],
      warmupBars: 5, speed: 50, pluginTimeoutMs: 300,
    },
  }));
  const server = startServerProcess(['--port', '0', '--data-dir', join(root, 'data'), '--config', config]);
  const url = await server.listening;
  const client = await TestClient.connect(`${url.replace('http', 'ws')}/ws`);
  try {
    const error = await client.next((m) => m.event_type === 'ERROR' && m.data.source === 'looping-plugin', 0, 60_000);
    assert.is(error.data.symbol, 'USDCHF');
    assert.match(error.data.error, /^strategy looping-plugin failed in onBar on USDCHF: onBar ran for more than 300 ms and was stopped/);
    assert.match(error.data.error, /bot\.pluginTimeoutMs sets the limit/);
    const at = client.received.indexOf(error);
    const parked = await client.next((m) => m.event_type === 'STATE_TRANSITION' && m.data.symbol === 'USDCHF' && m.data.to === 'faulted', at, 10_000);
    assert.match(parked.data.cause, /^plugin looping-plugin onBar ran for more than 300 ms and was stopped/);
    // The feed goes on for the other symbol, and the server answers while it does.
    for (let bars = 0, after = client.received.length; bars < 5; bars++) {
      const bar = await client.next((m) => m.event_type === 'BAR' && m.data.symbol === 'EURUSD', after, 30_000);
      after = client.received.indexOf(bar) + 1;
    }
    assert.is((await fetch(`${url}/healthz`)).status, 200);
    const status = await client.request({ type: 'request_status' }, 'status');
    const states = Object.fromEntries((status.symbols as { symbol: string; state: string }[]).map((s) => [s.symbol, s.state]));
    assert.is(states.USDCHF, 'faulted');
    assert.ok(states.EURUSD !== 'faulted' && states.EURUSD !== 'idle', `EURUSD is ${states.EURUSD}`);
    // A parked symbol is not called again: no second ERROR from the plugin while EURUSD trades on.
    assert.is(client.received.filter((m) => m.event_type === 'ERROR' && m.data.source === 'looping-plugin').length, 1);
  } finally {
    await client.close();
  }
  server.child.kill('SIGTERM');
  assert.is(await server.exit, 0, server.stderr().slice(-2000));
});

test('a backtest a client runs with a looping plugin is stopped and ends with its error; the server answers meanwhile and after', async () => {
  const config = join(root, 'bot-bt.json');
  writeFileSync(config, JSON.stringify({ bot: { plugins: [resolve('fixtures/plugins/looping-plugin')], symbols: [{ symbol: 'USDCHF' }], speed: 1, pluginTimeoutMs: 250 } }));
  const server = startServerProcess(['--port', '0', '--data-dir', join(root, 'data-bt'), '--config', config]);
  const url = await server.listening;
  const client = await TestClient.connect(`${url.replace('http', 'ws')}/ws`);
  try {
    const reply = await client.request({ type: 'run_backtest', symbol: 'USDCHF', timeframe: 'H4', from: '1999-01-01', to: '1999-06-01', strategy: 'looping-plugin', params: { loopAtIndex: 40 }, request_id: 'loop' }, 'command_result');
    assert.ok(reply.ok, reply.reason);
    const session = reply.data.session_id;
    const complete = await client.next((m) => m.event_type === 'BACKTEST_COMPLETE' && m.data.session_id === session, 0, 60_000);
    assert.match(complete.data.error, /^strategy looping-plugin did not return: \d+ bars ran for more than 3000 ms and were stopped at the bar closing 1999-0\d-\d\dT/);
    const error = client.received.find((m) => m.event_type === 'ERROR' && m.session_id === session);
    assert.ok(error, 'an ERROR in the backtest session');
    assert.match(error!.data.error, /^backtest failed: strategy looping-plugin did not return/);
    // The server is free again: a second backtest runs to its end.
    assert.is((await fetch(`${url}/healthz`)).status, 200);
    const again = await client.request({ type: 'run_backtest', symbol: 'USDCHF', timeframe: 'H4', from: '1999-01-01', to: '1999-03-01', strategy: 'sma-crossover', request_id: 'after' }, 'command_result');
    assert.ok(again.ok, again.reason);
    const done = await client.next((m) => m.event_type === 'BACKTEST_COMPLETE' && m.data.session_id === again.data.session_id, 0, 60_000);
    assert.is(done.data.error, undefined);
  } finally {
    await client.close();
  }
  server.child.kill('SIGTERM');
  assert.is(await server.exit, 0, server.stderr().slice(-2000));
});

test.run();
