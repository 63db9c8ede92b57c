import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { DEAL_ENTRY_OUT } from '../../../engine/model/mt5.ts';
import { FakeTerminal } from '../../kit/fake-terminal.ts';
import { HOUR, MONDAY } from '../../kit/engine-builders.ts';
import { liveJournalRig, until } from '../../kit/live-rig.ts';

// Partial closes the bot did not see live (review r5, F1): a part closed by hand while the link
// was down, and parts closed before a restart. Real bridge, fake EA and terminal, real journal;
// a restart continues the journal's session as engine/cli/start.ts does.

type Rig = Awaited<ReturnType<typeof liveJournalRig>>;
const exitDealsOf = (terminal: FakeTerminal, id: number) => terminal.deals.filter((d) => d.position_id === id && d.entry === DEAL_ENTRY_OUT);
const cents = (x: number) => Math.round(x * 100) / 100;

/** One closed H1 bar at `price`, `hours` after Monday 00:00 (a restarted rig's own bar counter starts again). */
function barAt(r: Rig, hours: number, price: number): void {
  const time = MONDAY + hours * HOUR;
  r.rig.ea.tick('EURUSD', time + HOUR, price - 0.0001, price + 0.0001);
  r.terminal.setQuote('EURUSD', time + HOUR, price - 0.0001, price + 0.0001);
  r.rig.ea.bar('EURUSD', 'H1', { time, open: price, high: price + 0.0005, low: price - 0.0005, close: price, volume: 10 });
}

test('F1a: 0.4 of 0.9 lots closed by hand while the link is down is booked on reconnection (DECISION partial_close, balance, journal volume); the round trip\'s TRADE_EXIT is 0.9 lots with both deals', async () => {
  const r = await liveJournalRig();
  try {
    r.bot.start();
    r.bar(1.2);
    await until('TRADE_ENTRY', () => r.of('TRADE_ENTRY').length === 1);
    const id = r.of('TRADE_ENTRY')[0]!.data.position_id!;
    r.rig.ea.disconnect();
    await r.rig.connection(false);
    r.terminal.setQuote('EURUSD', r.nextTime(), 1.21, 1.2102);
    r.terminal.closeByHand(id, 0.4, 1.21, r.nextTime());
    await r.rig.ea.connect();
    await until('the reconciliation', () => r.of('BOT_STATUS').some((e) => /reconciled/.test(e.data.reason ?? '')));

    const part = r.decisions('partial_close');
    assert.is(part.length, 1, 'the part closed while away is reported once');
    const handDeal = exitDealsOf(r.terminal, id)[0]!;
    assert.equal([part[0]!.data.ticket, part[0]!.data.lot_size, part[0]!.data.closed_lots, part[0]!.data.deal, part[0]!.data.profit, part[0]!.data.balance_after],
      [id, 0.5, 0.4, handDeal.ticket, handDeal.profit, cents(10_000 + handDeal.profit)]);
    assert.is(r.bot.status().balance, cents(10_000 + handDeal.profit), 'the deal is on the bot\'s balance');
    assert.is(r.bot.status().symbols![0]!.position!.lot_size, 0.5);
    const journaled = r.journal.restore()!;
    assert.equal(journaled.positions.map((p) => [p.positionId, p.lotSize, p.exits?.map((e) => e.deal)]), [[id, 0.5, [handDeal.ticket]]], 'the journal\'s volume follows');
    assert.is(journaled.balance, cents(10_000 + handDeal.profit));

    r.bar(1.2005); // flip-flop: close the rest
    await until('TRADE_EXIT', () => r.of('TRADE_EXIT').length === 1);
    const deals = exitDealsOf(r.terminal, id);
    const exit = r.of('TRADE_EXIT')[0]!.data;
    const vwap = deals.reduce((s, d) => s + d.price * d.volume, 0) / deals.reduce((s, d) => s + d.volume, 0);
    assert.equal([exit.lot_size, exit.pnl, exit.exit_price, exit.balance_after],
      [0.9, cents(deals.reduce((s, d) => s + d.profit, 0)), Math.round(vwap * 1e5) / 1e5, cents(r.terminal.balance)]);
    assert.is(r.bot.status().balance, cents(r.terminal.balance), 'the bot\'s balance is the terminal\'s');
    assert.equal(r.journal.closedTrades().map((t) => [t.positionId, t.pnl, t.balanceAfter]), [[id, exit.pnl, exit.balance_after]]);
    assert.equal(r.journal.restore()!.positions, []);
  } finally {
    await r.done();
  }
});

