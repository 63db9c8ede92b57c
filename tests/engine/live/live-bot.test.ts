import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createLiveBot } from '../../../engine/live/live-bot.ts';
import { TRADE_RETCODE } from '../../../engine/model/mt5.ts';
import type { LogEvent } from '../../../protocol/index.ts';
import { bridgeRig } from '../../broker/mt5-bridge/bridge-harness.ts';
import { flipFlop, MONDAY, HOUR } from '../../kit/engine-builders.ts';
import { formatSeconds } from '../../../protocol/envelope.ts';
import { weekStartOf } from '../../../engine/time/trading-week.ts';

// The live bot behind the real MT5 bridge (TCP on loopback), with a scripted fake EA playing
// the terminal: bars from the terminal drive the same actors, orders go to the terminal.

async function until(what: string, ok: () => boolean, ms = 5_000): Promise<void> {
  const end = Date.now() + ms;
  while (!ok()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

async function liveRig(serverOffsetS = 0, timeframe: 'H1' | 'M30' = 'H1') {
  const rig = await bridgeRig({ serverOffsetS }, { knownPositions: () => [] });
  const bot = await createLiveBot({
    symbols: [{ symbol: 'EURUSD', timeframe }], strategies: new Map([['flip-flop', flipFlop]]), strategy: 'flip-flop',
    balance: 10_000, riskPercent: 1, brokerPort: rig.broker,
  });
  const events: LogEvent[] = [];
  bot.events$.subscribe((e) => events.push(e));
  let k = 0;
  const bar = (price: number) => {
    const time = MONDAY + 10 * HOUR + k++ * HOUR;
    rig.ea.tick('EURUSD', time + HOUR, price - 0.0001, price + 0.0001);
    rig.terminal.setQuote('EURUSD', time + HOUR, price - 0.0001, price + 0.0001);
    rig.ea.bar('EURUSD', 'H1', { time, open: price, high: price + 0.0005, low: price - 0.0005, close: price, volume: 10 });
  };
  const of = (type: string) => events.filter((e) => e.event_type === type);
  /** A bar of `timeframe` opened at `serverOpen` on the trade server's clock, with a quote at its close (orders fill at that time). */
  const serverBar = (serverOpen: number, price: number) => {
    const close = serverOpen + (timeframe === 'M30' ? HOUR / 2 : HOUR);
    rig.ea.tick('EURUSD', close, price - 0.0001, price + 0.0001);
    rig.ea.bar('EURUSD', timeframe, { time: serverOpen, open: price, high: price + 0.0005, low: price - 0.0005, close: price, volume: 10 });
  };
  return { rig, bot, events, bar, of, serverBar };
}

test('live: bars from the terminal drive the actor, the order goes to the terminal, and the status names the broker', async () => {
  const { rig, bot, bar, of } = await liveRig();
  try {
    bot.start();
    const init = of('BOT_INITIALIZATION')[0];
    assert.ok(init && init.event_type === 'BOT_INITIALIZATION');
    if (init.event_type === 'BOT_INITIALIZATION') {
      assert.is(init.data.mt5_connected, true);
      assert.is(init.data.broker, 'mt5-bridge');
    }
    bar(1.2);
    await until('TRADE_ENTRY', () => of('TRADE_ENTRY').length === 1);
    const entry = of('TRADE_ENTRY')[0];
    if (entry.event_type === 'TRADE_ENTRY') assert.is(entry.data.execution_result.retcode, TRADE_RETCODE.DONE);
    assert.is(rig.terminal.positionsList('EURUSD').length, 1, 'the position is on the terminal');
    bar(1.2005);
    await until('TRADE_EXIT', () => of('TRADE_EXIT').length === 1);
    assert.is(rig.terminal.positionsList('EURUSD').length, 0);
    const status = bot.status();
    assert.equal([status.broker, status.connected, status.mt5_connected, status.mode, status.trades_this_week], ['mt5-bridge', true, true, 'live', 1]);
  } finally {
    await bot.shutdown();
    await rig.dispose();
  }
});

test('live: a rejected order gives ERROR and DECISION order_rejected with the retcode, and the symbol keeps scanning', async () => {
  const { rig, bot, bar, of } = await liveRig();
  try {
    bot.start();
    rig.terminal.rejectNext(TRADE_RETCODE.NO_MONEY);
    bar(1.2);
    await until('order_rejected', () => of('DECISION').some((d) => d.event_type === 'DECISION' && d.data.decision === 'order_rejected'));
    const decision = of('DECISION').find((d) => d.event_type === 'DECISION' && d.data.decision === 'order_rejected')!;
    if (decision.event_type === 'DECISION') {
      assert.is(decision.data.retcode, TRADE_RETCODE.NO_MONEY);
      assert.match(decision.data.reason, /10019/);
    }
    assert.ok(of('ERROR').length >= 1);
    assert.is(bot.status().symbols?.[0].state, 'scanning');
    assert.is(bot.status().trades_this_week, 0, 'a refused order is not counted');
    bar(1.2001);
    await until('the next entry', () => of('TRADE_ENTRY').length === 1);
  } finally {
    await bot.shutdown();
    await rig.dispose();
  }
});

test('live: a lost terminal connection shows in the status and as BOT_STATUS', async () => {
  const { rig, bot, of } = await liveRig();
  try {
    bot.start();
    rig.ea.disconnect();
    await rig.connection(false);
    await until('BOT_STATUS connection lost', () => of('BOT_STATUS').some((e) => e.event_type === 'BOT_STATUS' && e.data.connected === false));
    const status = bot.status();
    assert.equal([status.connected, status.mt5_connected], [false, false]);
  } finally {
    await bot.shutdown();
    await rig.dispose();
  }
});

test('live, UTC+2 trade server: TRADE_ENTRY time and a Friday 23:30 server-time exit are logged in UTC (21:30 TRADE_EXIT timestamp), in the same trading week', async () => {
  const { rig, bot, of, serverBar } = await liveRig(7_200, 'M30');
  const FRIDAY = Date.UTC(2026, 0, 9);
  try {
    bot.start();
    serverBar(FRIDAY + 22.5 * HOUR, 1.2); // 22:30-23:00 on the server: 20:30-21:00 UTC
    await until('TRADE_ENTRY', () => of('TRADE_ENTRY').length === 1);
    serverBar(FRIDAY + 23 * HOUR, 1.2005); // closes 23:30 on the server: the exit deal is stamped then
    await until('TRADE_EXIT', () => of('TRADE_EXIT').length === 1);
    assert.is(rig.terminal.deals[1]!.time, FRIDAY + 23.5 * HOUR, 'the terminal stamped the exit 23:30 on its clock');
    const entry = of('TRADE_ENTRY')[0]!;
    const exit = of('TRADE_EXIT')[0]!;
    if (entry.event_type !== 'TRADE_ENTRY' || exit.event_type !== 'TRADE_EXIT') throw new Error('event types');
    assert.is(entry.data.time, formatSeconds(FRIDAY + 21 * HOUR));
    assert.is(exit.data.timestamp, formatSeconds(FRIDAY + 21.5 * HOUR));
    assert.is(weekStartOf(FRIDAY + 21.5 * HOUR), weekStartOf(FRIDAY + 21 * HOUR));
    assert.is(bot.status().trades_this_week, 1);
  } finally {
    await bot.shutdown();
    await rig.dispose();
  }
});

test('live, UTC+3 trade server open at the weekend: an entry at Sunday 00:30 server time (Saturday 21:30 UTC) counts in the week that is ending, not the next', async () => {
  const { rig, bot, of, serverBar } = await liveRig(10_800, 'M30');
  const SUNDAY = Date.UTC(2026, 5, 7); // the trading week's anchor: Sunday 00:00 UTC
  try {
    bot.start();
    serverBar(SUNDAY, 1.2); // 00:00-00:30 on the server: Saturday 21:00-21:30 UTC
    await until('the weekend entry', () => of('TRADE_ENTRY').length === 1);
    serverBar(SUNDAY + 0.5 * HOUR, 1.2005);
    await until('its exit', () => of('TRADE_EXIT').length === 1);
    serverBar(SUNDAY + 34 * HOUR, 1.2); // Monday 10:00 on the server, 07:00 UTC: the new week
    await until('the Monday entry', () => of('TRADE_ENTRY').length === 2);
    const [weekend, monday] = of('TRADE_ENTRY');
    if (weekend?.event_type !== 'TRADE_ENTRY' || monday?.event_type !== 'TRADE_ENTRY') throw new Error('event types');
    assert.is(weekend.data.time, formatSeconds(SUNDAY - 2.5 * HOUR));
    assert.is(monday.data.trades_this_week, 1, "Monday's entry is the new week's first: the weekend one belongs to the week before");
  } finally {
    await bot.shutdown();
    await rig.dispose();
  }
});

test.run();
