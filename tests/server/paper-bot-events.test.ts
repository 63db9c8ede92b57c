import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { decodeLogEvent, SPEC_EVENT_TYPES } from '../../protocol/index.ts';
import { createPaperBot, type PaperBot } from '../../engine/live/paper-bot.ts';
import { loadPlugins } from '../../engine/strategy/plugin-loader.ts';
import { SPEC_DATA_FIELDS, startTestServer, TestClient, type Json } from '../kit/server-kit.ts';

// The spec's events as the real engine produces them: the paper bot on the shipped history,
// stepped by hand (no wall clock), behind the real server, seen by a real ws client.

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const TIMESTAMP = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}$/;

test('the paper bot behind the server produces every spec event with the spec envelope and data fields', async () => {
  const plugins = await loadPlugins([], { baseDir: process.cwd() });
  const bot = createPaperBot({
    symbols: [{ symbol: 'USDCHF', timeframe: 'M30' }, { symbol: 'EURUSD', timeframe: 'M30' }, { symbol: 'XAUUSD', timeframe: 'M30' }],
    strategies: new Map([...plugins].map(([id, p]) => [id, p.strategy])),
    strategy: 'sma-crossover',
    speed: 0.001, // the timer never fires: the test steps the feed itself
    balance: 10_000,
    riskPercent: 1,
    autoStart: false,
  });
  const t = await startTestServer<PaperBot>({}, { bot });
  try {
    await scenario(bot, t.wsUrl);
  } finally {
    await bot.shutdown();
    await t.close();
  }
});

async function scenario(bot: PaperBot, wsUrl: string): Promise<void> {
  const client = await TestClient.connect(wsUrl);
  const hello = await client.next((m) => m.type === 'connection_established');
  assert.equal(
    [hello.bot_status.running, hello.bot_status.error, hello.bot_status.trades_this_week, hello.bot_status.last_trade_time],
    [false, null, 0, null],
  );
  assert.is((await client.request({ type: 'start_bot' }, 'command_result')).ok, true);
  const has = (type: string) => client.received.some((m) => m.event_type === type);
  // Step in small batches and let the sockets drain between them, as the wall-clock feed does.
  for (let i = 0; i < 2000 && !(has('TRADE_EXIT') && has('DECISION') && has('PERFORMANCE')); i++) {
    bot.advance(10);
    await new Promise((r) => setImmediate(r));
  }
  const backtest = await client.request({ type: 'run_backtest', symbol: 'USDCHF', timeframe: 'H4', from: '1997-01-01', to: '1997-06-30' }, 'command_result');
  assert.is(backtest.ok, true, backtest.reason);
  await client.next((m) => m.event_type === 'BACKTEST_COMPLETE', 0, 60_000);
  bot.stop();
  const idle = await client.request({ type: 'ping' }, 'pong');
  assert.ok(idle);

  const events = client.received.filter((m) => m.event_type) as Json[];
  const byType = new Map<string, Json>();
  for (const e of events) if (!byType.has(e.event_type)) byType.set(e.event_type, e);
  const produced = SPEC_EVENT_TYPES.filter((type) => byType.has(type));
  // ERROR needs a fault; the engine emits it for broker rejections, which this run may not hit.
  const required = SPEC_EVENT_TYPES.filter((type) => type !== 'ERROR');
  for (const type of required) assert.ok(byType.has(type), `${type} produced (got ${[...byType.keys()].join(', ')})`);
  for (const type of produced) {
    const event = byType.get(type)!;
    assert.equal(Object.keys(event).sort(), ['data', 'event_type', 'level', 'seq', 'session_id', 'timestamp'], `${type} envelope`);
    assert.match(event.timestamp, TIMESTAMP, `${type} timestamp`);
    assert.match(event.session_id, UUID, `${type} session_id`);
    assert.ok(['INFO', 'ERROR', 'DEBUG'].includes(event.level));
    for (const field of SPEC_DATA_FIELDS[type]) assert.ok(field in event.data, `${type}.data.${field}`);
  }
  for (const event of events) {
    const decoded = decodeLogEvent(event);
    assert.ok(decoded.ok, `${event.event_type} #${event.seq} decodes: ${decoded.ok ? '' : decoded.details.join('; ')}`);
  }
  const init = byType.get('BOT_INITIALIZATION')!.data;
  assert.equal(init.config.symbols, ['USDCHF', 'EURUSD', 'XAUUSD']);
  assert.is(init.config.risk_parameters.risk_percent, 1);
  assert.is(init.rl_enabled, false);
  assert.is(init.mt5_connected, false);
  const seqs = events.map((e) => e.seq);
  seqs.forEach((s, i) => i > 0 && assert.is(s, seqs[i - 1] + 1, 'no gaps in seq'));
  const backtestEvents = events.filter((e) => e.session_id === backtest.data.session_id).map((e) => e.event_type);
  assert.is(backtestEvents[0], 'BACKTEST_START');
  assert.is(backtestEvents.at(-1), 'BACKTEST_COMPLETE');
  await client.close();
}

test.run();
