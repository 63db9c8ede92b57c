import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { formatTimestamp } from '../../../protocol/envelope.ts';
import type { LogEvent } from '../../../protocol/index.ts';
import { DEFAULT_LIVE_MAGIC } from '../../../engine/live/live-bot.ts';
import { ORDER_TYPE_BUY, TRADE_ACTION_DEAL, TRADE_RETCODE } from '../../../engine/model/mt5.ts';
import { FakeTerminal } from '../../kit/fake-terminal.ts';
import { scripted } from '../../kit/engine-builders.ts';
import { liveJournalRig, until } from '../../kit/live-rig.ts';

// A user's close_position the live bot accepted, and the engine died before the terminal executed
// it: the journal keeps the request (meta close_requests) and the restarted live bot honours it
// once the terminal shows that very position still open (the first reconciliation), exactly once.
// Gone meanwhile (its stop), the request is dropped; another position on the symbol is never
// closed in its place. A close that was sent and failed (the user saw its ERROR) is forgotten: a
// restart does not send it again. Requests are kept by ticket: several on one symbol all go out.

type Rig = Awaited<ReturnType<typeof liveJournalRig>>;
const orders = (r: Rig) => r.rig.ea.received.filter((m) => m.type === 'order');
const positionReads = (r: Rig) => r.rig.ea.received.filter((m) => m.type === 'positions_get').length;
const statuses = (r: Rig) => r.of('BOT_STATUS').map((e) => e.data.reason ?? '');
const holder = () => scripted({ 0: { direction: 'buy', stopLoss: 1.19, reason: 'scripted' } });

/**
 * A first run opens a position; the user closes it (accepted, journaled as the server's audit
 * does); the close order never reaches the terminal (the EA drops it and the link dies) and the
 * engine is killed (nothing more reaches the journal). Returns the journal folder and the ticket.
 */
/** Starts the bot into its own EURUSD position and opens a second one with its magic, kept beside it. */
async function managedAndKept(first: Rig): Promise<{ own: number; kept: number }> {
  first.bot.start();
  first.bar(1.2);
  await until('the entry', () => first.of('TRADE_ENTRY').length === 1);
  const own = first.of('TRADE_ENTRY')[0]!.data.position_id!;
  const kept = first.openOnTerminal('buy', 0.2, first.magic).ticket;
  await until('the kept position adopted', () => first.of('TRADE_ENTRY').length === 2);
  return { own, kept };
}

/** The server's audit of an accepted close_position, journaled as the server would. */
function recordCloseCommand(first: Rig, ticket: number, reason: string | undefined): void {
  first.record({
    timestamp: formatTimestamp(Date.now()), session_id: first.bot.sessionId, event_type: 'COMMAND', level: 'INFO',
    data: { command: 'close_position', connection_id: 'c1', ok: true, reason, params: { symbol: 'EURUSD', ticket }, symbol: 'EURUSD' },
  } as LogEvent);
}

async function closeAcceptedThenCrash(terminal: FakeTerminal): Promise<{ dir: string; ticket: number }> {
  const first = await liveJournalRig({ terminal, strategy: holder() });
  try {
    first.bot.start();
    first.bar(1.2);
    await until('the entry', () => first.of('TRADE_ENTRY').length === 1);
    const ticket = first.of('TRADE_ENTRY')[0]!.data.position_id!;
    first.rig.ea.dieOnNextOrder = true;
    const outcome = first.bot.closePosition('EURUSD', ticket);
    assert.is(outcome.ok, true, outcome.reason);
    first.record({
      timestamp: formatTimestamp(Date.now()), session_id: first.bot.sessionId, event_type: 'COMMAND', level: 'INFO',
      data: { command: 'close_position', connection_id: 'c1', ok: true, reason: outcome.reason, params: { symbol: 'EURUSD', ticket }, symbol: 'EURUSD' },
    } as LogEvent);
    // kill -9: from here on nothing reaches the journal.
    (first.journal as { record: unknown }).record = () => undefined;
    await until('the order dropped by the EA', () => !first.rig.ea.connected);
    assert.is(terminal.positionsList('EURUSD').length, 1, 'the close never reached the terminal');
    return { dir: first.dir, ticket };
  } finally {
    await first.done(false);
  }
}

