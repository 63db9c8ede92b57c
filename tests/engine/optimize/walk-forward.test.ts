import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { loadHistory } from '../../../engine/data/load-history.ts';
import type { BarSeries } from '../../../engine/model/bar.ts';
import { parseParam, ParamSpace } from '../../../engine/optimize/param-space.ts';
import { resolveObjective } from '../../../engine/optimize/objectives.ts';
import { optimise } from '../../../engine/optimize/optimizer.ts';
import { InlineExecutor } from '../../../engine/optimize/executor.ts';
import { oneSymbolSpec, resolveRun } from '../../../engine/optimize/run-spec.ts';
import { runTrial, type TrialInputs } from '../../../engine/optimize/trial.ts';
import { parseWalkForward, walkForwardWindows } from '../../../engine/optimize/walk-forward-windows.ts';
import { walkForward } from '../../../engine/optimize/walk-forward.ts';

const { series } = loadHistory({ symbol: 'USDCHF', timeframe: 'H4', from: '1997-01-01', to: '1999-12-31' });
const spec = oneSymbolSpec({ symbol: 'USDCHF', timeframe: 'H4' });
const bars = new Map([['USDCHF', series]]);
/** The same run on other bars. */
const withBars = (inputs: TrialInputs, s: BarSeries): TrialInputs => ({ ...inputs, series: new Map([['USDCHF', s]]), reference: s });
const space = new ParamSpace([parseParam('fast=4:12:4'), parseParam('slow=20,40')]);
const plan = parseWalkForward('rolling:12:6');

function run(inputs: TrialInputs) {
  const objective = resolveObjective('net-profit', inputs.bot.symbols[0].strategy);
  const executor = new InlineExecutor(inputs);
  return walkForward(inputs, walkForwardWindows(inputs.reference.time, inputs.reference.length, plan), (range) =>
    optimise({ space, valid: () => true, search: { method: 'grid' }, objective, executor, run: 'test', range }));
}

/** A copy of the series with bars [from, to) replaced by a different market (prices scaled and reversed in trend). */
function scrambled(s: BarSeries, from: number, to: number): BarSeries {
  const copy = (a: Float64Array) => a.slice(0, s.length);
  const out = { ...s, open: copy(s.open), high: copy(s.high), low: copy(s.low), close: copy(s.close) };
  for (let i = from; i < to; i++) {
    const k = 2 - (i - from) / (to - from);
    out.open[i] *= k;
    out.high[i] *= k;
    out.low[i] *= k;
    out.close[i] *= k;
  }
  return out;
}

test('rolling and anchored windows: out-of-sample segments follow their in-sample period back to back', () => {
  assert.equal(parseWalkForward('anchored:24:6'), { mode: 'anchored', inSampleMonths: 24, outOfSampleMonths: 6 });
  assert.throws(() => parseWalkForward('sliding:24:6'), /rolling:IS:OOS/);
  const rolling = walkForwardWindows(series.time, series.length, plan);
  const anchored = walkForwardWindows(series.time, series.length, parseWalkForward('anchored:12:6'));
  assert.is(rolling.length, 4, '1998-01, 1998-07, 1999-01, 1999-07');
  for (const [k, w] of rolling.entries()) {
    assert.is(w.inSample.to, w.outOfSample.from, 'in-sample ends where out-of-sample starts');
    assert.ok(series.time[w.inSample.to - 1] < w.oosFrom && series.time[w.outOfSample.from] >= w.oosFrom, 'no in-sample bar at or after the out-of-sample start');
    assert.ok(series.time[w.inSample.from] >= w.isFrom && series.time[w.inSample.from] - w.isFrom < 4 * 86_400_000, 'twelve months back');
    if (k > 0) assert.is(w.outOfSample.from, rolling[k - 1].outOfSample.to, 'segments back to back');
    assert.is(anchored[k].inSample.from, 0, 'anchored windows start at the first bar');
    assert.equal(anchored[k].outOfSample, w.outOfSample);
  }
});

