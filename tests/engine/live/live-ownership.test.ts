import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { ORDER_TYPE_BUY, ORDER_TYPE_SELL } from '../../../engine/model/mt5.ts';
import { liveJournalRig, until } from '../../kit/live-rig.ts';
import { scripted } from '../../kit/engine-builders.ts';

// Whose positions are whose on a real account (review r3, F1): the bot's carry its magic number,
// every other position is the user's. Real bridge on loopback, fake EA and terminal, real journal.

const sides = (rig: Awaited<ReturnType<typeof liveJournalRig>>) =>
  rig.terminal.positionsList('EURUSD').map((p) => `#${p.ticket} ${p.type === ORDER_TYPE_SELL ? 'sell' : 'buy'} ${p.volume} magic ${p.magic}`).sort();

test('F1: a position opened by hand while away is reported (ticket, symbol, volume, magic), never adopted in place of the bot\'s, never closed by it; the bot\'s own is closed and not doubled', async () => {
  const r = await liveJournalRig();
  try {
    r.bot.start();
    r.bar(1.2);
    await until('the bot\'s entry', () => r.of('TRADE_ENTRY').length === 1);
    const own = r.of('TRADE_ENTRY')[0]!.data.position_id!;
    assert.is(r.terminal.positions.get(own)!.magic, r.magic, 'the bot\'s order carries its magic number');
    r.rig.ea.disconnect();
    await r.rig.connection(false);
    const manual = r.terminal.openByHand('EURUSD', ORDER_TYPE_SELL, 0.5, r.nextTime());
    await r.rig.ea.connect();
    await until('the reconciliation', () => r.of('BOT_STATUS').some((e) => /reconciled/.test(e.data.reason ?? '')));

    const report = r.decisions('foreign_position');
    assert.is(report.length, 1, 'the manual position is reported once');
    assert.equal([report[0]!.data.symbol, report[0]!.data.ticket, report[0]!.data.lot_size, report[0]!.data.magic], ['EURUSD', manual.ticket, 0.5, 0]);
    assert.match(report[0]!.data.reason, new RegExp(`#${manual.ticket} EURUSD sell 0.5 lots has magic 0 \\(opened by hand\\)`));
    assert.is(r.of('TRADE_ENTRY').length, 1, 'nothing adopted');
    assert.is(r.bot.status().symbols![0]!.position!.ticket, own, 'the bot still manages its own position');
    assert.equal(r.journal.restore()!.positions.map((p) => p.positionId), [own], 'the journal holds only the bot\'s position');

    r.bar(1.2005); // flip-flop: close
    await until('the exit', () => r.of('TRADE_EXIT').length === 1);
    assert.is(r.of('TRADE_EXIT')[0]!.data.position_id, own, 'the bot closed its own position');
    assert.is(r.of('TRADE_EXIT')[0]!.data.exit_reason, 'Closed by strategy', 'the reason it was sent for, without the client order id');
    assert.equal(sides(r), [`#${manual.ticket} sell 0.5 magic 0`], 'the manual position is still open, the bot\'s is closed');
    r.bar(1.2010); // flip-flop: a new entry
    await until('the next entry', () => r.of('TRADE_ENTRY').length === 2);
    assert.is(r.terminal.positionsList('EURUSD').filter((p) => p.magic === r.magic).length, 1, 'one position of the bot, not two');
    assert.is(r.terminal.positionsList('EURUSD').length, 2);
  } finally {
    await r.done();
  }
});

test('F1: on a restart, a manual position on the bot\'s symbol is reported and left alone while the journal\'s own position is restored and managed', async () => {
  const first = await liveJournalRig();
  const dir = first.dir;
  let own = 0;
  try {
    first.bot.start();
    first.bar(1.2);
    await until('entry', () => first.of('TRADE_ENTRY').length === 1);
    own = first.of('TRADE_ENTRY')[0]!.data.position_id!;
  } finally {
    await first.done(false);
  }
  const manual = first.terminal.openByHand('EURUSD', ORDER_TYPE_SELL, 0.4, first.nextTime());
  const second = await liveJournalRig({ dir, terminal: first.terminal });
  try {
    second.bot.start();
    await until('the foreign report', () => second.decisions('foreign_position').length === 1);
    assert.is(second.decisions('foreign_position')[0]!.data.ticket, manual.ticket);
    assert.is(second.bot.status().symbols![0]!.position!.ticket, own);
    assert.equal(second.journal.restore()!.positions.map((p) => p.positionId), [own]);
  } finally {
    await second.done(true);
  }
});

