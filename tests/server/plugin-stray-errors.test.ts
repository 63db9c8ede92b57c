import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { TestClient, type Json } from '../kit/server-kit.ts';
import { killAllServers, startServerProcess } from '../kit/server-process.ts';

// A plugin's own timer or promise that throws is outside the hooks the engine calls (and
// guards), so Node's default ended the whole process: every symbol stopped, the positions were
// left unmanaged, the WebSocket and /healthz were gone. An `async onBar` that throws did the
// same through its rejected promise. Now the plugin is found from the stack, only the symbols
// running it are parked (ERROR naming the plugin, file and line), and the bot goes on.

const root = mkdtempSync(join(tmpdir(), 'tradeloom-stray-'));
test.after(() => {
  killAllServers();
  rmSync(root, { recursive: true, force: true });
});

test('a plugin throwing from its own timer or promise, an async onBar, or a plugin calling process.exit or killing its own process, parks only its symbol; the other symbol, the server and /healthz go on', async () => {
  const config = join(root, 'bot.json');
  writeFileSync(config, JSON.stringify({
    bot: {
      plugins: ['stray-timer', 'stray-promise', 'stray-async', 'stray-exit'].map((name) => resolve(`fixtures/plugins/${name}`)),
      symbols: [
        { symbol: 'USDCHF', strategy: 'stray-timer', params: { failAtIndex: 12 } },
        { symbol: 'EURUSD', strategy: 'stray-promise', params: { failAtIndex: 14 } },
        { symbol: 'XAUUSD', strategy: 'stray-async', params: { failAtIndex: 8 } },
        { symbol: 'USDJPY', strategy: 'stray-exit', params: { failAtIndex: 16 } },
        { symbol: 'GBPUSD', strategy: 'sma-crossover' },
      ],
      warmupBars: 5, speed: 50,
    },
  }));
  const server = startServerProcess(['--port', '0', '--data-dir', join(root, 'data'), '--config', config]);
  const url = await server.listening;
  const client = await TestClient.connect(`${url.replace('http', 'ws')}/ws`);
  // The bot starts with the server: what happened before this client connected is replayed.
  await client.request({ type: 'resume', last_seq: 0 }, 'resume_result');
  const errorOf = (source: string) => client.next((m) => m.event_type === 'ERROR' && m.data.source === source, 0, 60_000);
  const parkedAfter = (symbol: string, error: Json) => client.next((m) => m.event_type === 'STATE_TRANSITION' && m.data.symbol === symbol && m.data.to === 'faulted', client.received.indexOf(error), 10_000);
  try {
    const timer = await errorOf('stray-timer');
    assert.is(timer.data.symbol, 'USDCHF');
    assert.match(timer.data.error, /^strategy stray-timer failed in code of its own outside its hooks \(an uncaught exception at .*fixtures\/plugins\/stray-timer\/index\.ts:\d+:\d+\) on USDCHF: stray-timer: failed in a timer of its own$/);
    assert.match(timer.data.traceback, /at Timeout\.timerFails \(.*stray-timer\/index\.ts|at timerFails \(.*stray-timer\/index\.ts/);
    await parkedAfter('USDCHF', timer);
    const promise = await errorOf('stray-promise');
    assert.is(promise.data.symbol, 'EURUSD');
    assert.match(promise.data.error, /^strategy stray-promise failed in code of its own outside its hooks \(an unhandled rejection at .*stray-promise\/index\.ts:\d+:\d+\) on EURUSD: stray-promise: failed in a promise of its own$/);
    await parkedAfter('EURUSD', promise);
    // The async onBar is refused at its first call (a Promise is not a signal), and its later
    // rejection is caught with it: no second ERROR, no exit.
    const async = await errorOf('stray-async');
    assert.is(async.data.symbol, 'XAUUSD');
    assert.match(async.data.error, /^strategy stray-async failed in onBar \(warm-up\) on XAUUSD: returned a Promise \(an async onBar\?\): hooks must return synchronously/);
    // process.exit from onBar is refused as a throw from onBar (the symbol is parked), and the
    // process.kill(own pid) its timer then tries is refused too: the process lives on.
    const exit = await errorOf('stray-exit');
    assert.is(exit.data.symbol, 'USDJPY');
    assert.match(exit.data.error, /^strategy stray-exit failed in onBar on USDJPY: process\.exit\(3\) called by plugin stray-exit at .*stray-exit\/index\.ts:\d+:\d+ was refused: a plugin may not end the process it runs in$/);
    await parkedAfter('USDJPY', exit);
    // The feed goes on for the symbol whose plugin is sound, and the server answers meanwhile.
    for (let bars = 0, after = client.received.length; bars < 5; bars++) {
      const bar = await client.next((m) => m.event_type === 'BAR' && m.data.symbol === 'GBPUSD', after, 30_000);
      after = client.received.indexOf(bar) + 1;
    }
    assert.is((await fetch(`${url}/healthz`)).status, 200);
    const status = await client.request({ type: 'request_status' }, 'status');
    const states = Object.fromEntries((status.symbols as { symbol: string; state: string }[]).map((s) => [s.symbol, s.state]));
    assert.equal([states.USDCHF, states.EURUSD, states.XAUUSD, states.USDJPY], ['faulted', 'faulted', 'faulted', 'faulted']);
    assert.ok(states.GBPUSD !== 'faulted' && states.GBPUSD !== 'idle', `GBPUSD is ${states.GBPUSD}`);
    for (const source of ['stray-timer', 'stray-promise', 'stray-async', 'stray-exit']) {
      const seqs = new Set(client.received.filter((m) => m.event_type === 'ERROR' && m.data.source === source).map((m) => m.seq));
      assert.is(seqs.size, 1, `one ERROR from ${source}`);
    }
    assert.match(server.stderr(), /plugin stray-exit failed outside its hooks \(an uncaught exception at .*\): process\.kill\(\d+, "SIGKILL"\) called by plugin stray-exit at .* was refused/);
    assert.match(server.stderr(), /plugin stray-timer failed outside its hooks \(an uncaught exception at .*\): stray-timer: failed in a timer of its own; 1 symbol\(s\) parked/);
  } finally {
    await client.close();
  }
  server.child.kill('SIGTERM');
  assert.is(await server.exit, 0, server.stderr().slice(-2000));
});

test.run();
