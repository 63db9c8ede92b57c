import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { formatSeconds } from '../../../protocol/envelope.ts';
import { liveJournalRig, until } from '../../kit/live-rig.ts';
import { MONDAY, HOUR } from '../../kit/engine-builders.ts';

// Implausible times from the terminal (review r3, F3 and F4). Real bridge on loopback, fake EA
// and terminal, real journal; the bridge's UTC clock is pinned to the scripted market's time.

const NOW = MONDAY + 30 * HOUR;

test('F3: a bar stamped 10 years ahead is refused with an ERROR naming it, never moves the clock or the week, and later good bars keep flowing', async () => {
  const r = await liveJournalRig({ broker: { now: () => NOW } });
  try {
    r.bot.start();
    r.bar(1.2);
    await until('entry', () => r.of('TRADE_ENTRY').length === 1);
    const future = MONDAY + 3650 * 24 * HOUR;
    r.rig.ea.tick('EURUSD', future + HOUR, 1.2001, 1.2003);
    r.rig.ea.bar('EURUSD', 'H1', { time: future, open: 1.2002, high: 1.2007, low: 1.1997, close: 1.2002, volume: 10 });
    await until('the refusal', () => r.of('ERROR').some((e) => /refused a EURUSD H1 bar/.test(e.data.error)));
    const refusal = r.of('ERROR').find((e) => /refused a EURUSD H1 bar/.test(e.data.error))!;
    assert.match(refusal.data.error, new RegExp(`bar opened ${formatSeconds(future)} UTC: it closes 3\\d\\d\\d days after this machine's clock`));
    assert.ok(r.of('ERROR').some((e) => /refused a EURUSD tick stamped in the future/.test(e.data.error)), 'the tick too');

    const close = r.bar(1.2005); // flip-flop: closes at this bar's close, not in 2009
    await until('the exit', () => r.of('TRADE_EXIT').length === 1);
    assert.is(r.of('TRADE_EXIT')[0]!.data.timestamp, formatSeconds(close + HOUR));
    r.bar(1.2010);
    await until('the next entry', () => r.of('TRADE_ENTRY').length === 2);
    assert.is(r.of('TRADE_ENTRY')[1]!.data.trades_this_week, 2, 'the week was not rolled into the future: the count goes on');
    assert.is(r.bot.status().trades_this_week, 2);
    assert.not.ok(r.of('BAR').some((e) => e.data.time === formatSeconds(future)), 'the future bar never reached the actor');
    assert.is(r.of('BAR').length, 3);
  } finally {
    await r.done();
  }
});

test('F4: a tick 5 hours older than the latest quote does not replace it: the entry is sized from the latest price (as without it), and the ignored tick is counted', async () => {
  const sizes: number[] = [];
  for (const stale of [false, true]) {
    const r = await liveJournalRig();
    try {
      r.bot.start();
      const t = MONDAY + 10 * HOUR;
      r.rig.ea.tick('EURUSD', t + HOUR, 1.1999, 1.2001);
      if (stale) r.rig.ea.tick('EURUSD', t - 5 * HOUR, 1.1979, 1.1981);
      r.terminal.setQuote('EURUSD', t + HOUR, 1.1999, 1.2001);
      r.rig.ea.bar('EURUSD', 'H1', { time: t, open: 1.2, high: 1.2005, low: 1.1995, close: 1.2, volume: 10 });
      await until('entry', () => r.of('TRADE_ENTRY').length === 1);
      sizes.push(r.of('TRADE_ENTRY')[0]!.data.lot_size);
      const notes = r.of('ERROR').filter((e) => /older than the latest quote ignored/.test(e.data.error));
      assert.is(notes.length, stale ? 1 : 0);
      if (stale) {
        assert.is(notes[0]!.level, 'DEBUG');
        assert.match(notes[0]!.data.error, new RegExp(`EURUSD: 1 tick older than the latest quote ignored so far \\(the last stamped ${formatSeconds(t - 5 * HOUR)}\\)`));
      }
    } finally {
      await r.done();
    }
  }
  assert.equal(sizes, [0.9, 0.9], 'the stale tick changed nothing');
});

test('a terminal clock a few seconds ahead of this machine\'s (drift) keeps the stale-tick check: a tick 5 hours older than the latest quote is still ignored and counted', async () => {
  const r = await liveJournalRig({ broker: { now: () => NOW }, governor: { aggressionStep: 1 } });
  try {
    r.bot.start();
    // Every tick stamped 3 s after this machine's clock.
    for (let i = 0; i < 5; i++) r.rig.ea.tick('EURUSD', NOW + 3_000 + i * 1000, 1.1999, 1.2001);
    r.rig.ea.tick('EURUSD', NOW - 5 * HOUR, 1.1979, 1.1981);
    r.terminal.setQuote('EURUSD', NOW, 1.1999, 1.2001);
    await until('the stale tick counted', () => r.of('ERROR').some((e) => /older than the latest quote ignored/.test(e.data.error)));
    r.rig.ea.bar('EURUSD', 'H1', { time: NOW - 2 * HOUR, open: 1.2, high: 1.2005, low: 1.1995, close: 1.2, volume: 10 });
    await until('the entry', () => r.of('TRADE_ENTRY').length === 1);
    assert.equal(r.rig.ea.received.filter((m) => m.type === 'order').map((m) => Number((m as { volume: unknown }).volume)), [0.9], 'sized from the latest quote (1.2001), not the stale one');
  } finally {
    await r.done();
  }
});

test('F4 (r5): a tick stamped 14 min ahead of the clock (within the tolerance) at an off-market price does not freeze the quote: the real ticks after it replace it and the entry is sized from the market now (0.9 lots, not 3.33)', async () => {
  const MIN = 60_000;
  const OFF = 7_200_000; // the trade server runs at UTC+2
  // No pace step (aggression 1): the lots are the risk over the stop distance from the quote.
  const r = await liveJournalRig({ broker: { now: () => NOW }, ea: { serverOffsetS: 7200 }, governor: { aggressionStep: 1 } });
  try {
    r.bot.start();
    r.rig.ea.tick('EURUSD', NOW + 14 * MIN + OFF, 1.1991, 1.1993); // ahead of the clock, off-market
    for (let i = 0; i < 10; i++) r.rig.ea.tick('EURUSD', NOW - 10_000 + i * 1000 + OFF, 1.1999, 1.2001); // the market now
    r.terminal.setQuote('EURUSD', NOW, 1.1999, 1.2001);
    await new Promise((res) => setTimeout(res, 200));
    r.rig.ea.bar('EURUSD', 'H1', { time: NOW - 2 * HOUR + OFF, open: 1.2, high: 1.2005, low: 1.1995, close: 1.2, volume: 10 });
    await until('the entry', () => r.of('TRADE_ENTRY').length === 1);
    const sent = r.rig.ea.received.filter((m) => m.type === 'order').map((m) => Number((m as { volume: unknown }).volume));
    assert.equal(sent, [0.9], 'sized from 1.2001 with the stop at 1.1990: 1 % of 10000 over 11 pips');
    assert.is(r.of('TRADE_ENTRY')[0]!.data.lot_size, 0.9);
    assert.not.ok(r.of('ERROR').some((e) => /older than the latest quote ignored/.test(e.data.error)), 'the real ticks were not taken for stale ones');
  } finally {
    await r.done();
  }
});

test.run();