test('F1: two positions of the bot on one symbol (its magic, one unknown to the journal) are both kept; an ERROR names both; no new entry until one is closed', async () => {
  const r = await liveJournalRig();
  try {
    r.bot.start();
    r.bar(1.2);
    await until('entry', () => r.of('TRADE_ENTRY').length === 1);
    const own = r.of('TRADE_ENTRY')[0]!.data.position_id!;
    r.rig.ea.disconnect();
    await r.rig.connection(false);
    // An order of this bot's that executed while the engine could not see it.
    const extra = r.openOnTerminal('buy', 0.3, r.magic);
    await r.rig.ea.connect();
    await until('the reconciliation', () => r.of('BOT_STATUS').some((e) => /reconciled/.test(e.data.reason ?? '')));
    const loud = r.of('ERROR').find((e) => /2 positions of this bot are open/.test(e.data.error));
    assert.ok(loud, 'an ERROR says so');
    assert.match(loud!.data.error, new RegExp(`#${own} buy 0.9 lots \\(managed\\) and #${extra.ticket} buy 0.3 lots`));
    assert.equal(r.journal.restore()!.positions.map((p) => p.positionId).sort(), [own, extra.ticket].sort(), 'both are journaled: neither is dropped');
    assert.is(r.bot.status().symbols![0]!.position!.ticket, own, 'the first stays the managed one');

    r.bar(1.2005); // flip-flop: close the managed one
    await until('its exit', () => r.of('TRADE_EXIT').length === 1);
    assert.is(r.of('TRADE_EXIT')[0]!.data.position_id, own);
    // The extra one is now the one the bot manages: the next signal closes it instead of opening more.
    assert.is(r.bot.status().symbols![0]!.position!.ticket, extra.ticket);
    r.bar(1.2010);
    await until('the extra\'s exit', () => r.of('TRADE_EXIT').length === 2);
    assert.is(r.of('TRADE_EXIT')[1]!.data.position_id, extra.ticket);
    assert.is(r.terminal.positionsList('EURUSD').length, 0);
  } finally {
    await r.done();
  }
});

test('F1: while two positions of the bot are open on a symbol a new entry is refused (DECISION skip_duplicate_positions); once the extra is closed on the terminal, entries resume', async () => {
  const r = await liveJournalRig({ strategy: scripted({ 0: { direction: 'buy', stopLoss: 1.19 }, 1: { direction: 'sell', stopLoss: 1.21 }, 2: { direction: 'buy', stopLoss: 1.19 } }) });
  try {
    r.bot.start();
    r.bar(1.2);
    await until('entry', () => r.of('TRADE_ENTRY').length === 1);
    const own = r.of('TRADE_ENTRY')[0]!.data.position_id!;
    r.rig.ea.disconnect();
    await r.rig.connection(false);
    const extra = r.openOnTerminal('buy', 0.2, r.magic);
    await r.rig.ea.connect();
    await until('the reconciliation', () => r.of('BOT_STATUS').some((e) => /reconciled/.test(e.data.reason ?? '')));
    r.bar(1.2); // a reversal: the managed buy is closed, the sell is not opened
    await until('the refusal', () => r.decisions('skip_duplicate_positions').length === 1);
    assert.match(r.decisions('skip_duplicate_positions')[0]!.data.reason, new RegExp(`sell signal not taken: 2 positions of this bot are open on EURUSD \\(#${own}, #${extra.ticket}\\)`));
    await until('the reversal\'s close', () => r.of('TRADE_EXIT').length === 1);
    assert.is(r.of('TRADE_ENTRY').length, 2, 'no sell was opened (the second TRADE_ENTRY is the adoption)');
    assert.equal(sides(r), [`#${extra.ticket} buy 0.2 magic ${r.magic}`]);
    // The user closes the extra on the terminal: reported as its exit; the next signal trades again.
    r.terminal.hitStop(extra.ticket, 1.1995, r.nextTime());
    await until('the extra\'s exit', () => r.of('TRADE_EXIT').length === 2);
    assert.is(r.of('TRADE_EXIT')[1]!.data.position_id, extra.ticket);
    r.bar(1.2);
    await until('a new entry', () => r.of('TRADE_ENTRY').length === 3);
    assert.is(r.terminal.positionsList('EURUSD').length, 1);
    assert.equal(r.journal.restore()!.positions.map((p) => p.positionId), [r.of('TRADE_ENTRY')[2]!.data.position_id]);
  } finally {
    await r.done();
  }
});

