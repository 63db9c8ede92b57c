import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createPaperBot, type PaperBot } from '../../engine/live/paper-bot.ts';
import { loadPlugins } from '../../engine/strategy/plugin-loader.ts';
import { startTestServer, TestClient } from '../kit/server-kit.ts';

// The Run Backtest form builds its choices from this answer: the real paper bot behind the real server.

async function withPaperBot(run: (client: TestClient) => Promise<void>): Promise<void> {
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
    await run(client);
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

test.run();
