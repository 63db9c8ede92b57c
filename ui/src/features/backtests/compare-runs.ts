import { BacktestCompleteDataCodec, BacktestStartDataCodec, testerStatRows, type BacktestCompleteData, type BacktestStartData } from '../../../../protocol/index.ts';
import { SERIES_COLORS, type LineInput } from '../charts/svg-plot.ts';

/**
 * A run to compare, by where it lives: `session:<id>` (a backtest this workbench saw) or
 * `recording:<file name>` (one the server recorded earlier).
 */
export type RunKey = `session:${string}` | `recording:${string}`;

/** A run's two ends: what it ran and, when it finished, its results. */
export interface CompareRun {
  readonly key: RunKey;
  readonly start: BacktestStartData;
  readonly complete: BacktestCompleteData | null;
}

export interface CompareRow {
  readonly key: string;
  readonly label: string;
  readonly values: readonly string[];
}

/** The editor input's `runs` parameter and back: keys joined by newlines (file names hold no newline). */
export function encodeRunKeys(keys: readonly RunKey[]): string {
  return keys.join('\n');
}

export function decodeRunKeys(text: string | undefined): RunKey[] {
  return (text ?? '').split('\n').filter((k): k is RunKey => /^(session|recording):./.test(k));
}

/** A recorded run as the server sends it (`get_backtest`), checked with the protocol's codecs; null if it is not one. */
export function decodeRecordedRun(key: RunKey, data: unknown): CompareRun | null {
  const d = data as { start?: unknown; complete?: unknown } | null;
  const start = BacktestStartDataCodec.decode(d?.start);
  if (start._tag === 'Left') return null;
  if (d?.complete === null || d?.complete === undefined) return { key, start: start.right, complete: null };
  const complete = BacktestCompleteDataCodec.decode(d.complete);
  return { key, start: start.right, complete: complete._tag === 'Right' ? complete.right : null };
}

/** Parameters in one line (`fast=5 slow=30`), per symbol when the run has several. */
export function paramsText(params: Readonly<Record<string, unknown>> | undefined): string {
  const entries = Object.entries(params ?? {});
  const one = (config: unknown) => (typeof config === 'object' && config !== null && !Array.isArray(config)
    ? Object.entries(config).map(([k, v]) => `${k}=${typeof v === 'string' ? v : JSON.stringify(v)}`).join(' ')
    : JSON.stringify(config));
  if (entries.length === 1) return one(entries[0][1]);
  return entries.map(([symbol, config]) => `${symbol}: ${one(config)}`).join('; ');
}

/** What tells runs apart in a legend: symbol, timeframe, strategy, parameters, and the id's start. */
export function runLabel(run: CompareRun): string {
  const s = run.start;
  const params = paramsText(s.params);
  return `${s.symbol} ${s.timeframe ?? ''} ${s.strategy ?? ''}${params ? ` (${params})` : ''} · ${s.session_id.slice(0, 4)}`.replace(/\s+/g, ' ');
}

/** The data range: the requested one when given, else the whole history. */
export function rangeText(start: BacktestStartData): string {
  return start.from || start.to ? `${start.from ?? 'start'} → ${start.to ?? 'end'}` : 'whole history';
}

/**
 * Side by side: what each run ran (strategy, parameters, range), then the Strategy Tester's
 * statistics in MT5's order, one column per run ('—' for a run that has no report).
 */
export function compareRows(runs: readonly CompareRun[]): CompareRow[] {
  const head: CompareRow[] = [
    { key: 'symbol', label: 'Symbol', values: runs.map((r) => `${r.start.symbol} ${r.start.timeframe ?? ''}`.trim()) },
    { key: 'strategy', label: 'Strategy', values: runs.map((r) => r.start.strategy ?? '—') },
    { key: 'params', label: 'Parameters', values: runs.map((r) => paramsText(r.start.params) || '—') },
    { key: 'range', label: 'Data', values: runs.map((r) => `${rangeText(r.start)} · ${r.start.data_points.toLocaleString('en-US')} bars`) },
    // How stops and targets were tested, when any run used real ticks: the difference a comparison is often for.
    ...(runs.some((r) => r.start.model === 'ticks')
      ? [{ key: 'model', label: 'Model', values: runs.map((r) => (r.start.model === 'ticks' ? 'real ticks' : 'bars')) }] : []),
    // A run of this session without results is still going; a recorded one never finished.
    { key: 'status', label: 'Status', values: runs.map((r) => (r.complete ? 'complete' : r.key.startsWith('session:') ? 'running' : 'did not finish')) },
  ];
  const tables = runs.map((r) => (r.complete?.report ? testerStatRows(r.complete.report.stats) : null));
  const template = tables.find((t) => t !== null) ?? [];
  const stats = template.map((row, i) => ({ key: row.key, label: row.label, values: tables.map((t) => t?.[i]?.value ?? '—') }));
  return [...head, ...stats];
}

/** Each run's equity over time, one colour per run, on one chart. */
export function equityOverlay(runs: readonly CompareRun[]): LineInput[] {
  return runs.map((r, i) => ({
    name: runLabel(r),
    color: SERIES_COLORS[i % SERIES_COLORS.length],
    points: (r.complete?.report?.curve ?? []).map(([t, , e]) => [t, e] as const),
  }));
}
