import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { appendBar, createBarSeries, type BarSeries, type Timeframe } from '../../../engine/model/bar.ts';
import { StepMerge, type MergeSource } from '../../../engine/runtime/bar-merge.ts';

const H = 3_600_000;
const T0 = Date.UTC(2024, 0, 8, 0);
function series(symbol: string, timeframe: Timeframe, opens: readonly number[]): BarSeries {
  const s = createBarSeries(symbol, timeframe, opens.length);
  for (const h of opens) appendBar(s, { time: T0 + h * H, open: 1, high: 1, low: 1, close: 1, volume: 1 });
  return s;
}
const source = (s: BarSeries): MergeSource => ({ series: s, next: 0, opened: false });

/**
 * The merge's order as the engine walks it (`runMerged`): a whole-bar range as
 * `symbol@open-hour ...`, a split bar's steps as `open symbol@hour` and `close symbol@hour`.
 */
function order(sources: MergeSource[]): string[] {
  const out: string[] = [];
  const merge = new StepMerge(sources);
  for (let k = merge.first(); k >= 0; k = merge.first()) {
    const src = sources[k];
    const s = src.series;
    const at = (i: number) => `${s.symbol}@${(s.time[i] - T0) / H}`;
    if (src.opened) {
      out.push(`close ${at(src.next)}`);
      merge.stepped(k);
      continue;
    }
    const n = merge.wholeBars(k);
    if (n === 0) {
      out.push(`open ${at(src.next)}`);
      merge.stepped(k);
      continue;
    }
    out.push(Array.from({ length: n }, (_, j) => at(src.next + j)).join(' '));
    merge.ran(k, n);
  }
  return out;
}

test('one source alone runs all its bars whole, and none once it is done', () => {
  const only: MergeSource = { series: series('USDCHF', 'H1', [0, 1, 2, 3, 4]), next: 2, opened: false };
  const merge = new StepMerge([only]);
  assert.is(merge.wholeBars(0), 3);
  merge.ran(0, 3);
  assert.is(merge.wholeBars(0), 0);
  assert.is(merge.first(), -1);
});

test('an H4 bar opens before the H1 bars inside it and closes after those that close before it; at one time closes go first, each kind in the configured order', () => {
  // H4 bars open at 0 and 4 (close 4 and 8); H1 bars open at 0..7 (close 1..8). XAUUSD
  // configured first opens first at 0 and closes first at 4, so the H1 bar closing at 4 is split
  // around the H4 close; the H4 bar opening at 4 waits for that H1 close (a close before an open).
  const h4 = () => source(series('XAUUSD', 'H4', [0, 4]));
  const h1 = () => source(series('USDCHF', 'H1', [0, 1, 2, 3, 4, 5, 6, 7]));
  assert.equal(order([h4(), h1()]), [
    'open XAUUSD@0', 'USDCHF@0 USDCHF@1 USDCHF@2', 'open USDCHF@3', 'close XAUUSD@0', 'close USDCHF@3',
    'open XAUUSD@4', 'USDCHF@4 USDCHF@5 USDCHF@6', 'open USDCHF@7', 'close XAUUSD@4', 'close USDCHF@7',
  ]);
  // USDCHF configured first opens first at 0, so its first bar is split around XAUUSD's open;
  // at 4 the H1 bar closing then goes before the H4 open (a close before an open at one time).
  assert.equal(order([h1(), h4()]), [
    'open USDCHF@0', 'open XAUUSD@0', 'close USDCHF@0', 'USDCHF@1 USDCHF@2 USDCHF@3', 'close XAUUSD@0',
    'open USDCHF@4', 'open XAUUSD@4', 'close USDCHF@4', 'USDCHF@5 USDCHF@6 USDCHF@7', 'close XAUUSD@4',
  ]);
});

test('one timeframe: every symbol\'s open before any symbol\'s close of the same bar, each kind in the configured order', () => {
  const a = source(series('USDCHF', 'H1', [0, 1]));
  const b = source(series('EURUSD', 'H1', [0, 1]));
  assert.equal(order([a, b]), [
    'open USDCHF@0', 'open EURUSD@0', 'close USDCHF@0', 'close EURUSD@0',
    'open USDCHF@1', 'open EURUSD@1', 'close USDCHF@1', 'close EURUSD@1',
  ]);
});

test('a symbol in a gap does not split the other\'s bars', () => {
  // EURUSD trades hours 0-1 and 5-6; USDCHF 2-4 runs whole while EURUSD waits for 5.
  const a = source(series('USDCHF', 'H1', [2, 3, 4]));
  const b = source(series('EURUSD', 'H1', [0, 5]));
  assert.equal(order([a, b]), ['EURUSD@0', 'USDCHF@2 USDCHF@3 USDCHF@4', 'EURUSD@5']);
});

test.run();
