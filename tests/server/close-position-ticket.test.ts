import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createPaperBot, type PaperBot } from '../../engine/live/paper-bot.ts';
import { smaCrossover } from '../../plugins/sma-crossover/index.ts';
import { startTestServer, TestClient, type Json, type TestServer } from '../kit/server-kit.ts';

// Issue 11: a user opened the close dialog for one position; it hit its take-profit before
// they confirmed, a new one opened, and the command closed the new one. `close_position`
// carries the ticket the user saw: a stale ticket closes nothing and says what happened to it.

let t: TestServer<PaperBot>;
test.before.each(async () => {
  const bot = createPaperBot({
    symbols: [{ symbol: 'USDCHF', timeframe: 'H1' }],
    strategies: new Map([['sma-crossover', smaCrossover]]),
    strategy: 'sma-crossover',
    // The feed moves only when the test advances it.
    speed: 0.001,
    balance: 10_000,
    riskPercent: 1,
    autoStart: false,
  });
  t = await startTestServer({}, { bot });
});
test.after.each(async () => {
  await t.bot.shutdown();
  await t.close();
});

/** Advances the replay one step at a time until `match` is among the events received. */
async function advanceUntil(client: TestClient, match: (m: Json) => boolean, from = 0): Promise<Json> {
  for (let i = 0; i < 5000; i++) {
    const found = client.received.slice(from).find(match);
    if (found) return found;
    t.bot.advance(1);
    await new Promise((r) => setImmediate(r));
  }
  throw new Error('not found within 5000 bars');
}

test('close_position with the ticket of a position that has closed is refused, saying how it closed, and the open one stays open', async () => {
  const client = await TestClient.connect(t.wsUrl);
  assert.is((await client.request({ type: 'start_bot' }, 'command_result')).ok, true);
  const entry = await advanceUntil(client, (m) => m.event_type === 'TRADE_ENTRY');
  const seen = entry.data.position_id;
  const status = await client.request({ type: 'request_status' }, 'status');
  assert.is(status.symbols[0].position.ticket, seen, 'the status shows the ticket');
  // The user's dialog is open on `seen`; meanwhile the market closes it and opens another.
  const exit = await advanceUntil(client, (m) => m.event_type === 'TRADE_EXIT' && m.data.position_id === seen);
  const next = await advanceUntil(client, (m) => m.event_type === 'TRADE_ENTRY' && m.data.position_id !== seen, client.received.indexOf(exit));
  const refused = await client.request({ type: 'close_position', symbol: 'USDCHF', ticket: seen, request_id: 'dialog' }, 'command_result');
  assert.is(refused.ok, false);
  assert.is(refused.request_id, 'dialog');
  assert.ok(refused.reason.startsWith(`#${seen} was closed `), refused.reason);
  assert.ok(refused.reason.includes(`at ${exit.data.exit_price}`), refused.reason);
  assert.match(refused.reason, new RegExp(`open position is now #${next.data.position_id}, which was not closed`));
  const audit = await client.next((m) => m.event_type === 'COMMAND' && m.data.command === 'close_position');
  assert.is(audit.data.params.ticket, seen, 'the audit log names the ticket');
  assert.is((await client.request({ type: 'request_status' }, 'status')).symbols[0].position.ticket, next.data.position_id, 'the new position is still open');

  // Naming the open one closes exactly it.
  const closed = await client.request({ type: 'close_position', symbol: 'USDCHF', ticket: next.data.position_id }, 'command_result');
  assert.is(closed.ok, true, closed.reason);
  const closedExit = await advanceUntil(client, (m) => m.event_type === 'TRADE_EXIT' && m.data.position_id === next.data.position_id);
  assert.is(closedExit.data.exit_reason, 'Closed by user');
  const again = await client.request({ type: 'close_position', symbol: 'USDCHF', ticket: next.data.position_id }, 'command_result');
  assert.match(again.reason, new RegExp(`#${next.data.position_id} was closed by a close_position command at `));
});

test('a ticket that was never a position is refused naming it, and nothing is closed', async () => {
  const client = await TestClient.connect(t.wsUrl);
  await client.request({ type: 'start_bot' }, 'command_result');
  const refused = await client.request({ type: 'close_position', symbol: 'USDCHF', ticket: 42 }, 'command_result');
  assert.is(refused.ok, false);
  assert.match(refused.reason, /^#42 is not a position of this account; USDCHF has no open position/);
});

test.run();
