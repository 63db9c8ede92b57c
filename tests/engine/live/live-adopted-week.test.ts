import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { ORDER_TYPE_BUY, TRADE_ACTION_DEAL, TRADE_RETCODE } from '../../../engine/model/mt5.ts';
import { weekStartOf } from '../../../engine/time/trading-week.ts';
import { FakeTerminal } from '../../kit/fake-terminal.ts';
import { liveJournalRig, until } from '../../kit/live-rig.ts';

// Positions of the bot's adopted rather than filled (review r5, F2): a 10008 order that fills
// later, a fill after the 10031 timeout, a fill whose journal write was lost. Each counts once in
// the week it opened in, if that is the current one, so the weekly maximum holds.

type Rig = Awaited<ReturnType<typeof liveJournalRig>>;
const HOUR = 3_600_000;
const orders = (r: Rig) => r.rig.ea.received.filter((m) => m.type === 'order');

test('F2: an order answered 10008 without a deal that fills later is adopted and counted once: with a weekly maximum of 1 the next buy signal is refused', async () => {
  const r = await liveJournalRig({ governor: { maxTradesPerWeek: 1, minTradesPerWeek: 1 } });
  try {
    r.bot.start();
    r.terminal.rejectNext(TRADE_RETCODE.PLACED);
    r.bar(1.2);
    await until('the refusal', () => r.decisions('order_rejected').length === 1);
    assert.is(r.bot.status().trades_this_week, 0, 'placed, not filled: not counted yet');
    const m = orders(r)[0]! as Record<string, unknown>;
    // The placed order fills on the trade server afterwards; its deal arrives on the live stream.
    r.terminal.execute({ action: TRADE_ACTION_DEAL, symbol: 'EURUSD', volume: Number(m.volume), type: ORDER_TYPE_BUY, price: 0, sl: Number(m.sl), tp: 0,
      deviation: 10, magic: Number(m.magic), comment: String(m.comment), type_filling: Number(m.type_filling), type_time: 0, position: 0 });
    await until('the adoption', () => r.of('TRADE_ENTRY').length === 1);
    const entry = r.of('TRADE_ENTRY')[0]!.data;
    assert.is(entry.trades_this_week, 1);
    assert.match(entry.reason!, /counted in this week's trades \(1 of 1\)/);
    assert.is(r.bot.status().trades_this_week, 1);
    assert.is(r.journal.restore()!.tradesThisWeek, 1, 'journaled');
    await new Promise((res) => setTimeout(res, 300));
    assert.is(r.bot.status().trades_this_week, 1, 'counted once');

    r.bar(1.2005); // flip-flop: close the adopted position
    await until('the exit', () => r.of('TRADE_EXIT').length === 1);
    r.bar(1.2010); // flip-flop: a buy, over the weekly maximum
    await until('the refusal at the maximum', () => r.decisions('skip_max_trades_reached').length === 1);
    assert.is(orders(r).length, 2, 'the first order and the close; no second entry');
    assert.equal(r.terminal.positionsList('EURUSD'), []);
  } finally {
    await r.done();
  }
});

test('F2: a fill arriving after the order timed out (10031) is adopted and counted once in the week', async () => {
  const r = await liveJournalRig({ broker: { heartbeatMs: 20_000, requestTimeoutMs: 500 } });
  try {
    r.bot.start();
    r.rig.ea.slowNextExecutionMs = 1_500;
    r.bar(1.2);
    await until('10031', () => r.decisions('order_rejected').length === 1);
    await until('the late adoption', () => r.of('TRADE_ENTRY').length === 1);
    await new Promise((res) => setTimeout(res, 300));
    assert.is(r.of('TRADE_ENTRY')[0]!.data.trades_this_week, 1);
    assert.is(r.bot.status().trades_this_week, 1);
    assert.is(r.journal.restore()!.tradesThisWeek, 1);
    assert.is(orders(r).length, 1, 'not resent');
  } finally {
    await r.done();
  }
});

test('F2: the engine dies between a fill and its journal write; after the restart the position is adopted and counted in this week (2, not 1), and a second restart does not count it again', async () => {
  // This week's bars (the governor's week after a restart is the wall clock's), ending an hour ago.
  const now = Date.now();
  const t0 = Math.floor(now / HOUR) * HOUR - 4 * HOUR;
  const sameWeek = weekStartOf(t0) === weekStartOf(now);
  let k = 0;
  const bar = (r: Rig, price: number) => {
    const time = t0 + k++ * HOUR;
    r.rig.ea.tick('EURUSD', time + HOUR, price - 0.0001, price + 0.0001);
    r.terminal.setQuote('EURUSD', time + HOUR, price - 0.0001, price + 0.0001);
    r.rig.ea.bar('EURUSD', 'H1', { time, open: price, high: price + 0.0005, low: price - 0.0005, close: price, volume: 10 });
  };
  const terminal = new FakeTerminal();
  const a = await liveJournalRig({ terminal });
  try {
    a.bot.start();
    bar(a, 1.2);
    await until('entry 1', () => a.of('TRADE_ENTRY').length === 1);
    bar(a, 1.2005);
    await until('exit 1', () => a.of('TRADE_EXIT').length === 1);
    // kill -9: from the terminal's fill on, nothing more reaches the journal.
    terminal.onDeal(() => { (a.journal as { record: unknown }).record = () => undefined; });
    bar(a, 1.2010);
    await until('the fill on the terminal', () => terminal.positionsList('EURUSD').length === 1);
  } finally {
    await a.done(false);
  }
  const b = await liveJournalRig({ terminal, dir: a.dir });
  try {
    assert.equal(b.journal.restore()!.positions, [], 'the journal never saw the fill');
    b.bot.start();
    await until('the adoption', () => b.of('TRADE_ENTRY').length === 1);
    const expected = sameWeek ? 2 : 0; // across a week boundary (the first hours of a week) nothing of last week counts
    assert.is(b.of('TRADE_ENTRY')[0]!.data.trades_this_week, expected);
    assert.is(b.bot.status().trades_this_week, expected);
    assert.is(b.journal.restore()!.tradesThisWeek, expected);
  } finally {
    await b.done(false);
  }
  const c = await liveJournalRig({ terminal, dir: a.dir });
  try {
    c.bot.start();
    await new Promise((res) => setTimeout(res, 500));
    assert.is(c.of('TRADE_ENTRY').length, 0, 'known now: not adopted again');
    assert.is(c.bot.status().trades_this_week, sameWeek ? 2 : 0, 'not counted again');
  } finally {
    await c.done(true);
  }
});

test.run();
