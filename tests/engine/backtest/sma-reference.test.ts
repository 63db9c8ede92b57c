import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { loadHistory } from '../../../engine/data/load-history.ts';
import { runBacktest } from '../../../engine/backtest/backtest-runner.ts';
import { smaCrossover } from '../../../plugins/sma-crossover/index.ts';
import type { BarSeries } from '../../../engine/model/bar.ts';
import { eventLog } from '../../kit/engine-builders.ts';

/**
 * The reference SMA(10/30) strategy on the real USDCHF history, checked against a plain loop
 * written here without any engine code: same rules, computed independently.
 *
 * Rules (the engine's documented behaviour): signal on the close of bar i; the order executes
 * at the open of bar i+1 (buy at the ask, sell at the bid, spread 2 pips, USDCHF 5 digits,
 * prices normalised to them); stop 500 points, target 1000 points from the signal close; a
 * reversal closes first. The governor judges the entry when it executes, in the week of bar
 * i+1 (Sunday 00:00 UTC weeks): at most `max` entries a week (a refused entry parks the symbol
 * until the next week); a pace check at each bar's open at or after session open + 24 h × k
 * (session open Sunday 21:00, 120 h long) steps the multiplier x1.3 (cap 1.3³) while
 * entries < min × fraction of the session elapsed. Lots = balance (after every deal booked)
 * × 1 % × multiplier / loss per lot between the fill price and the stop (in USD at the stop's
 * rate), rounded down to 0.01; a stop on the wrong side of the closing side's price is
 * refused (10016). Stops checked inside each bar on its bid and ask normalised to the digits
 * (stop first when both are reached; a gap fills at the open). Swap at each 00:00 UTC rollover ending Monday..Friday (three nights at
 * Wednesday's): 2.5 points per lot long, -7.5 short, in CHF converted at the last quote, each
 * charge rounded to cents. Each deal's profit and swap is booked in cents; open trades close at
 * the last close.
 */
interface Trade { pnl: number; lots: number; swap: number }

const money = (x: number) => (x < 0 ? -1 : 1) * Math.round(Math.abs(x) * 100 + 1e-7) / 100;