for (const order of ['before', 'after'] as const) {
  test(`live: a close_position accepted before a crash is sent once the terminal shows the position open, exactly once (bot started ${order} the EA connects)`, async () => {
    const terminal = new FakeTerminal();
    const { dir, ticket } = await closeAcceptedThenCrash(terminal);
    const second = await liveJournalRig({ terminal, dir, strategy: holder(), startBeforeEa: order === 'before' });
    try {
      assert.equal(second.restored?.closeRequests, [{ symbol: 'EURUSD', ticket }], 'the journal kept the accepted close');
      if (order === 'after') second.bot.start();
      await until('the close on the terminal', () => second.of('TRADE_EXIT').length === 1);
      const exit = second.of('TRADE_EXIT')[0]!;
      assert.is(exit.data.position_id, ticket);
      assert.is(exit.data.exit_reason, 'Closed by user');
      assert.equal(terminal.positionsList('EURUSD'), [], 'closed on the terminal');
      assert.ok(statuses(second).some((t) => t.includes(`#${ticket}`) && /closing it now/.test(t) && /before the restart/.test(t)), statuses(second).join('\n'));
      assert.equal(second.of('ERROR').map((e) => e.data.error), [], 'no failed close');
      assert.is(second.journal.restore()?.closeRequests, undefined, 'done: the journal forgot the request');
      // Another reconciliation (the link drops and comes back) sends nothing again.
      const asked = positionReads(second);
      second.rig.ea.disconnect();
      await second.rig.connection(false);
      await second.rig.ea.connect();
      await until('the reconciliation after the reconnection', () => positionReads(second) > asked);
      await new Promise((r) => setTimeout(r, 300));
      assert.is(orders(second).length, 1, 'one close order, sent once');
      assert.is(second.of('TRADE_EXIT').length, 1);
    } finally {
      await second.done(true);
    }
  });
}

test('live: a close_position accepted before a crash is dropped when the position was closed by its stop meanwhile; nothing is sent and the journal forgets it', async () => {
  const terminal = new FakeTerminal();
  const { dir, ticket } = await closeAcceptedThenCrash(terminal);
  terminal.hitStop(ticket, 1.19, Date.now() - 60_000);
  const second = await liveJournalRig({ terminal, dir, strategy: holder(), startBeforeEa: true });
  try {
    assert.equal(second.restored?.closeRequests, [{ symbol: 'EURUSD', ticket }]);
    await until('the stop found on the terminal', () => second.of('TRADE_EXIT').length === 1);
    assert.match(second.of('TRADE_EXIT')[0]!.data.exit_reason, /^Stop loss hit/);
    await until('the drop said', () => statuses(second).some((t) => t.includes(`#${ticket}`) && /dropped/.test(t)));
    await new Promise((r) => setTimeout(r, 200));
    assert.is(orders(second).length, 0, 'no close sent for a position that is gone');
    assert.equal(second.of('ERROR').map((e) => e.data.error), [], 'no failed close');
    assert.is(second.journal.restore()?.closeRequests, undefined, 'the journal forgot the request');
  } finally {
    await second.done(true);
  }
});

test('live: a close_position accepted before a crash never closes another position of the bot found on the symbol instead', async () => {
  const terminal = new FakeTerminal();
  const { dir, ticket } = await closeAcceptedThenCrash(terminal);
  // While the engine is down: the position is closed by hand and a new one of the bot's (its magic) opens.
  const q = terminal.positionsList('EURUSD')[0]!;
  terminal.closeByHand(ticket, q.volume, q.price_current, Date.now() - 120_000);
  const opened = terminal.execute({
    action: TRADE_ACTION_DEAL, symbol: 'EURUSD', volume: 0.1, type: ORDER_TYPE_BUY, price: 0, sl: 0, tp: 0,
    deviation: 10, magic: DEFAULT_LIVE_MAGIC, comment: '', type_filling: 0, type_time: 0, position: 0,
  });
  const other = terminal.positions.get(opened.order)!;
  const second = await liveJournalRig({ terminal, dir, strategy: holder(), startBeforeEa: true });
  try {
    await until('the drop said', () => statuses(second).some((t) => t.includes(`#${ticket}`) && /dropped/.test(t)));
    await until('the other position adopted', () => second.bot.status().symbols![0]!.position?.ticket === other.ticket);
    await new Promise((r) => setTimeout(r, 200));
    const said = statuses(second).find((t) => t.includes(`#${ticket}`) && /dropped/.test(t))!;
    assert.ok(said.includes(`#${other.ticket}`) && /not closed/.test(said), said);
    assert.is(orders(second).length, 0, 'nothing sent');
    assert.equal(terminal.positionsList('EURUSD').map((p) => p.ticket), [other.ticket], 'the other position stays open');
    assert.is(second.journal.restore()?.closeRequests, undefined);
    // The closed one is booked before the new one is adopted: never two of the bot's at once on
    // the symbol (before: an ERROR "2 positions of this bot" and skip_duplicate_positions that
    // were no longer true when the reconciliation ended).
    assert.equal(second.of('ERROR').map((e) => e.data.error), []);
    assert.not.ok(second.events.some((e) => e.event_type === 'DECISION' && e.data.decision === 'skip_duplicate_positions'));
  } finally {
    await second.done(true);
  }
});

