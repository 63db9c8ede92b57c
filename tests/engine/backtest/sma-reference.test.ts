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
 * Rules (the engine's documented behaviour): signal on the close of bar i, fill at the open of
 * bar i+1 (buy at ask, sell at bid, spread 2 pips, USDCHF 5 digits); stop 500 points, target
 * 1000 points from the signal close; a reversal closes first; stops checked inside each bar
 * (stop first when both are reached; a gap fills at the open); 1 % risk on the balance at the
 * signal, lots rounded down to 0.01; at most 10 entries per week (Sunday 00:00 UTC weeks), a
 * refused signal parks the symbol until the next week; open trades close at the last close.
 */
interface Trade { pnl: number }

function independentSma(bars: BarSeries, balance0: number, maxPerWeek: number): { trades: Trade[]; balance: number } {
  const hs = 0.0001;
  const point = 0.00001;
  const r5 = (x: number) => Math.round(x * 1e5) / 1e5;
  const weekOf = (t: number) => Math.floor((t - 3 * 86_400_000) / (7 * 86_400_000));
  const trades: Trade[] = [];
  let balance = balance0;
  let pos: { dir: 1 | -1; entry: number; lots: number; sl: number; tp: number } | null = null;
  let pendingClose = false;
  type Pending = { dir: 1 | -1; lots: number; sl: number; tp: number };
  let pending: Pending | null = null;
  let week = -1;
  let count = 0;
  let reserved = 0;
  let throttled = false;
  let prevDiff = 0;
  const exit = (price: number) => {
    const p = r5(price);
    const pnl = (pos!.dir * (p - pos!.entry) * pos!.lots * 100_000) / p;
    balance += pnl;
    trades.push({ pnl });
    pos = null;
  };
  for (let i = 0; i < bars.length; i++) {
    const o = bars.open[i], h = bars.high[i], l = bars.low[i], c = bars.close[i];
    const w = weekOf(bars.time[i]);
    if (w !== week) {
      week = w;
      count = 0;
      reserved = 0;
      throttled = false;
    }
    if (pendingClose && pos) exit(pos.dir === 1 ? o - hs : o + hs);
    pendingClose = false;
    if (pending && !pos) {
      const p: Pending = pending;
      pending = null;
      if (reserved > 0) reserved--;
      const exitSide = p.dir === 1 ? o - hs : o + hs;
      const valid = p.dir === 1 ? p.sl < exitSide && p.tp > exitSide : p.sl > exitSide && p.tp < exitSide;
      if (valid) {
        count++;
        pos = { dir: p.dir, entry: r5(p.dir === 1 ? o + hs : o - hs), lots: p.lots, sl: p.sl, tp: p.tp };
      }
    }
    if (pos) {
      if (pos.dir === 1) {
        if (l - hs <= pos.sl) exit(Math.min(pos.sl, o - hs));
        else if (h - hs >= pos.tp) exit(Math.max(pos.tp, o - hs));
      } else {
        if (h + hs >= pos.sl) exit(Math.max(pos.sl, o + hs));
        else if (l + hs <= pos.tp) exit(Math.min(pos.tp, o + hs));
      }
    }
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
    if (dir === 0 || throttled || pending) continue;
    if (pos && pos.dir === dir) continue;
    if (pos) pendingClose = true;
    if (count + reserved >= maxPerWeek) {
      throttled = true;
      continue;
    }
    const sl = c - dir * 500 * point;
    const tp = c + dir * 1000 * point;
    const lossPerLot = (Math.abs(c - sl) / point) * 1 / c;
    const lots = Math.min(100, Math.max(0.01, Math.floor(((balance * 0.01) / lossPerLot) / 0.01 + 1e-9) * 0.01));
    reserved++;
    pending = { dir, lots: Number(lots.toFixed(2)), sl, tp };
  }
  if (pos) exit(pos.dir === 1 ? bars.close[bars.length - 1] - hs : bars.close[bars.length - 1] + hs);
  return { trades, balance };
}

test('SMA(10/30) on USDCHF H1 1996-2001: trade count and PnL equal an independent computation', () => {
  const { series } = loadHistory({ symbol: 'USDCHF', timeframe: 'H1' });
  // min 0 trades/week keeps aggression out of the sizing; the weekly maximum stays in force.
  const log = eventLog();
  const result = runBacktest({
    symbol: 'USDCHF', series, strategy: smaCrossover, balance: 10_000, riskPercent: 1,
    governor: { minTradesPerWeek: 0, maxTradesPerWeek: 10 }, onEvent: log.push,
  });
  const expected = independentSma(series, 10_000, 10);
  const exits = log.of('TRADE_EXIT');
  assert.ok(expected.trades.length > 500, `a real sample (${expected.trades.length} trades)`);
  assert.is(exits.length, expected.trades.length, "closed trades");
  assert.is(result.complete.total_trades, expected.trades.length);
  const enginePnl = exits.reduce((s, e) => s + e.data.pnl, 0);
  const independentPnl = expected.trades.reduce((s, t) => s + t.pnl, 0);
  // Engine rounds each trade's PnL to cents; allow that rounding and nothing more.
  assert.ok(Math.abs(enginePnl - independentPnl) <= 0.005 * exits.length + 1e-6, `PnL ${enginePnl} vs ${independentPnl}`);
  assert.ok(Math.abs(result.complete.final_balance - expected.balance) < 0.01, `balance ${result.complete.final_balance} vs ${expected.balance}`);
  for (let k = 0; k < exits.length; k++) {
    assert.ok(Math.abs(exits[k].data.pnl - expected.trades[k].pnl) < 0.006, `trade ${k + 1}: ${exits[k].data.pnl} vs ${expected.trades[k].pnl}`);
  }
});

test.run();
