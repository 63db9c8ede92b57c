import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createPaperBot, type PaperBot } from '../../engine/live/paper-bot.ts';
import { loadPlugins } from '../../engine/strategy/plugin-loader.ts';
import { startTestServer, TestClient } from '../kit/server-kit.ts';

// The Run Backtest form builds its choices from this answer: the real paper bot behind the real server.

async function withPaperBot(run: (client: TestClient, wsUrl: string) => Promise<void>): Promise<void> {
  const plugins = await loadPlugins([], { baseDir: process.cwd() });
  const bot = createPaperBot({
    symbols: [{ symbol: 'USDCHF', timeframe: 'M30' }, { symbol: 'EURUSD', timeframe: 'M30' }],
    strategies: new Map([...plugins].map(([id, p]) => [id, p.strategy])),
    strategy: 'patterns-sr',
    speed: 0.001,
    balance: 10_000,
    riskPercent: 1,
    autoStart: false,
  });
  const t = await startTestServer<PaperBot>({}, { bot });
  const client = await TestClient.connect(t.wsUrl);
  try {
    await client.next((m) => m.type === 'connection_established');
    await run(client, t.wsUrl);
  } finally {
    client.close();
    await bot.shutdown();
    await t.close();
  }
}

test('backtest_options lists the bot\'s symbols, every timeframe and the strategies with descriptions, and is not audited', async () => {
  await withPaperBot(async (client) => {
    const reply = await client.request({ type: 'backtest_options' }, 'command_result');
    assert.is(reply.ok, true);
    assert.equal(reply.data.symbols, [{ symbol: 'USDCHF', synthetic: false, digits: 5 }, { symbol: 'EURUSD', synthetic: true, digits: 5 }]);
    assert.equal(reply.data.timeframes, ['M1', 'M5', 'M15', 'M30', 'H1', 'H4', 'D1']);
    const ids = reply.data.strategies.map((s: { id: string }) => s.id);
    for (const id of ['patterns-sr', 'sma-crossover']) assert.ok(ids.includes(id), id);
    assert.ok(reply.data.strategies.every((s: { description: string }) => s.description.length > 10));
    assert.equal(reply.data.default, { symbol: 'USDCHF', timeframe: 'H4', strategy: 'patterns-sr' });
    await client.request({ type: 'ping' }, 'pong');
    assert.not.ok(client.received.some((m) => m.event_type === 'COMMAND' && m.data.command === 'backtest_options'));
  });
});

test('the default combination trades on the shipped data', async () => {
  await withPaperBot(async (client) => {
    const { data } = await client.request({ type: 'backtest_options' }, 'command_result');
    const started = await client.request({ type: 'run_backtest', ...data.default }, 'command_result');
    assert.is(started.ok, true, started.reason);
    const complete = await client.next((m) => m.event_type === 'BACKTEST_COMPLETE', 0, 120_000);
    assert.ok(complete.data.total_trades > 0, `${complete.data.total_trades} trades`);
  });
});

test('a range that ends before it starts is refused in the user\'s words, without the loader\'s name', async () => {
  await withPaperBot(async (client) => {
    const reply = await client.request({ type: 'run_backtest', symbol: 'USDCHF', timeframe: 'H4', from: '2000-01-01', to: '1999-01-01' }, 'command_result');
    assert.is(reply.ok, false);
    assert.match(reply.reason, /'to' \(1999-01-01\) must be after 'from' \(2000-01-01\)/);
    assert.not.match(reply.reason, /loadHistory/);
  });
});

test('backtest_options describes each strategy\'s parameters from its codec: name, type, default and the plugin\'s description', async () => {
  await withPaperBot(async (client) => {
    const { data } = await client.request({ type: 'backtest_options' }, 'command_result');
    const sma = data.strategies.find((s: { id: string }) => s.id === 'sma-crossover');
    assert.equal(sma.params.map((p: { name: string }) => p.name), ['fast', 'slow', 'stopLossPoints', 'takeProfitPoints']);
    assert.equal(sma.params[0], { name: 'fast', type: 'positive integer', kind: 'number', default: 10, description: 'Bars of the fast average' });
    const patterns = data.strategies.find((s: { id: string }) => s.id === 'patterns-sr');
    assert.is(patterns.params.find((p: { name: string }) => p.name === 'patterns').kind, 'json');
  });
});