function independentSma(bars: BarSeries, balance0: number, minPerWeek: number, maxPerWeek: number): { trades: Trade[]; balance: number; refused: number } {
  const hs = 0.0001;
  const point = 0.00001;
  const DAY = 86_400_000;
  const HOUR = 3_600_000;
  const r5 = (x: number) => Math.round(x * 1e5) / 1e5;
  const weekStart = (t: number) => 3 * DAY + Math.floor((t - 3 * DAY) / (7 * DAY)) * 7 * DAY;
  const trades: Trade[] = [];
  let balance = balance0;
  let refused = 0;
  let pos: { dir: 1 | -1; entry: number; lots: number; sl: number; tp: number; swap: number } | null = null;
  let pendingClose = false;
  type Pending = { dir: 1 | -1; sl: number; tp: number };
  let pending: Pending | null = null;
  let week = Number.NaN;
  let nextPace = 0;
  let count = 0;
  let aggression = 1;
  let throttled = false;
  let prevDiff = 0;
  let nextRollover = Infinity;
  let lastMid = 0;
  const exit = (raw: number) => {
    const p = r5(raw);
    const profit = money((pos!.dir * (p - pos!.entry) * pos!.lots * 100_000) / p);
    balance = money(balance + profit + pos!.swap);
    trades.push({ pnl: money(profit + pos!.swap), lots: pos!.lots, swap: pos!.swap });
    pos = null;
    nextRollover = Infinity;
  };
  for (let i = 0; i < bars.length; i++) {
    const t = bars.time[i];
    const o = bars.open[i], h = bars.high[i], l = bars.low[i], c = bars.close[i];
    // The governor's clock at the bar's open: a new week, then the pace check.
    if (weekStart(t) !== week) {
      week = weekStart(t);
      count = 0;
      aggression = 1;
      throttled = false;
      nextPace = week + (21 + 24) * HOUR;
    }
    if (t >= nextPace) {
      while (nextPace <= t) nextPace += 24 * HOUR;
      const elapsed = Math.min(1, Math.max(0, (t - week - 21 * HOUR) / (120 * HOUR)));
      if (count < minPerWeek * elapsed && aggression < 1.3 ** 3) aggression = Math.min(aggression * 1.3, 1.3 ** 3);
    }
    // Rollovers up to this bar's open, at the last quote.
    while (pos && nextRollover <= t) {
      const weekday = new Date(nextRollover - DAY).getUTCDay();
      if (weekday >= 1 && weekday <= 5) {
        const nights = weekday === 3 ? 3 : 1;
        const rate = pos.dir === 1 ? 2.5 : -7.5;
        const mark = pos.dir === 1 ? lastMid - hs : lastMid + hs;
        pos.swap = money(pos.swap + money((nights * rate * point * 100_000 * pos.lots) / mark));
      }
      nextRollover += DAY;
    }
    if (pendingClose && pos) exit(pos.dir === 1 ? o - hs : o + hs);
    pendingClose = false;
    if (pending && !pos) {
      const p: Pending = pending;
      pending = null;
      if (throttled) {
        // Signalled while throttled and the week has not rolled by this open: dropped.
      } else if (count >= maxPerWeek) {
        throttled = true;
      } else {
        const price = r5(p.dir === 1 ? o + hs : o - hs);
        const exitSide = r5(p.dir === 1 ? o - hs : o + hs);
        const lossPerLot = (Math.abs(price - p.sl) * 100_000) / p.sl;
        const lots = Number(Math.min(100, Math.max(0.01, Math.floor((balance * 0.01 * aggression) / lossPerLot / 0.01 + 1e-9) * 0.01)).toFixed(2));
        const valid = p.dir === 1 ? p.sl <= exitSide && p.tp >= exitSide : p.sl >= exitSide && p.tp <= exitSide;
        if (valid) {
          count++;
          pos = { dir: p.dir, entry: price, lots, sl: p.sl, tp: p.tp, swap: 0 };
          nextRollover = (Math.floor(t / DAY) + 1) * DAY;
        } else {
          refused++;
        }
      }
    }
    if (pos) {
      // The bar's bid and ask on the symbol's digits, as the stop and target are.
      if (pos.dir === 1) {
        if (r5(l - hs) <= pos.sl) exit(Math.min(pos.sl, r5(o - hs)));
        else if (r5(h - hs) >= pos.tp) exit(Math.max(pos.tp, r5(o - hs)));
      } else {
        if (r5(h + hs) >= pos.sl) exit(Math.max(pos.sl, r5(o + hs)));
        else if (r5(l + hs) <= pos.tp) exit(Math.min(pos.tp, r5(o + hs)));
      }
    }
    lastMid = c;
    if (i < 29) continue;
    let fast = 0, slow = 0;
    for (let k = i - 9; k <= i; k++) fast += bars.close[k];
    for (let k = i - 29; k <= i; k++) slow += bars.close[k];
    const raw = fast / 10 - slow / 30;
    const diff = Math.abs(raw) < 1e-9 ? 0 : raw; // equal averages are a tie (documented rule)
    const prev = prevDiff;
    prevDiff = diff;
    if (i === 30 - 1) continue;
    const dir: 1 | -1 | 0 = prev <= 0 && diff > 0 ? 1 : prev >= 0 && diff < 0 ? -1 : 0;
    // A throttled symbol's signal waits for the next open too: taken there if the week has rolled.
    if (dir === 0 || pending) continue;
    if (pos && pos.dir === dir) continue;
    if (pos) pendingClose = true;
    pending = { dir, sl: r5(c - dir * 500 * point), tp: r5(c + dir * 1000 * point) };
  }
  if (pos) exit(pos.dir === 1 ? bars.close[bars.length - 1] - hs : bars.close[bars.length - 1] + hs);
  return { trades, balance, refused };
}

for (const [min, max] of [[0, 10], [3, 10], [2, 4]] as const) {
  test(`SMA(10/30) on USDCHF H1 1996-2001, ${min}-${max} trades a week: every trade's lots and PnL to the cent equal an independent computation`, () => {
    const { series } = loadHistory({ symbol: 'USDCHF', timeframe: 'H1' });
    const log = eventLog();
    const result = runBacktest({
      symbol: 'USDCHF', series, strategy: smaCrossover, balance: 10_000, riskPercent: 1,
      governor: { minTradesPerWeek: min, maxTradesPerWeek: max }, onEvent: log.push,
    });
    const expected = independentSma(series, 10_000, min, max);
    const exits = log.of('TRADE_EXIT');
    assert.ok(expected.trades.length > 500, `a real sample (${expected.trades.length} trades)`);
    assert.is(exits.length, expected.trades.length, 'closed trades');
    assert.is(result.complete.total_trades, expected.trades.length);
    for (let k = 0; k < exits.length; k++) {
      const got = exits[k].data;
      const want = expected.trades[k];
      assert.is(got.lot_size, want.lots, `trade ${k + 1}: lots`);
      assert.is(got.swap, want.swap, `trade ${k + 1}: swap`);
      assert.is(got.pnl, want.pnl, `trade ${k + 1}: pnl`);
    }
    assert.is(result.complete.final_balance, expected.balance);
    assert.is(result.complete.orders?.refused, expected.refused);
    assert.ok(expected.trades.some((t) => t.swap !== 0), 'swaps were charged');
  });
}

test.run();