test('walk-forward never leaks: out-of-sample results ignore in-sample bars, and the choice ignores out-of-sample bars', async () => {
  const inputs = await resolveRun(spec, bars);
  const wf = await run(inputs);
  assert.is(wf.segments.length, 4);
  for (const [k, segment] of wf.segments.entries()) {
    const { inSample, outOfSample } = segment.window;
    // Another market before the out-of-sample start: the same parameters give the same out-of-sample run.
    const before = withBars(inputs, scrambled(series, 0, outOfSample.from));
    assert.equal(runTrial(before, segment.chosen.params, outOfSample, undefined, segment.startBalance).metrics, segment.outOfSample, `window ${k}`);
    // Another market from the out-of-sample start on: the in-sample search picks the same winner.
    const after = withBars(inputs, scrambled(series, inSample.to, series.length));
    const again = await optimise({ space, valid: () => true, search: { method: 'grid' }, objective: resolveObjective('net-profit', inputs.bot.symbols[0].strategy), executor: new InlineExecutor(after), run: 'test', range: inSample });
    assert.equal(again.ranked[0].params, segment.chosen.params, `window ${k}`);
    assert.is(again.ranked[0].metrics.netProfit, segment.chosen.metrics.netProfit);
  }
});

test('the out-of-sample segments are stitched into one run: balances chain, trades and profit add up', async () => {
  const inputs = await resolveRun(spec, bars);
  const wf = await run(inputs);
  let balance = 10_000;
  for (const s of wf.segments) {
    assert.is(s.startBalance, balance);
    balance = s.outOfSample.finalBalance;
    if (s.efficiency !== null) assert.ok(Number.isFinite(s.efficiency));
  }
  assert.is(wf.finalBalance, balance);
  assert.is(wf.stitched.trades, wf.segments.reduce((n, s) => n + s.outOfSample.trades, 0));
  assert.ok(Math.abs(wf.stitched.netProfit - (balance - 10_000)) < 0.05, `${wf.stitched.netProfit} vs ${balance - 10_000}`);
  assert.ok(wf.equity.every((e, i) => i === 0 || e.time >= wf.equity[i - 1].time), 'one curve in time order');
  // One week per calendar week the out-of-sample bars touch: a week a segment boundary cuts is in
  // both segments' summaries but once in the stitched run (reviewer finding 7: it counted twice).
  const WEEK = 7 * 86_400_000;
  const monday = Date.UTC(1970, 0, 5);
  const weeks = new Set<number>();
  for (const s of wf.segments) for (let i = s.window.outOfSample.from; i < s.window.outOfSample.to; i++) weeks.add(Math.floor((inputs.reference.time[i] - monday) / WEEK));
  assert.is(wf.stitched.weeksTotal, weeks.size);
  assert.ok(wf.stitched.weeksTotal < wf.segments.reduce((n, s) => n + s.outOfSample.weeksTotal, 0), 'boundary weeks counted once');
  assert.ok(wf.stitched.maxDrawdownPct >= Math.max(...wf.segments.map((s) => s.outOfSample.maxDrawdownPct)), 'no better than its worst segment');
});

test('the stitched Sharpe counts a week a segment boundary cuts once, its two parts compounded, as the weeks column does', async () => {
  const inputs = await resolveRun(spec, bars);
  const wf = await run(inputs);
  // Trading weeks start Sunday 00:00 UTC: a Sunday 20:00 bar opens a new week.
  const WEEK = 7 * 86_400_000;
  const sunday = Date.UTC(1970, 0, 4);
  const weekOf = (i: number) => Math.floor((inputs.reference.time[i] - sunday) / WEEK);
  const merged: number[] = [];
  const apart: number[] = [];
  let cuts = 0;
  wf.segments.forEach((s, k) => {
    const r = Array.from(runTrial(inputs, s.chosen.params, s.window.outOfSample, undefined, s.startBalance).weeklyReturns);
    apart.push(...r);
    if (k > 0 && weekOf(s.window.outOfSample.from) === weekOf(wf.segments[k - 1].window.outOfSample.to - 1)) {
      cuts++;
      merged[merged.length - 1] = (1 + merged[merged.length - 1]) * (1 + r.shift()!) - 1;
    }
    merged.push(...r);
  });
  const sharpe = (x: number[]) => {
    const mean = x.reduce((a, b) => a + b, 0) / x.length;
    const sd = Math.sqrt(x.reduce((a, b) => a + (b - mean) ** 2, 0) / (x.length - 1));
    return (mean / sd) * Math.sqrt(52);
  };
  assert.ok(cuts > 0, 'the windows cut weeks');
  assert.is(merged.length, wf.stitched.weeksTotal, 'one return per week of the stitched run');
  assert.ok(Math.abs(wf.stitched.sharpe - sharpe(merged)) < 1e-9, `${wf.stitched.sharpe} vs ${sharpe(merged)}`);
  // Before: each part of a cut week was a return of its own.
  assert.ok(Math.abs(wf.stitched.sharpe - sharpe(apart)) > 1e-6);
});

test.run();