test('run_backtest params: the codec refuses a bad value or an unknown name naming the field; a good value changes the run', async () => {
  await withPaperBot(async (client) => {
    const base = { type: 'run_backtest', symbol: 'USDCHF', timeframe: 'H4', from: '1998-01-01', to: '1999-12-31', strategy: 'sma-crossover' };
    const bad = await client.request({ ...base, params: { fast: 0 } }, 'command_result');
    assert.is(bad.ok, false);
    assert.match(bad.reason, /params\.fast: expected positive integer, got 0/);
    assert.is(bad.data.field, 'fast');
    const unknown = await client.request({ ...base, params: { fastest: 3 } }, 'command_result');
    assert.is(unknown.ok, false);
    assert.match(unknown.reason, /params\.fastest: strategy "sma-crossover" has no parameter "fastest"/);
    assert.is(unknown.data.field, 'fastest');
    const runs: Record<string, any>[] = [];
    for (const params of [undefined, { fast: 5 }]) {
      const started = await client.request({ ...base, ...(params ? { params } : {}) }, 'command_result');
      assert.is(started.ok, true, started.reason);
      const id = started.data.session_id;
      const start = await client.next((m) => m.event_type === 'BACKTEST_START' && m.data.session_id === id, 0, 60_000);
      const complete = await client.next((m) => m.event_type === 'BACKTEST_COMPLETE' && m.data.session_id === id, 0, 120_000);
      runs.push({ start, complete });
    }
    assert.equal(runs[0].start.data.params, { USDCHF: { fast: 10, slow: 30, stopLossPoints: 500, takeProfitPoints: 1000 } });
    assert.equal(runs[1].start.data.params, { USDCHF: { fast: 5, slow: 30, stopLossPoints: 500, takeProfitPoints: 1000 } });
    assert.is.not(runs[1].complete.data.total_trades, runs[0].complete.data.total_trades);
    // The audit log says which model a run asked for.
    const ticks = await client.request({ ...base, from: '1999-01-01', to: '1999-03-31', model: 'ticks', request_id: 'ticks-1' }, 'command_result');
    assert.is(ticks.ok, true, ticks.reason);
    const audit = await client.next((m) => m.event_type === 'COMMAND' && m.data.command === 'run_backtest' && m.data.params.model === 'ticks', 0, 30_000);
    assert.is(audit.data.params.from, '1999-01-01');
    await client.next((m) => m.event_type === 'BACKTEST_COMPLETE' && m.data.session_id === ticks.data.session_id, 0, 120_000);
  });
});

test('a running backtest lets the server through: another client is answered and a second run_backtest is refused as busy before it ends', async () => {
  await withPaperBot(async (client, wsUrl) => {
    const other = await TestClient.connect(wsUrl);
    try {
      await other.next((m) => m.type === 'connection_established');
      // The whole USDCHF M30 history, 62,496 bars: seconds of events to every client.
      const started = await client.request({ type: 'run_backtest', symbol: 'USDCHF', timeframe: 'M30', strategy: 'sma-crossover', request_id: 'long' }, 'command_result');
      assert.is(started.ok, true, started.reason);
      const id = started.data.session_id;
      other.send({ type: 'ping' });
      other.send({ type: 'run_backtest', symbol: 'USDCHF', timeframe: 'H4', request_id: 'second' });
      const complete = await other.next((m) => m.event_type === 'BACKTEST_COMPLETE' && m.data.session_id === id, 0, 120_000);
      // In the order this socket got them (the server's order, however slowly the test reads):
      // before, the run held the event loop from its first bar to its last, so the ping and the
      // second request were read after BACKTEST_COMPLETE went out, and the second then ran.
      const at = (match: (m: Record<string, any>) => boolean) => other.received.findIndex(match);
      const end = other.received.indexOf(complete);
      const pong = at((m) => m.type === 'pong');
      const second = at((m) => m.type === 'command_result' && m.request_id === 'second');
      assert.ok(pong >= 0 && pong < end, `pong at ${pong}, BACKTEST_COMPLETE at ${end}`);
      assert.ok(second >= 0 && second < end, `second reply at ${second}, BACKTEST_COMPLETE at ${end}`);
      assert.is(other.received[second].ok, false);
      assert.match(other.received[second].reason, /a backtest is already running/);
    } finally {
      other.close();
    }
  });
});

test.run();
