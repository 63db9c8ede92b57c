import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { appendBar, createBarSeries, type BarSeries, type Timeframe } from '../../../engine/model/bar.ts';
import { nextSource, runLength, type MergeSource } from '../../../engine/runtime/bar-merge.ts';

const H = 3_600_000;
const T0 = Date.UTC(2024, 0, 8, 0);
function series(symbol: string, timeframe: Timeframe, opens: readonly number[]): BarSeries {
  const s = createBarSeries(symbol, timeframe, opens.length);
  for (const h of opens) appendBar(s, { time: T0 + h * H, open: 1, high: 1, low: 1, close: 1, volume: 1 });
  return s;
}

/** The merge's order, as `symbol@open-hour` in runs: what the engine sees, range by range. */
function order(sources: MergeSource[]): string[] {
  const out: string[] = [];
  for (let k = nextSource(sources); k >= 0; k = nextSource(sources)) {
    const n = runLength(sources, k);
    const s = sources[k].series;
    out.push(Array.from({ length: n }, (_, j) => `${s.symbol}@${(s.time[sources[k].next + j] - T0) / H}`).join(' '));
    sources[k].next += n;
  }
  return out;
}

test('one source alone runs all its bars as one range, and none once it is done', () => {
  const only: MergeSource = { series: series('USDCHF', 'H1', [0, 1, 2, 3, 4]), next: 2 };
  assert.is(runLength([only], 0), 3);
  only.next = 5;
  assert.is(runLength([only], 0), 0);
});

test('H1 and H4 bars merge by close time, ties to the earlier-configured symbol, in the longest ranges', () => {
  // H4 bars open at 0 and 4 (close 4 and 8); H1 bars open at 0..7 (close 1..8).
  const h4 = { series: series('XAUUSD', 'H4', [0, 4]), next: 0 };
  const h1 = { series: series('USDCHF', 'H1', [0, 1, 2, 3, 4, 5, 6, 7]), next: 0 };
  // XAUUSD configured first: it goes before USDCHF's bar closing at the same time.
  assert.equal(order([h4, h1].map((s) => ({ ...s }))), ['USDCHF@0 USDCHF@1 USDCHF@2', 'XAUUSD@0', 'USDCHF@3 USDCHF@4 USDCHF@5 USDCHF@6', 'XAUUSD@4', 'USDCHF@7']);
  // USDCHF configured first: its bar closing at 4 goes before XAUUSD's.
  assert.equal(order([h1, h4].map((s) => ({ ...s }))), ['USDCHF@0 USDCHF@1 USDCHF@2 USDCHF@3', 'XAUUSD@0', 'USDCHF@4 USDCHF@5 USDCHF@6 USDCHF@7', 'XAUUSD@4']);
});

test.run();
