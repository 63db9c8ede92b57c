import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { runBacktest } from '../../../engine/backtest/backtest-runner.ts';
import { Governor } from '../../../engine/governor/governor.ts';
import { weekStartOf } from '../../../engine/time/trading-week.ts';
import { makeBars, flipFlop, scripted, eventLog, MONDAY, HOUR } from '../../kit/engine-builders.ts';
import type { Signal } from '../../../engine/plugin-api.ts';

test('blocks the 11th entry of a week, emits skip_max_trades_reached and throttles the symbol', () => {
  const log = eventLog();
  // One week of H1 bars (Mon 00:00 to Fri 21:00 = 117 bars), gently rising.
  runBacktest({ symbol: 'USDCHF', series: makeBars(100, (i) => 1.2 + i * 0.00001), strategy: flipFlop, onEvent: log.push });
  const entries = log.of('TRADE_ENTRY');
  assert.is(entries.length, 10);
  assert.equal(entries.map((e) => e.data.trades_this_week), [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
  const skips = log.of('DECISION').filter((d) => d.data.decision === 'skip_max_trades_reached');
  assert.is(skips.length, 1, 'one refusal, then the symbol stops asking');
  assert.is(skips[0].data.trades_this_week, 10);
  assert.is(skips[0].data.max_trades, 10);
  const throttled = log.of('STATE_TRANSITION').filter((s) => s.data.to === 'throttled');
  assert.is(throttled.length, 1);
  assert.is(throttled[0].data.event, 'LIMIT_REACHED');
});

test('the week rollover releases a throttled symbol and the count starts again at 1', () => {
  const log = eventLog();
  // Two weeks: the second starts after the weekend gap.
  runBacktest({ symbol: 'USDCHF', series: makeBars(150, (i) => 1.2 + i * 0.00001), strategy: flipFlop, onEvent: log.push });
  const rolled = log.of('STATE_TRANSITION').filter((s) => s.data.event === 'WEEK_ROLLED');
  assert.is(rolled.length, 1);
  assert.is(rolled[0].data.from, 'throttled');
  assert.is(rolled[0].data.to, 'scanning');
  const entries = log.of('TRADE_ENTRY');
  const firstOfWeek2 = entries.find((e) => Date.parse(`${e.data.time}Z`) >= weekStartOf(MONDAY) + 7 * 24 * HOUR);
  assert.ok(firstOfWeek2, 'trades again in week 2');
  assert.is(firstOfWeek2!.data.trades_this_week, 1);
  const summaries = log.of('WEEKLY_SUMMARY');
  assert.is(summaries[0].data.trades, 10);
  assert.is(summaries[0].data.within_target, true);
  assert.is(summaries[0].data.target_range, '3-10');
});

test('aggression steps by 1.3 at each daily pace check while under the minimum, caps, and resets next week', () => {
  const g = new Governor({ minTradesPerWeek: 3, maxTradesPerWeek: 10 });
  const weekStart = weekStartOf(MONDAY);
  g.observe(weekStart + 22 * HOUR); // Sunday 22:00, session open
  const steps: number[] = [];
  for (let h = 23; h <= 7 * 24; h++) {
    const stepped = g.checkPace(weekStart + h * HOUR);
    if (stepped !== null) steps.push(Number(stepped.toFixed(4)));
  }
  assert.equal(steps, [1.3, 1.69, 2.197], 'three steps reach the default cap 1.3^3');
  const roll = g.observe(weekStart + 7 * 24 * HOUR + HOUR);
  assert.ok(roll);
  assert.is(roll!.aggression, 2.197);
  assert.is(g.aggression, 1, 'reset for the new week');
});

test('no aggression step while the week is on pace', () => {
  const g = new Governor({ minTradesPerWeek: 3 });
  const weekStart = weekStartOf(MONDAY);
  g.observe(weekStart + 22 * HOUR);
  g.reserve();
  g.recordEntry(weekStart + 22 * HOUR);
  g.reserve();
  g.recordEntry(weekStart + 23 * HOUR);
  // Monday 21:00: 1/5 of the session, expected pace 0.6 trades; 2 done.
  assert.is(g.checkPace(weekStart + 45 * HOUR), null);
  assert.is(g.aggression, 1);
});

test('the pace is compared exactly: on pace at 7 of 25 after 33.6 of 120 hours, where floating point says 7.000000000000001 were due', () => {
  const g = new Governor({ minTradesPerWeek: 25, maxTradesPerWeek: 50 });
  const weekStart = weekStartOf(MONDAY);
  g.observe(weekStart + 22 * HOUR);
  for (let k = 0; k < 7; k++) {
    g.reserve();
    g.recordEntry(weekStart + 22 * HOUR + k * 60_000);
  }
  // The first bar after Monday 21:00's check opens at 06:36 on Tuesday (a gap in the data):
  // 33.6 h of the 120 h session, 25 x 33.6 / 120 = 7 entries due, 7 done.
  assert.is(g.checkPace(weekStart + 21 * HOUR + 33 * HOUR + 36 * 60_000), null);
  assert.is(g.aggression, 1);
  // One minute later it is behind: 25 x 33.6167 / 120 = 7.0035 due.
  const h = new Governor({ minTradesPerWeek: 25, maxTradesPerWeek: 50 });
  h.observe(weekStart + 22 * HOUR);
  for (let k = 0; k < 7; k++) {
    h.reserve();
    h.recordEntry(weekStart + 22 * HOUR + k * 60_000);
  }
  assert.is(h.checkPace(weekStart + 21 * HOUR + 33 * HOUR + 36 * 60_000 + 60_000), 1.3);
});

test('an aggressive week sizes positions up and reports increase_aggression as a DECISION', () => {
  const log = eventLog();
  // A quiet week with a single late entry: the entry is sized with the raised multiplier.
  const series = makeBars(100, (i) => 1.2 + i * 0.00001);
  const strategy = { ...flipFlop, onBar: (ctx: Parameters<NonNullable<typeof flipFlop.onBar>>[0]) => (ctx.index === 90 ? flipFlop.onBar!(ctx) : undefined) };
  runBacktest({ symbol: 'USDCHF', series, strategy, onEvent: log.push });
  const raises = log.of('DECISION').filter((d) => d.data.decision === 'increase_aggression');
  assert.ok(raises.length >= 1);
  assert.match(raises[0].data.reason, /under the minimum pace/);
  const entry = log.of('TRADE_ENTRY')[0];
  assert.ok(entry.data.aggression_multiplier > 1);
});

test('regression (Saturday bars of a 24/7 feed stepped aggression past the session close): no pace check after Friday 21:00', () => {
  // Hourly bars every hour, weekends included, Sat 2024-01-06 00:00 to Sun 2024-01-21 23:00;
  // bar i opens at start + i h. Minimum 5 a week. Four entries early in the week of Sun
  // 2024-01-07: buys on bars 46, 48, 50, 52 fill at the next bar's open (Sun 23:00, Mon 01:00,
  // 03:00, 05:00) and close one bar later. Week of 2023-12-31 (the data starts on its Saturday):
  //   Sat 01-06 00:00, the first bar, is past every checkpoint (+24 ... +120, one gap: counted
  //   once): 0 < 5 expected -> x1.300. Sat 21:00 (open + 144 h) is no checkpoint.
  // Week of 01-07 (session Sun 21:00 to Fri 01-12 21:00): 4 trades meet the pace 1, 2, 3, 4 at
  //   Mon..Thu 21:00; Fri 21:00 (+120 h, the session close) 4 < 5 -> x1.300. Sat 01-13 21:00 is
  //   past the close: no step (the bug stepped again there, x1.690).
  // Week of 01-14: the multiplier starts at 1 again; 0 trades: Mon 21:00 (1.0) x1.300,
  //   Tue (2.0) x1.690, Wed (3.0) x2.197, then the cap. Week of 01-21: no checkpoint yet.
  const script: Record<number, Signal> = {};
  for (const i of [46, 48, 50, 52]) {
    script[i] = { direction: 'buy', stopLoss: 1.19, reason: 'scripted' };
    script[i + 1] = { direction: 'close' };
  }
  const series = makeBars(16 * 24, () => 1.2, { start: Date.UTC(2024, 0, 6), weekends: true });
  const log = eventLog();
  runBacktest({ symbol: 'USDCHF', series, strategy: scripted(script), governor: { minTradesPerWeek: 5 }, onEvent: log.push });
  assert.equal(log.of('TRADE_ENTRY').map((e) => e.data.time), ['2024-01-07T23:00:00', '2024-01-08T01:00:00', '2024-01-08T03:00:00', '2024-01-08T05:00:00']);
  const raises = log.of('DECISION').filter((d) => d.data.decision === 'increase_aggression');
  const steps = raises.map((d) => `${d.timestamp.slice(0, 16)} ${d.data.reason.match(/^(\d+) trades.*\(([\d.]+) expected by now\): position size x([\d.]+)$/)!.slice(1).join(' ')}`);
  assert.equal(steps, [
    '2024-01-06T00:00 0 5.0 1.300',
    '2024-01-12T21:00 4 5.0 1.300',
    '2024-01-15T21:00 0 1.0 1.300',
    '2024-01-16T21:00 0 2.0 1.690',
    '2024-01-17T21:00 0 3.0 2.197',
  ]);
  const weekOf0107 = raises.filter((d) => d.timestamp >= '2024-01-07' && d.timestamp < '2024-01-14');
  assert.ok(weekOf0107.every((d) => d.timestamp <= '2024-01-12T21:00:00.000000'), 'none after Friday 21:00');
  assert.equal(log.of('WEEKLY_SUMMARY').map((w) => [w.data.week_start, w.data.trades, w.data.aggression_multiplier]), [
    ['2023-12-31T00:00:00', 0, 1.3], ['2024-01-07T00:00:00', 4, 1.3], ['2024-01-14T00:00:00', 0, 2.197], ['2024-01-21T00:00:00', 0, 1],
  ]);
});

test('the last pace checkpoint is the configured session close: a 48 h session is checked at +24 h and +48 h only', () => {
  const g = new Governor({ minTradesPerWeek: 5, week: { anchorDay: 0, anchorHour: 0, openOffsetHours: 21, sessionHours: 48 } });
  const weekStart = weekStartOf(MONDAY);
  g.observe(weekStart + 21 * HOUR);
  const stepsAt: number[] = [];
  for (let h = 21; h < 7 * 24; h++) {
    if (g.checkPace(weekStart + h * HOUR) !== null) stepsAt.push(h - 21);
  }
  assert.equal(stepsAt, [24, 48], 'hours after the session open');
  assert.is(Number(g.aggression.toFixed(4)), 1.69);
  assert.is(g.nextEventTime, weekStart + 7 * 24 * HOUR, 'only the week roll is left');
});

test('the governor refuses inconsistent limits with a clear message', () => {
  assert.throws(() => new Governor({ minTradesPerWeek: 5, maxTradesPerWeek: 3 }), /minTradesPerWeek \(5\) exceeds maxTradesPerWeek \(3\)/);
});

test('a restored count from the current week keeps the weekly maximum after a restart', () => {
  const g = new Governor();
  const now = weekStartOf(MONDAY) + 30 * HOUR;
  g.restore({ weekStart: weekStartOf(MONDAY), trades: 10, lastTradeTime: now - HOUR }, now);
  assert.is(g.canEnter(), false);
  const fresh = new Governor();
  fresh.restore({ weekStart: weekStartOf(MONDAY) - 7 * 24 * HOUR, trades: 10, lastTradeTime: now - 100 * HOUR }, now);
  assert.is(fresh.canEnter(), true, 'a count from last week does not carry over');
});

test.run();