test('F1a: the connected case is unchanged: a part closed by hand live is reported once (partial_close) and the reconnection after it books nothing again', async () => {
  const r = await liveJournalRig();
  try {
    r.bot.start();
    r.bar(1.2);
    await until('TRADE_ENTRY', () => r.of('TRADE_ENTRY').length === 1);
    const id = r.of('TRADE_ENTRY')[0]!.data.position_id!;
    r.terminal.closeByHand(id, 0.4, 1.21, r.nextTime());
    await until('partial_close', () => r.decisions('partial_close').length === 1);
    const balance = r.bot.status().balance;
    r.rig.ea.disconnect();
    await r.rig.connection(false);
    await r.rig.ea.connect();
    await r.rig.connection(true);
    await new Promise((res) => setTimeout(res, 300));
    assert.is(r.decisions('partial_close').length, 1);
    assert.is(r.bot.status().balance, balance);
    r.bar(1.2005);
    await until('TRADE_EXIT', () => r.of('TRADE_EXIT').length === 1);
    assert.equal([r.of('TRADE_EXIT')[0]!.data.lot_size, r.of('TRADE_EXIT')[0]!.data.balance_after], [0.9, cents(r.terminal.balance)]);
  } finally {
    await r.done();
  }
});

test('F1b: parts closed before a restart (0.4 of 0.9 in four 10010 closes) are kept by the journal; after the restart the rest\'s TRADE_EXIT is 0.9 lots with every deal\'s pnl and the journal closes the trade', async () => {
  const terminal = new FakeTerminal();
  const a = await liveJournalRig({ terminal });
  let dir = a.dir;
  try {
    a.bot.start();
    a.bar(1.2);
    await until('TRADE_ENTRY', () => a.of('TRADE_ENTRY').length === 1);
    const id = a.of('TRADE_ENTRY')[0]!.data.position_id!;
    for (let i = 0; i < 4; i++) terminal.partialNext(0.1);
    a.bar(1.2005);
    await until('the ERROR', () => a.of('ERROR').length === 1);
    await until('four partial_close', () => a.decisions('partial_close').length === 4);
    assert.equal(a.journal.restore()!.positions.map((p) => [p.positionId, p.lotSize, p.exits?.length]), [[id, 0.5, 4]]);
    dir = a.dir;
  } finally {
    await a.done(false);
  }
  const b = await liveJournalRig({ terminal, dir });
  try {
    const id = b.journal.restore()!.positions[0]!.positionId;
    assert.is(b.bot.sessionId, b.journal.restore()!.lastSessionId, 'the restart continues the session, as start.ts does');
    b.bot.start();
    await until('the tracked rest', () => b.bot.status().symbols![0]!.position?.lot_size === 0.5);
    barAt(b, 12, 1.2010); // flip-flop: close the rest
    await until('TRADE_EXIT', () => b.of('TRADE_EXIT').length === 1);
    const deals = exitDealsOf(terminal, id);
    assert.is(deals.length, 5);
    const exit = b.of('TRADE_EXIT')[0]!.data;
    assert.equal([exit.position_id, exit.lot_size, exit.pnl, exit.balance_after], [id, 0.9, cents(deals.reduce((s, d) => s + d.profit, 0)), cents(terminal.balance)]);
    assert.equal(b.journal.closedTrades().map((t) => [t.positionId, t.pnl]), [[id, exit.pnl]]);
    assert.equal(b.journal.restore()!.positions, [], 'no open position left in the journal');
  } finally {
    await b.done(true);
  }
});

test('F1b: a part closed by hand while the engine was down is booked by the first reconciliation after the restart (its deal is in the window), once', async () => {
  const terminal = new FakeTerminal();
  const a = await liveJournalRig({ terminal });
  let id = 0;
  try {
    a.bot.start();
    a.bar(1.2);
    await until('TRADE_ENTRY', () => a.of('TRADE_ENTRY').length === 1);
    id = a.of('TRADE_ENTRY')[0]!.data.position_id!;
  } finally {
    await a.done(false);
  }
  terminal.setQuote('EURUSD', MONDAY + 12 * HOUR, 1.21, 1.2102);
  const hand = terminal.closeByHand(id, 0.4, 1.21, MONDAY + 12 * HOUR);
  const b = await liveJournalRig({ terminal, dir: a.dir, broker: { firstSyncSince: MONDAY } });
  try {
    b.bot.start();
    await until('partial_close', () => b.decisions('partial_close').length === 1);
    assert.equal([b.decisions('partial_close')[0]!.data.deal, b.decisions('partial_close')[0]!.data.lot_size], [hand.ticket, 0.5]);
    assert.is(b.bot.status().balance, cents(10_000 + hand.profit));
    barAt(b, 13, 1.2005);
    await until('TRADE_EXIT', () => b.of('TRADE_EXIT').length === 1);
    const exit = b.of('TRADE_EXIT')[0]!.data;
    assert.equal([exit.lot_size, exit.pnl, exit.balance_after], [0.9, cents(exitDealsOf(terminal, id).reduce((s, d) => s + d.profit, 0)), cents(terminal.balance)]);
    assert.is(b.decisions('partial_close').length, 1);
  } finally {
    await b.done(true);
  }
});

test.run();
