import { round4 } from '../util/rounding.ts';
import { mkdirSync, writeFileSync, createWriteStream, type WriteStream } from 'node:fs';
import { join } from 'node:path';
import type { TrialMetrics } from '../strategy/strategy.ts';
import { DEFAULT_BAND, type Objective, type WeeklyBand } from './objectives.ts';
import type { TrialRecord } from './optimizer.ts';
import type { OverfittingReport } from './overfitting/overfitting-report.ts';
import type { ParamAxis } from './param-space.ts';
import type { WalkForwardResult } from './walk-forward.ts';
import { noTradesNote } from './no-trades.ts';

const METRIC_COLUMNS: readonly (keyof TrialMetrics)[] = [
  'netProfit', 'profitFactor', 'sharpe', 'recoveryFactor', 'expectedPayoff', 'maxDrawdown', 'maxDrawdownPct', 'trades', 'winRate', 'weeksWithinTarget', 'weeksTotal', 'finalBalance',
  'ordersSent', 'ordersRefused', 'mainRefusal',
];

/**
 * Appends each finished trial to `trials.jsonl` as it finishes, so a stopped or crashed run
 * keeps what it did (one JSON object a line: id, params, metrics, score).
 */
export class TrialLog {
  private readonly stream: WriteStream;

  constructor(readonly dir: string) {
    mkdirSync(dir, { recursive: true });
    this.stream = createWriteStream(join(dir, 'trials.jsonl'), { flags: 'w' });
  }

  /** `window`: the walk-forward window (1-based) whose in-sample search ran the trial. */
  write(r: TrialRecord, window?: number): void {
    this.stream.write(`${JSON.stringify({ id: r.id, index: r.index, ...(window ? { window } : {}), params: r.params, score: Number.isFinite(r.score) ? r.score : null, metrics: r.metrics })}\n`);
  }

  close(): Promise<void> {
    return new Promise((resolve) => this.stream.end(resolve));
  }
}

/**
 * The ranked trials as CSV: rank, parameters, objective value, every metric, the id, then the
 * table's note. A trial without trades has no objective value (empty, as `score` is null in
 * `optimisation.json`): a 0 there would sort a flat trial above the losing ones. New columns go
 * at the end, so spreadsheets reading the earlier ones by position keep working.
 */
export function trialsCsv(ranked: readonly TrialRecord[], axes: readonly ParamAxis[], objective: Objective): string {
  const head = ['rank', ...axes.map((a) => a.name), objective.id, ...METRIC_COLUMNS, 'id', 'note'];
  const rows = ranked.map((r, k) => [
    k + 1, ...axes.map((a) => r.params[a.name]), Number.isFinite(r.score) ? objective.value(r.metrics) : null,
    ...METRIC_COLUMNS.map((c) => r.metrics[c]), r.id, noTradesNote(r.metrics),
  ]);
  return [head, ...rows].map((row) => row.map(csvCell).join(',')).join('\n') + '\n';
}

