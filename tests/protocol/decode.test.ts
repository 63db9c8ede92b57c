import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { decodeClientMessage, decodeLogEvent, formatTimestamp, parseTimestamp } from '../../protocol/index.ts';

test('decodes the spec ping and request_status messages', () => {
  const ping = decodeClientMessage('{"type":"ping"}');
  assert.ok(ping.ok);
  const status = decodeClientMessage('{"type":"request_status"}');
  assert.ok(status.ok);
});

test('malformed JSON is an error naming the parse problem, not a throw', () => {
  const r = decodeClientMessage('{"type":');
  assert.is(r.ok, false);
  if (!r.ok) {
    assert.is(r.code, 'malformed_json');
    assert.match(r.error, /malformed JSON/);
  }
});

test('an unknown type is named in the error', () => {
  const r = decodeClientMessage('{"type":"launch_rockets"}');
  assert.is(r.ok, false);
  if (!r.ok) {
    assert.is(r.code, 'unknown_type');
    assert.match(r.error, /launch_rockets/);
  }
});

test('a wrong shape names the offending field', () => {
  const r = decodeClientMessage('{"type":"pause_symbol","symbol":42}');
  assert.is(r.ok, false);
  if (!r.ok) assert.match(r.details.join('\n'), /symbol/);
});

test('the spec TRADE_ENTRY example decodes; a missing spec field is refused', () => {
  const event = {
    timestamp: '2024-01-15T10:30:45.123456',
    session_id: 'b0b5c1a2-0000-4000-8000-000000000000',
    event_type: 'TRADE_ENTRY',
    level: 'INFO',
    data: {
      symbol: 'EURUSDm', direction: 'buy', price: 1.1234, lot_size: 0.1, stop_loss: 1.12, take_profit: 1.13,
      patterns_detected: ['Bullish Engulfing'], sr_levels: { support: 1.12, resistance: 1.13 },
      aggression_multiplier: 1.0, trades_this_week: 3,
      execution_result: { retcode: 10009, deal: 1, order: 1, volume: 0.1, price: 1.1234, bid: 1.1233, ask: 1.1234, comment: 'done' },
    },
  };
  assert.ok(decodeLogEvent(event).ok);
  const { lot_size: _dropped, ...withoutLot } = event.data;
  const r = decodeLogEvent({ ...event, data: withoutLot });
  assert.is(r.ok, false);
  if (!r.ok) assert.match(r.details.join('\n'), /lot_size/);
});

test('timestamps use the spec format and round-trip', () => {
  const ms = Date.UTC(2024, 0, 15, 10, 30, 45, 123);
  assert.is(formatTimestamp(ms), '2024-01-15T10:30:45.123000');
  assert.is(parseTimestamp(formatTimestamp(ms)), ms);
});

test.run();
