import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { removeDir, startEngineServer, type EngineServer } from '../kit/browser.ts';
import { TestClient, type Json } from '../kit/server-kit.ts';

// The real server (`npm start`, paper bot running, the throwing fixture plugin loaded) and a real
// ws client: a parameter the plugin refuses when it starts is refused before anything runs, and a
// backtest that still fails mid-run ends in its own session (reviewer: the ERROR carried the
// paper bot's session and no symbol, and no BACKTEST_COMPLETE came).
let server: EngineServer;
let configDir: string;
const range = { symbol: 'USDCHF', timeframe: 'H4', from: '1999-01-01', to: '1999-03-01' };

test.before(async () => {
  configDir = mkdtempSync(join(tmpdir(), 'tradeloom-bt-fail-'));
  const config = join(configDir, 'bot.json');
  writeFileSync(config, JSON.stringify({ bot: { plugins: [resolve('fixtures/plugins/throwing-plugin')] } }));
  server = await startEngineServer({ extraArgs: ['--config', config] });
});

test.after(async () => {
  await server.stop();
  removeDir(server.dataDir);
  removeDir(configDir);
});

const connect = () => TestClient.connect(`${server.url.replace(/^http/, 'ws')}/ws`, { origin: server.url });

test('a patterns-sr parameter its level finder refuses (fractalBars 0, atrPeriod 1.5 or -1) is refused before anything runs, naming the field', async () => {
  const c = await connect();
  try {
    const cases: [Json, string, RegExp][] = [
      [{ fractalBars: 0 }, 'fractalBars', /^params\.fractalBars: expected positive integer, got 0 \(strategy patterns-sr\)$/],
      [{ atrPeriod: 1.5 }, 'atrPeriod', /^params\.atrPeriod: expected positive integer, got 1\.5/],
      [{ atrPeriod: -1 }, 'atrPeriod', /^params\.atrPeriod: expected positive integer, got -1/],
    ];
    for (const [params, field, reason] of cases) {
      const mark = c.received.length;
      const reply = await c.request({ type: 'run_backtest', ...range, strategy: 'patterns-sr', params, request_id: 'bad' }, 'command_result');
      assert.is(reply.ok, false, JSON.stringify(params));
      assert.match(reply.reason, reason);
      assert.is(reply.data.field, field);
      // Nothing started: the next backtest's start is the next one this client sees.
      const good = await c.request({ type: 'run_backtest', ...range, strategy: 'patterns-sr', request_id: 'good' }, 'command_result');
      assert.ok(good.ok, good.reason);
      const start = await c.next((m) => m.event_type === 'BACKTEST_START', mark);
      assert.is(start.data.session_id, good.data.session_id);
      await c.next((m) => m.event_type === 'BACKTEST_COMPLETE' && m.data.session_id === good.data.session_id, mark, 60_000);
    }
  } finally {
    await c.close();
  }
});

test('a plugin that throws when it starts is refused by the dry run before the reply; nothing runs', async () => {
  const c = await connect();
  try {
    const mark = c.received.length;
    const reply = await c.request({ type: 'run_backtest', ...range, strategy: 'throwing-plugin', params: { throwAtStart: 'always' }, request_id: 'dry' }, 'command_result');
    assert.is(reply.ok, false);
    assert.match(reply.reason, /^params: strategy throwing-plugin refused its parameters: throwing-plugin: deliberate failure at start/);
    assert.ok(!c.received.slice(mark).some((m) => m.event_type === 'BACKTEST_START'), 'no BACKTEST_START');
  } finally {
    await c.close();
  }
});

test('a backtest failing after its BACKTEST_START sends ERROR in its own session with its symbol and a time not before its start, then BACKTEST_COMPLETE with error', async () => {
  const c = await connect();
  try {
    const mark = c.received.length;
    const reply = await c.request({ type: 'run_backtest', ...range, strategy: 'throwing-plugin', params: { throwAtStart: 'with-bars' }, request_id: 'mid' }, 'command_result');
    assert.ok(reply.ok, reply.reason);
    const sid = reply.data.session_id as string;
    const complete = await c.next((m) => m.event_type === 'BACKTEST_COMPLETE' && m.data.session_id === sid, mark, 30_000)
      .catch((err): never => {
        throw new Error(`no BACKTEST_COMPLETE for the failed backtest: ${(err as Error).message}`);
      });
    assert.match(complete.data.error, /deliberate failure at start/);
    const session = c.received.slice(mark).filter((m) => m.session_id === sid);
    const start = session.find((m) => m.event_type === 'BACKTEST_START')!;
    const error = session.find((m) => m.event_type === 'ERROR')!;
    assert.ok(start && error, session.map((m) => m.event_type).join(','));
    assert.equal({ symbol: error.data.symbol, source: error.data.source }, { symbol: 'USDCHF', source: 'backtest' });
    assert.match(error.data.error, /^backtest failed: throwing-plugin: deliberate failure at start/);
    const times = session.map((m) => m.timestamp as string);
    assert.equal(times, [...times].sort(), 'the session\'s times never go back');
    assert.ok(!c.received.slice(mark).some((m) => m.event_type === 'ERROR' && m.session_id !== sid && /backtest failed/.test(m.data.error)), 'no ERROR in the paper session');
    // The session is closed: the next backtest may start.
    const next = await c.request({ type: 'run_backtest', ...range, strategy: 'patterns-sr', request_id: 'after' }, 'command_result');
    assert.ok(next.ok, next.reason);
  } finally {
    await c.close();
  }
});

test('an optimisation whose strategy throws in a trial ends with optimisation_complete carrying the error, naming the combination, and the planned count its start reply gave', async () => {
  const c = await connect();
  try {
    const mark = c.received.length;
    const reply = await c.request({ type: 'start_optimisation', ...range, strategy: 'throwing-plugin', ranges: { throwAtIndex: '5,50,500' }, method: 'grid', request_id: 'opt' }, 'command_result');
    assert.ok(reply.ok, reply.reason);
    assert.is(reply.data.combinations, 3);
    const done = await c.next((m) => m.type === 'optimisation_complete' && m.optimisation_id === reply.data.optimisation_id, mark, 120_000);
    assert.is(done.stopped, true);
    assert.is(done.recording, null);
    assert.match(done.error, /^trial throwAtIndex=\d+: strategy throwing-plugin failed in onBar on USDCHF: .*so the search stopped$/);
    assert.is(done.planned, 3);
  } finally {
    await c.close();
  }
});

test.run();
