import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { BacktestCompleteData, BacktestStartData } from '../../protocol/index.ts';
import { testerStatRows } from '../../protocol/index.ts';
import { compareRows, decodeRecordedRun, decodeRunKeys, encodeRunKeys, equityOverlay, paramsText, runLabel, type CompareRun } from '../../ui/src/features/backtests/compare-runs.ts';
import { recordedRuns } from '../../ui/src/features/backtests/recorded-runs.ts';
import { buildReport } from '../../engine/report/build-report.ts';
import { TradeTable } from '../../engine/report/trade-table.ts';

const start = (id: string, fast: number, extra: Partial<BacktestStartData> = {}): BacktestStartData => ({
  session_id: id, symbol: 'USDCHF', data_points: 1200, starting_balance: 10_000, trade_constraints: { min_trades_per_week: 3, max_trades_per_week: 10 },
  timeframe: 'H4', strategy: 'sma-crossover', params: { USDCHF: { fast, slow: 30 } }, ...extra,
});
const DAY = 86_400_000;
const report = (pnl: number[]) => buildReport(10_000, TradeTable.from(pnl.map((p, i) => ({
  symbol: 'USDCHF', direction: 1 as const, entryTime: i * DAY, exitTime: i * DAY + 3600_000, pnl: p, mfe: Math.max(p, 0), mae: Math.min(p, 0),
}))), equityOf(pnl), { starts: pnl.map((_, i) => i * DAY), closes: equityOf(pnl).map(([, e]) => e) });
function equityOf(pnl: number[]): Array<[number, number]> {
  return pnl.map((_, i) => [i * DAY, 10_000 + pnl.slice(0, i + 1).reduce((a, b) => a + b, 0)]);
}
const complete = (id: string, pnl: number[]): BacktestCompleteData => ({
  session_id: id, final_balance: 10_000 + pnl.reduce((a, b) => a + b, 0), total_return: pnl.reduce((a, b) => a + b, 0), total_trades: pnl.length, max_drawdown: 0, weekly_stats: {},
  report: report(pnl),
} as BacktestCompleteData);

const A: CompareRun = { key: 'session:aaaa-1', start: start('aaaa-1', 5, { from: '1998-01-01', to: '1998-12-31' }), complete: complete('aaaa-1', [50, -20, 30]) };
const B: CompareRun = { key: 'recording:x.jsonl', start: start('bbbb-2', 10), complete: null };

test('run keys survive the editor input and anything else is dropped', () => {
  assert.equal(decodeRunKeys(encodeRunKeys(['session:a', 'recording:20260101-000000_backtest_x.jsonl'])), ['session:a', 'recording:20260101-000000_backtest_x.jsonl']);
  assert.equal(decodeRunKeys('session:\nbogus:1\n'), []);
  assert.equal(decodeRunKeys(undefined), []);
});

test('a run is labelled by what it ran, parameters included, so two runs of one strategy tell apart', () => {
  assert.is(runLabel(A), 'USDCHF H4 sma-crossover (fast=5 slow=30) · aaaa');
  assert.is(paramsText({ USDCHF: { fast: 5 }, EURUSD: { fast: 7, patterns: ['Hammer'] } }), 'USDCHF: fast=5; EURUSD: fast=7 patterns=["Hammer"]');
  assert.is(paramsText(undefined), '');
});

test('rows put what each run ran first, then every Strategy Tester statistic side by side; a run without a report shows dashes', () => {
  const rows = compareRows([A, B]);
  const row = (key: string) => rows.find((r) => r.key === key)!.values;
  assert.equal(row('params'), ['fast=5 slow=30', 'fast=10 slow=30']);
  assert.equal(row('range'), ['1998-01-01 → 1998-12-31 · 1,200 bars', 'whole history · 1,200 bars']);
  assert.equal(row('status'), ['complete', 'did not finish']);
  assert.equal(compareRows([{ ...A, complete: null }]).find((r) => r.key === 'status')!.values, ['running']);
  const stats = testerStatRows(A.complete!.report!.stats);
  assert.equal(rows.slice(5).map((r) => r.label), stats.map((s) => s.label));
  assert.equal(row('net_profit'), [stats.find((s) => s.key === 'net_profit')!.value, '—']);
  assert.equal(row('total_trades'), ['3', '—']);
});

test('a comparison of a real-ticks run with a bars run has a Model row saying which is which; two bars runs have none', () => {
  const ticks: CompareRun = { ...A, key: 'session:dddd-4', start: start('dddd-4', 5, { from: '1998-01-01', to: '1998-12-31', model: 'ticks' }) };
  const model = compareRows([A, ticks]).find((r) => r.key === 'model');
  assert.equal(model, { key: 'model', label: 'Model', values: ['bars', 'real ticks'] });
  assert.is(compareRows([A, B]).find((r) => r.key === 'model'), undefined);
});

test('the equity overlay has one coloured line per run, from each report\'s curve', () => {
  const lines = equityOverlay([A, { ...A, key: 'session:cccc', start: start('cccc-3', 7) }]);
  assert.is(lines.length, 2);
  assert.is.not(lines[0].color, lines[1].color);
  assert.equal(lines[0].points, A.complete!.report!.curve.map(([t, , e]) => [t, e]));
  assert.equal(equityOverlay([B])[0].points, []);
});

test('a recorded run from the server is checked with the protocol codecs', () => {
  assert.equal(decodeRecordedRun('recording:x', { start: A.start, complete: null }), { key: 'recording:x', start: A.start, complete: null });
  assert.is(decodeRecordedRun('recording:x', { start: { symbol: 'USDCHF' }, complete: null }), null);
  assert.is(decodeRecordedRun('recording:x', { start: A.start, complete: { nonsense: 1 } })!.complete, null);
  assert.is(decodeRecordedRun('recording:x', { start: A.start, complete: A.complete })!.complete!.total_trades, 3);
});

test('only listed recordings with a backtest summary become recorded runs', () => {
  const runs = recordedRuns({ recordings: [
    { name: 'a.jsonl', kind: 'paper' },
    { name: 'b.jsonl', kind: 'backtest', backtest: { session_id: 's', symbol: 'USDCHF', strategy: 'sma-crossover', data_points: 1200, starting_balance: 10_000, complete: true, total_trades: 4 } },
    { name: 'c.jsonl', kind: 'backtest', backtest: { symbol: 'USDCHF' } },
    { name: 'd.jsonl', kind: 'backtest', backtest: { session_id: 't', symbol: 'USDCHF', data_points: 1200, starting_balance: 10_000, complete: true, model: 'ticks' } },
  ] });
  assert.is(runs.find((r) => r.name === 'd.jsonl')?.model, 'ticks', 'a summary says a run used real ticks');
  assert.equal(runs.filter((r) => r.name !== 'd.jsonl'), [{ session_id: 's', symbol: 'USDCHF', strategy: 'sma-crossover', data_points: 1200, starting_balance: 10_000, complete: true, total_trades: 4, name: 'b.jsonl' }]);
  assert.equal(recordedRuns(null), []);
});

test.run();
