import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { BotStatusCodec, decodeLogEvent, SPEC_EVENT_TYPES } from '../../protocol/index.ts';
import { startTestServer, TestClient, type Json, type TestServer } from '../kit/server-kit.ts';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
const TIMESTAMP = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}$/;
let t: TestServer;

test.before.each(async () => {
  t = await startTestServer();
});
test.after.each(async () => {
  await t.close();
});

test('on connect the server sends connection_established with a uuid connection_id and the spec bot_status', async () => {
  const client = await TestClient.connect(t.wsUrl);
  const hello = await client.next((m) => m.type === 'connection_established');
  assert.match(hello.connection_id, UUID);
  assert.equal(Object.keys(hello.bot_status).slice(0, 5).sort(), ['connected', 'error', 'last_trade_time', 'running', 'trades_this_week']);
  assert.is(hello.bot_status.running, false);
  assert.is(hello.bot_status.connected, false);
  assert.is(hello.bot_status.error, null);
  assert.is(hello.bot_status.trades_this_week, 0);
  assert.is(hello.bot_status.last_trade_time, null);
  assert.ok(BotStatusCodec.is(hello.bot_status));
  const other = await TestClient.connect(t.wsUrl);
  const hello2 = await other.next((m) => m.type === 'connection_established');
  assert.is.not(hello2.connection_id, hello.connection_id, 'each connection gets its own id');
  await client.close();
  await other.close();
});

test('ping is answered with exactly {"type":"pong"}, echoing request_id when given', async () => {
  const client = await TestClient.connect(t.wsUrl);
  assert.equal(await client.request({ type: 'ping' }, 'pong'), { type: 'pong' });
  assert.equal(await client.request({ type: 'ping', request_id: 7 }, 'pong'), { type: 'pong', request_id: 7 });
  await client.close();
});

test('request_status answers with the current bot status object', async () => {
  const client = await TestClient.connect(t.wsUrl);
  t.bot.start();
  t.bot.init();
  t.bot.entry('USDCHF');
  const status = await client.request({ type: 'request_status' }, 'status');
  assert.is(status.running, true);
  assert.is(status.connected, true);
  assert.is(status.error, null);
  assert.is(status.trades_this_week, 1);
  assert.type(status.last_trade_time, 'string');
  assert.is(status.last_seq, t.server.broadcaster.lastSeq);
  await client.close();
});

test('every spec event type reaches the client with the envelope and data fields as written, and a strictly increasing seq', async () => {
  const client = await TestClient.connect(t.wsUrl);
  const b = t.bot;
  b.init();
  b.entry('USDCHF');
  b.emit('DECISION', 'INFO', { symbol: 'USDCHF', decision: 'skip_max_trades_reached', reason: 'weekly maximum of 10 reached', trades_this_week: 10, max_trades: 10, aggression_multiplier: 1.5 });
  b.exit('USDCHF');
  b.emit('ERROR', 'ERROR', { error: 'Error message', traceback: 'Full stack trace', symbol: 'USDCHF' });
  b.emit('PERFORMANCE', 'INFO', { total_trades: 25, win_rate: 0.65, total_profit: 1250, max_drawdown: 0.08, weekly_target: { min_trades: 3, max_trades: 10, current_trades: 5 } });
  b.runBacktest({ symbol: 'USDCHF', timeframe: 'M30' });
  await client.next((m) => m.event_type === 'BACKTEST_COMPLETE');
  const events = client.received.filter((m) => m.event_type);
  const byType = new Map<string, Json>(events.map((e) => [e.event_type, e]));
  for (const type of SPEC_EVENT_TYPES) {
    const event = byType.get(type);
    assert.ok(event, `${type} was broadcast`);
    assert.equal(Object.keys(event!).sort(), ['data', 'event_type', 'level', 'seq', 'session_id', 'timestamp'], `${type} envelope`);
    assert.match(event!.timestamp, TIMESTAMP);
    assert.match(event!.session_id, UUID);
    assert.ok(['INFO', 'ERROR', 'DEBUG'].includes(event!.level));
    const decoded = decodeLogEvent(event);
    assert.ok(decoded.ok, `${type} decodes: ${decoded.ok ? '' : decoded.details.join('; ')}`);
  }
  const spec: Record<string, string[]> = {
    BOT_INITIALIZATION: ['config', 'rl_enabled', 'mt5_connected'],
    TRADE_ENTRY: ['symbol', 'direction', 'price', 'lot_size', 'stop_loss', 'take_profit', 'patterns_detected', 'sr_levels', 'aggression_multiplier', 'trades_this_week', 'execution_result'],
    TRADE_EXIT: ['symbol', 'exit_price', 'exit_reason', 'pnl', 'balance_after', 'timestamp'],
    DECISION: ['symbol', 'decision', 'reason', 'trades_this_week', 'max_trades', 'aggression_multiplier'],
    ERROR: ['error', 'traceback', 'symbol'],
    PERFORMANCE: ['total_trades', 'win_rate', 'total_profit', 'max_drawdown', 'weekly_target'],
    BACKTEST_START: ['session_id', 'symbol', 'data_points', 'starting_balance', 'trade_constraints'],
    WEEKLY_SUMMARY: ['week', 'trades', 'target_range', 'balance', 'within_target'],
    BACKTEST_COMPLETE: ['session_id', 'final_balance', 'total_return', 'total_trades', 'max_drawdown', 'weekly_stats'],
  };
  for (const [type, fields] of Object.entries(spec)) {
    for (const field of fields) assert.ok(field in byType.get(type)!.data, `${type}.data.${field}`);
  }
  assert.equal(Object.keys(byType.get('BOT_INITIALIZATION')!.data.config).slice(0, 3), ['symbols', 'risk_parameters', 'trading_settings']);
  assert.equal(byType.get('BACKTEST_START')!.data.trade_constraints, { min_trades_per_week: 3, max_trades_per_week: 10 });
  const seqs = events.map((e) => e.seq);
  seqs.forEach((s, i) => i > 0 && assert.ok(s > seqs[i - 1], 'seq strictly increases'));
  await client.close();
});

test('every connected client receives the same events in the same order', async () => {
  const clients = await Promise.all([1, 2, 3].map(() => TestClient.connect(t.wsUrl)));
  t.bot.init();
  t.bot.entry('EURUSD');
  t.bot.exit('EURUSD');
  const seen = await Promise.all(clients.map(async (c) => {
    await c.next((m) => m.event_type === 'TRADE_EXIT');
    return c.received.filter((m) => m.event_type).map((m) => `${m.seq}:${m.event_type}`);
  }));
  assert.equal(seen[1], seen[0]);
  assert.equal(seen[2], seen[0]);
  await Promise.all(clients.map((c) => c.close()));
});

test.run();