test('F3 (r5): positions opened on the terminal while the engine is connected are classified at once, once each: the bot\'s magic kept as a duplicate (ERROR, no new entry), magic 0 reported as foreign_position', async () => {
  const r = await liveJournalRig();
  try {
    r.bot.start();
    r.bar(1.2);
    await until('the bot\'s entry', () => r.of('TRADE_ENTRY').length === 1);
    const own = r.of('TRADE_ENTRY')[0]!.data.position_id!;
    const extra = r.openOnTerminal('buy', 0.2, r.magic); // another instance, or by hand with the bot's magic
    const manual = r.terminal.openByHand('EURUSD', ORDER_TYPE_BUY, 0.5, r.nextTime());
    await until('the foreign report', () => r.decisions('foreign_position').length === 1);
    await until('the duplicate kept', () => r.of('TRADE_ENTRY').length === 2);
    await new Promise((res) => setTimeout(res, 300));
    assert.equal([r.decisions('foreign_position')[0]!.data.ticket, r.decisions('foreign_position')[0]!.data.magic], [manual.ticket, 0]);
    assert.is(r.decisions('foreign_position').length, 1, 'reported once');
    assert.is(r.of('TRADE_ENTRY').length, 2, 'the duplicate adopted once');
    assert.is(r.of('TRADE_ENTRY')[1]!.data.position_id, extra.ticket);
    assert.match(r.of('TRADE_ENTRY')[1]!.data.reason!, /second position of this bot on the symbol: kept, not managed/);
    assert.ok(r.of('ERROR').some((e) => e.data.error.includes(`#${own}`) && e.data.error.includes(`#${extra.ticket}`)), 'an ERROR names both');
    assert.equal(r.journal.restore()!.positions.map((p) => p.positionId).sort(), [own, extra.ticket].sort(), 'the journal knows both of the bot\'s, not the manual one');
    assert.is(r.bot.status().symbols![0]!.position!.ticket, own, 'the bot still manages its own');
    assert.is(r.rig.ea.received.filter((m) => m.type === 'order').length, 1, 'nothing closed or sent');
    // Found while connected: said so, not "while away".
    const said = r.of('BOT_STATUS').map((e) => e.data.reason ?? '').filter((t) => /^reconciled/.test(t));
    assert.ok(said.length > 0 && said.every((t) => /on the terminal meanwhile/.test(t) && !/while away/.test(t)), said.join('\n'));
  } finally {
    await r.done();
  }
});

test('F5 (r5): a kept second position of the bot is listed in status (kept_positions) and close_position(symbol, its ticket) closes it, reported as a TRADE_EXIT; the managed one is untouched', async () => {
  const r = await liveJournalRig();
  try {
    r.bot.start();
    r.bar(1.2);
    await until('the bot\'s entry', () => r.of('TRADE_ENTRY').length === 1);
    const own = r.of('TRADE_ENTRY')[0]!.data.position_id!;
    r.rig.ea.disconnect();
    await r.rig.connection(false);
    const extra = r.openOnTerminal('buy', 0.3, r.magic);
    await r.rig.ea.connect();
    await until('the reconciliation', () => r.of('BOT_STATUS').some((e) => /reconciled/.test(e.data.reason ?? '')));
    const status = r.bot.status().symbols![0]!;
    assert.is(status.position!.ticket, own);
    assert.equal(status.kept_positions?.map((p) => [p.ticket, p.direction, p.lot_size]), [[extra.ticket, 'buy', 0.3]]);

    const outcome = r.bot.closePosition('EURUSD', extra.ticket);
    assert.ok(outcome.ok, outcome.reason);
    await until('the kept one\'s exit', () => r.of('TRADE_EXIT').length === 1);
    const exit = r.of('TRADE_EXIT')[0]!.data;
    assert.equal([exit.position_id, exit.lot_size, exit.exit_reason], [extra.ticket, 0.3, 'Closed by user']);
    assert.equal(sides(r), [`#${own} buy 0.9 magic ${r.magic}`], 'only the managed position is left');
    assert.is(r.bot.status().symbols![0]!.kept_positions, undefined);
    assert.is(r.bot.status().symbols![0]!.position!.ticket, own);
    assert.equal(r.journal.restore()!.positions.map((p) => p.positionId), [own]);
  } finally {
    await r.done();
  }
});

test.run();
