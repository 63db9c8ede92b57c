import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { RequestWatch, commandTitle, describeServerError } from '../../ui/src/platform/refusals.ts';
import { decodeClientMessage } from '../../protocol/index.ts';
import { balanceError, countError, integerError } from '../../ui/src/features/backtests/form-checks.ts';

/** The server's own reply to a message of the wrong shape (its decoder, its cut details). */
function shapeError(message: Record<string, unknown>) {
  const decoded = decodeClientMessage(JSON.stringify(message));
  if (decoded.ok) throw new Error('expected a refusal');
  return decoded;
}

test('issue M2: a refused close_position is named with its symbol and ticket and carries the server\'s reason', () => {
  const watch = new RequestWatch();
  watch.watch(4, { type: 'close_position', symbol: 'USDCHF', ticket: 1234 });
  const reason = '#1234 was closed by take profit at 1.5276 on 2001-02-12T16:00:00 (pnl 120.00); USDCHF\'s open position is now #1240, which was not closed';
  assert.equal(watch.settle({ type: 'command_result', command: 'close_position', ok: false, reason, request_id: 4 }), { command: 'Close position USDCHF #1234', reason });
});

test('issue C1: a rate-limited command is a refusal that says it was not processed', () => {
  const watch = new RequestWatch();
  watch.watch('7', { type: 'pause_symbol', symbol: 'EURUSD' });
  const refusal = watch.settle({ type: 'error', code: 'rate_limited', error: 'too many messages: at most 20/s (bursts of 40)', details: [], request_id: '7' });
  assert.is(refusal?.command, 'Pause symbol EURUSD');
  assert.match(refusal!.reason, /^not processed: the server is rate-limiting this page \(too many messages: at most 20\/s \(bursts of 40\)\)/);
});

test('a command carried out, a reply to nothing watched and a second reply to one id are no refusal', () => {
  const watch = new RequestWatch();
  watch.watch(1, { type: 'stop_bot' });
  assert.is(watch.settle({ type: 'command_result', command: 'stop_bot', ok: true, reason: 'stopped', request_id: 1 }), null);
  assert.is(watch.settle({ type: 'command_result', command: 'stop_bot', ok: false, reason: 'late', request_id: 1 }), null, 'settled once');
  assert.is(watch.settle({ type: 'error', code: 'rate_limited', error: 'too many', request_id: 99 }), null, 'a background request_status the user never asked for');
  assert.is(watch.settle({ type: 'error', code: 'rate_limited', error: 'too many' }), null);
});

test('the watch is bounded: the oldest unanswered command ages out', () => {
  const watch = new RequestWatch(2);
  for (const id of [1, 2, 3]) watch.watch(id, { type: 'start_bot' });
  assert.is(watch.settle({ type: 'command_result', command: 'start_bot', ok: false, reason: 'x', request_id: 1 }), null);
  assert.equal(watch.settle({ type: 'command_result', command: 'start_bot', ok: false, reason: 'x', request_id: 3 }), { command: 'Start bot', reason: 'x' });
});

test('commands are titled as the user reads them; an unknown one by its wire name', () => {
  assert.is(commandTitle({ type: 'resume_symbol', symbol: 'XAUUSD' }), 'Resume symbol XAUUSD');
  assert.is(commandTitle({ type: 'ping' }), '"ping"');
});

test('issue M3: a run_backtest of the wrong shape names the field from the value sent, not "invalid \\"run_backtest\\" message"', () => {
  const huge = { type: 'run_backtest', symbol: 'USDCHF', timeframe: 'H4', balance: 1e13, request_id: 3 };
  const reply = shapeError(huge);
  // The server's own words name the field too (a raw WebSocket client has no form to look in).
  assert.is(reply.error, 'invalid "run_backtest" message: balance: got 10000000000000, expected Balance (0 < balance <= 1e12)');
  assert.is(describeServerError(reply, huge), 'balance: expected Balance (0 < balance <= 1e12), got 10000000000000');
  const empty = { type: 'run_backtest', symbol: 'USDCHF', timeframe: 'H4', balance: null };
  assert.match(describeServerError(shapeError(empty), empty), /^balance: (expected .*, )?got null$/);
});

test('issue M3: a field inside params is named with its path; an unknown value keeps the server\'s words', () => {
  const sent = { type: 'run_backtest', symbol: 'USDCHF', timeframe: 'H4', params: { fast: 'x' } };
  assert.is(describeServerError({ code: 'invalid_shape', error: 'invalid "run_backtest" message', details: ['Invalid value "x" supplied to : ...'] }, sent), 'params.fast: got "x"');
  assert.is(describeServerError({ code: 'invalid_shape', error: 'bad', details: ['something else'] }, sent), 'bad: something else');
  assert.is(describeServerError({ code: 'unknown_type', error: 'unknown message type "x"', details: [] }), 'unknown message type "x"');
});

test('issue M3: the forms\' own checks name what is wrong with an empty or out-of-range number', () => {
  assert.is(balanceError(null), 'enter an amount (e.g. 10000).');
  assert.is(balanceError(1e13), 'an amount above 0 and at most 1,000,000,000,000.');
  assert.is(balanceError(0), 'an amount above 0 and at most 1,000,000,000,000.');
  assert.is(balanceError(10_000), null);
  assert.is(countError(null), 'enter a whole number of 1 or more.');
  assert.is(countError(2.5), 'a whole number of 1 or more.');
  assert.is(countError(-5), 'a whole number of 1 or more.');
  assert.is(countError(50), null);
  assert.is(integerError(null), 'enter a whole number.');
  assert.is(integerError(-3), null);
});

test.run();