function csvCell(v: unknown): string {
  if (v === null || v === undefined || (typeof v === 'number' && !Number.isFinite(v))) return '';
  const s = String(v);
  return /[",\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/** The terminal table of the best `top` trials. */
export function rankedTable(ranked: readonly TrialRecord[], axes: readonly ParamAxis[], objective: Objective, top = 20, band: WeeklyBand = DEFAULT_BAND): string {
  const fmt = (x: number | null, d = 2) => (x === null || !Number.isFinite(x) ? 'n/a' : x.toFixed(d));
  // The objective gets its own column unless the table already shows it.
  const own = !['net-profit', 'profit-factor', 'sharpe', 'drawdown', 'weeks-in-band'].includes(objective.id);
  const shown = ranked.slice(0, top);
  // A trial without trades is flagged (and why, when its orders were refused); the column only when one is shown.
  const notes = shown.map((r) => noTradesNote(r.metrics));
  const noted = notes.some((n) => n !== null);
  const head = ['#', ...axes.map((a) => a.name), ...(own ? [objective.label] : []), 'Net profit', 'PF', 'Sharpe', 'Max DD %', 'Trades', `Weeks ${band.min}-${band.max}`, ...(noted ? ['Note'] : [])];
  const rows = shown.map((r, k) => {
    const m = r.metrics;
    return [String(k + 1), ...axes.map((a) => String(r.params[a.name])), ...(own ? [fmt(objective.value(m), 4)] : []), fmt(m.netProfit), fmt(m.profitFactor), fmt(m.sharpe), fmt(m.maxDrawdownPct * 100), String(m.trades), `${m.weeksWithinTarget}/${m.weeksTotal}`, ...(noted ? [notes[k] ?? ''] : [])];
  });
  const widths = head.map((h, c) => Math.max(h.length, ...rows.map((r) => r[c].length)));
  const last = head.length - 1;
  const line = (cells: string[]) => cells.map((cell, c) => (c <= axes.length || (noted && c === last) ? cell.padEnd(widths[c]) : cell.padStart(widths[c]))).join('  ').trimEnd();
  return [line(head), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)].join('\n');
}

export interface OptimisationRecording {
  readonly kind: 'optimisation';
  readonly version: 1;
  readonly id: string;
  readonly createdFrom: Readonly<Record<string, unknown>>;
  readonly objective: { readonly id: string; readonly label: string; readonly direction: 'max' | 'min' };
  /** The governor's weekly trade band the trials' `weeksWithinTarget` count weeks within (recordings since 2026-12). */
  readonly band?: WeeklyBand;
  readonly axes: readonly ParamAxis[];
  readonly planned: number;
  readonly stopped: boolean;
  readonly trials: readonly { readonly id: string; readonly params: unknown; readonly score: number | null; readonly metrics: TrialMetrics }[];
  readonly overfitting: OverfittingReport | null;
  readonly walkForward: unknown;
  /**
   * What the user should know about the run: the data's warnings (the span the symbols share,
   * prices off a spec's scale) and why the search ran fewer trials than asked for. Absent when none.
   */
  readonly notes?: readonly string[];
}

/** The recording's `notes`: the data's warnings, then the search's note; nothing when neither. */
export function runNotes(warnings: readonly string[], searchNote: string | undefined): { notes?: string[] } {
  const notes = [...warnings, ...(searchNote ? [searchNote] : [])];
  return notes.length > 0 ? { notes } : {};
}

/**
 * Writes `optimisation.json` (what the workbench opens: every trial ranked, the axes for a
 * heatmap, PBO/DSR and the walk-forward result) and `trials.csv`; returns the JSON's path.
 */
export function writeOptimisation(dir: string, rec: Omit<OptimisationRecording, 'kind' | 'version' | 'trials' | 'walkForward'>, ranked: readonly TrialRecord[], objective: Objective, wf: WalkForwardResult | null): string {
  mkdirSync(dir, { recursive: true });
  const recording = optimisationRecording(rec, ranked, wf);
  const path = join(dir, 'optimisation.json');
  writeFileSync(path, JSON.stringify(recording));
  writeFileSync(join(dir, 'trials.csv'), trialsCsv(ranked, rec.axes, objective));
  return path;
}

/** The recording as plain data (what `optimisation.json` holds and the workbench reads). */
export function optimisationRecording(rec: Omit<OptimisationRecording, 'kind' | 'version' | 'trials' | 'walkForward'>, ranked: readonly TrialRecord[], wf: WalkForwardResult | null): OptimisationRecording {
  return {
    kind: 'optimisation', version: 1, ...rec,
    // Ratios and probabilities to four decimals, as every other figure on the wire.
    overfitting: rec.overfitting && {
      ...rec.overfitting,
      pbo: rec.overfitting.pbo && { ...rec.overfitting.pbo, value: rec.overfitting.pbo.value === null ? null : round4(rec.overfitting.pbo.value), probabilityOfLoss: round4(rec.overfitting.pbo.probabilityOfLoss) },
      dsr: rec.overfitting.dsr && { ...rec.overfitting.dsr, value: round4(rec.overfitting.dsr.value), sharpe: round4(rec.overfitting.dsr.sharpe), benchmark: round4(rec.overfitting.dsr.benchmark) },
    },
    trials: ranked.map((r) => ({ id: r.id, params: r.params, score: Number.isFinite(r.score) ? r.score : null, metrics: r.metrics })),
    walkForward: wf ? walkForwardJson(wf) : null,
  };
}

export function walkForwardJson(wf: WalkForwardResult): unknown {
  return {
    efficiency: wf.efficiency, finalBalance: wf.finalBalance, stopped: wf.stopped,
    stitched: wf.stitched, equity: wf.equity,
    segments: wf.segments.map((s) => ({
      isFrom: new Date(s.window.isFrom).toISOString().slice(0, 10), oosFrom: new Date(s.window.oosFrom).toISOString().slice(0, 10),
      oosTo: new Date(s.window.oosTo).toISOString().slice(0, 10),
      // The dates of the bars each part really holds (the planned month bounds above may lie outside the data).
      isFirstBar: day(s.bars.isFirst), isLastBar: day(s.bars.isLast), oosFirstBar: day(s.bars.oosFirst), oosLastBar: day(s.bars.oosLast), partial: s.window.partial,
      params: s.chosen.params, inSample: s.chosen.metrics,
      inSampleTrials: s.inSampleTrials, outOfSample: s.outOfSample, startBalance: s.startBalance, efficiency: s.efficiency,
    })),
  };
}

function day(t: number): string {
  return new Date(t).toISOString().slice(0, 10);
}

/** The walk-forward table for the terminal: each part labelled with the dates of its first and last bars. */
export function walkForwardTable(wf: WalkForwardResult, axes: readonly ParamAxis[], band: WeeklyBand = DEFAULT_BAND): string {
  const rows = wf.segments.map((s) => {
    const b = s.bars;
    return [`${day(b.isFirst)}..${day(b.isLast)}`, `${day(b.oosFirst)}..${day(b.oosLast)}${s.window.partial ? ' (partial)' : ''}`, axes.map((a) => `${a.name}=${s.chosen.params[a.name]}`).join(' '),
      s.chosen.metrics.netProfit.toFixed(2), s.outOfSample.netProfit.toFixed(2), String(s.outOfSample.trades), s.efficiency === null ? 'n/a' : s.efficiency.toFixed(2)];
  });
  const head = ['in-sample', 'out-of-sample', 'chosen', 'IS net profit', 'OOS net profit', 'OOS trades', 'WFE'];
  const widths = head.map((h, c) => Math.max(h.length, ...rows.map((r) => r[c].length)));
  const line = (cells: string[]) => cells.map((cell, c) => (c < 3 ? cell.padEnd(widths[c]) : cell.padStart(widths[c]))).join('  ');
  const m = wf.stitched;
  const partial = wf.segments.some((s) => s.window.partial)
    ? ['', 'partial: the data end before the segment\'s planned end; its WFE is n/a (a short stretch annualised says little), its trades count in the stitched result.'] : [];
  return [line(head), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line), ...partial, '',
    `stitched out-of-sample: net profit ${m.netProfit.toFixed(2)}, ${m.trades} trades, profit factor ${m.profitFactor === null ? 'n/a' : m.profitFactor.toFixed(2)}, Sharpe ${m.sharpe.toFixed(2)} (weekly returns), max drawdown ${(m.maxDrawdownPct * 100).toFixed(2)} %, weeks within ${band.min}-${band.max} ${m.weeksWithinTarget}/${m.weeksTotal}; walk-forward efficiency ${wf.efficiency === null ? 'n/a' : wf.efficiency.toFixed(2)}`].join('\n');
}