test('live: two close_position requests on one symbol (the bot\'s position and a kept one) accepted before a crash are both sent after the restart, each once, each for its own ticket', async () => {
  // Before: the journal kept one request per symbol, the second in the place of the first, so the
  // restarted bot closed only the kept position and left the managed one open.
  const terminal = new FakeTerminal();
  const first = await liveJournalRig({ terminal, strategy: holder() });
  let own = 0;
  let kept = 0;
  try {
    ({ own, kept } = await managedAndKept(first));
    first.rig.ea.silent = true; // the closes never reach the terminal
    for (const ticket of [own, kept]) {
      const outcome = first.bot.closePosition('EURUSD', ticket);
      assert.is(outcome.ok, true, outcome.reason);
      recordCloseCommand(first, ticket, outcome.reason);
    }
    // kill -9: from here on nothing reaches the journal.
    (first.journal as { record: unknown }).record = () => undefined;
    assert.equal(terminal.positionsList('EURUSD').map((p) => p.ticket).sort(), [own, kept].sort(), 'neither reached the terminal');
  } finally {
    await first.done(false);
  }
  const second = await liveJournalRig({ terminal, dir: first.dir, strategy: holder(), startBeforeEa: true });
  try {
    assert.equal(second.restored?.closeRequests, [{ symbol: 'EURUSD', ticket: own }, { symbol: 'EURUSD', ticket: kept }], 'the journal kept both');
    await until('both closed on the terminal', () => second.of('TRADE_EXIT').length === 2);
    assert.equal(second.of('TRADE_EXIT').map((e) => [e.data.position_id, e.data.exit_reason]).sort(), [[own, 'Closed by user'], [kept, 'Closed by user']].sort());
    assert.equal(terminal.positionsList('EURUSD'), []);
    for (const ticket of [own, kept]) assert.ok(statuses(second).some((t) => t.includes(`#${ticket}`) && /closing it now/.test(t)), statuses(second).join('\n'));
    assert.is(second.journal.restore()?.closeRequests, undefined, 'done: the journal forgot both');
    await new Promise((r) => setTimeout(r, 300));
    assert.equal(orders(second).map((m) => m.position).sort(), [own, kept].sort(), 'one close order per ticket, sent once');
  } finally {
    await second.done(true);
  }
});

test('live: a close_position accepted and then refused by the terminal (10031) is forgotten: the user saw its ERROR, and a restart does not send it again (managed and kept positions)', async () => {
  // Before: the journal kept the request from the COMMAND until a TRADE_EXIT, so the restarted
  // bot closed the position the user had been told was not closed.
  const terminal = new FakeTerminal();
  const first = await liveJournalRig({ terminal, strategy: holder() });
  let own = 0;
  let kept = 0;
  try {
    ({ own, kept } = await managedAndKept(first));
    for (const ticket of [own, kept]) {
      terminal.rejectNext(TRADE_RETCODE.CONNECTION);
      const outcome = first.bot.closePosition('EURUSD', ticket);
      assert.is(outcome.ok, true, outcome.reason);
      recordCloseCommand(first, ticket, outcome.reason);
      await until(`the failed close of #${ticket}`, () => first.of('ERROR').some((e) => e.data.ticket === ticket));
    }
    const failed = first.of('ERROR').filter((e) => e.data.action === 'close');
    assert.equal(failed.map((e) => [e.data.ticket, e.data.symbol]), [[own, 'EURUSD'], [kept, 'EURUSD']], 'each failed close names its ticket');
    assert.match(failed[0]!.data.error, new RegExp(`^closing position #${own} failed: 10031`));
    assert.match(failed[1]!.data.error, new RegExp(`^closing kept position #${kept} failed: 10031`));
    assert.is(first.journal.restore()?.closeRequests, undefined, 'the journal forgot both requests');
    assert.equal(terminal.positionsList('EURUSD').map((p) => p.ticket).sort(), [own, kept].sort(), 'both still open');
  } finally {
    await first.done(false);
  }
  const second = await liveJournalRig({ terminal, dir: first.dir, strategy: holder(), startBeforeEa: true });
  try {
    assert.is(second.restored?.closeRequests, undefined, 'no close request restored');
    await until('the reconciliation\'s read of the terminal', () => positionReads(second) > 0);
    await new Promise((r) => setTimeout(r, 300));
    assert.is(orders(second).length, 0, 'nothing sent');
    assert.is(second.of('TRADE_EXIT').length, 0);
    assert.equal(terminal.positionsList('EURUSD').map((p) => p.ticket).sort(), [own, kept].sort(), 'both still open');
    assert.not.ok(statuses(second).some((t) => /before the restart/.test(t)), statuses(second).join('\n'));
    assert.is(second.bot.status().symbols![0]!.position!.ticket, own, 'still managed by the bot');
  } finally {
    await second.done(true);
  }
});

test.run();
