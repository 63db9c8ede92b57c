import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { fileURLToPath } from 'node:url';
import { TIMEFRAME_MS, type BarSeries, type Timeframe } from '../model/bar.ts';
import { DAY_MS, parseUtcOption } from './calendar-cells.ts';
import { HistoryOptionError } from './history-option-error.ts';
import { importMt5Bars } from './mt5-bars.ts';
import { importMt5Ticks } from './mt5-ticks.ts';
import { importPriceTicks } from './price-ticks.ts';
import { resampleBars, resampleTicks } from './resample.ts';
import { generateSyntheticTicks, syntheticProfile } from './synthetic.ts';
import { readTextSource } from './text-source.ts';
import { tickSeriesFrom, type TickSeries } from './tick-series.ts';

/** The fixtures folder, found from this file so it works from any working directory. */
export const FIXTURES_DIR = fileURLToPath(new URL('../../fixtures/', import.meta.url));

/** Real data shipped in fixtures/: symbol -> file and the zone its times are written in. */
export const SHIPPED_HISTORY: Readonly<Record<string, { readonly file: string; readonly timezone: string }>> = {
  USDCHF: { file: `${FIXTURES_DIR}usdchf_m30.csv`, timezone: 'Europe/Zurich' },
};

export interface LoadHistoryOptions {
  readonly symbol: string;
  readonly timeframe: Timeframe;
  /** ISO date or date-time, UTC: keep bars opening at or after it. */
  readonly from?: string;
  /** ISO date or date-time, UTC: keep bars opening before it; a date alone includes that whole day. */
  readonly to?: string;
  /** A data file (MT5 bars, MT5 ticks or time,price, recognised by its header) instead of the shipped one. */
  readonly file?: string;
  /** IANA zone of the file's times; default UTC (or the shipped file's own zone). */
  readonly timezone?: string;
  /** Seed for synthetic data; default derived from the symbol. */
  readonly seed?: number;
}

export interface LoadedHistory {
  readonly series: BarSeries;
  /** True when the bars were generated (no real data for this symbol), never for real files. */
  readonly synthetic: boolean;
  /** Where the bars came from: a file path, or `synthetic:<SYMBOL>:seed=<n>`. */
  readonly source: string;
  /**
   * What the bars were read from, for a backtest's session id: a hash of the file's bytes and
   * its zone (computed once as the file is read, never per bar). Absent for synthetic bars,
   * whose source names their seed.
   */
  readonly fingerprint?: string;
}

/**
 * History for a backtest: the given file, else the shipped fixture for the symbol (USDCHF,
 * Zurich time), else a synthetic series calibrated on USDCHF (EURUSD, GBPUSD, XAUUSD, ...,
 * marked `synthetic: true`). Ticks become candles of `timeframe` (UTC buckets) of mid prices;
 * MT5 bar files stay bid bars with their per-bar spread, resampled to `timeframe` if coarser,
 * on the file's clock (`resampleBars`: each bar the bucket's smallest spread), each bar keeping
 * its own open otherwise. An unknown symbol without a file is an error naming the choices.
 *
 * @example
 * const { series, synthetic } = loadHistory({ symbol: 'USDCHF', timeframe: 'H1', from: '1997-01-01', to: '1997-12-31' });
 */
export function loadHistory(options: LoadHistoryOptions): LoadedHistory {
  const { symbol, timeframe } = options;
  const { from, to } = historyRange(options.from, options.to);

  const shipped = shippedHistoryFor(symbol);
  const file = options.file ?? shipped?.file;
  if (file !== undefined) {
    const timezone = options.timezone ?? (options.file === undefined ? shipped?.timezone : undefined);
    const read = seriesFromFile(file, symbol, timeframe, timezone);
    return { series: clip(read.series, from, to), synthetic: false, source: file, fingerprint: read.fingerprint };
  }
  if (syntheticProfile(symbol) !== undefined) {
    const generated = generateSyntheticTicks({
      symbol,
      seed: options.seed,
      from: Number.isFinite(from) ? from : undefined,
      to: Number.isFinite(to) ? to : undefined,
    });
    const series = resampleTicks(generated.ticks, timeframe, { symbol });
    return { series, synthetic: true, source: `synthetic:${symbol}:seed=${generated.seed}` };
  }
  throw new Error(
    `no history for symbol ${JSON.stringify(symbol)}: no data file was given (--file), none ships in fixtures/ ` +
      `(real: ${Object.keys(SHIPPED_HISTORY).join(', ')}) and there is no synthetic profile for it`,
  );
}

/** The shipped history a symbol (or its `m` variant, USDCHFm) backtests on without a file. */
export function shippedHistoryFor(symbol: string): { readonly file: string; readonly timezone: string } | undefined {
  return SHIPPED_HISTORY[symbol] ?? SHIPPED_HISTORY[symbol.replace(/m$/, '')];
}

/**
 * The UTC range [from, to) of `from`/`to` options (a date alone as `to` includes that day).
 * A date that is not one, or a range that ends before it starts, is a HistoryOptionError.
 *
 * @example
 * historyRange('1998-01-01', '1998-12-31'); // { from: 883612800000, to: 915148800000 }
 */
export function historyRange(fromOption?: string, toOption?: string): { readonly from: number; readonly to: number } {
  const from = fromOption === undefined ? -Infinity : parseUtcOption('from', fromOption).time;
  let to = Infinity;
  if (toOption !== undefined) {
    const parsed = parseUtcOption('to', toOption);
    to = parsed.dateOnly ? parsed.time + DAY_MS : parsed.time;
  }
  if (to <= from) throw new HistoryOptionError('to', (n) => `${n('to')} (${toOption}) must be after ${n('from')} (${fromOption})`);
  return { from, to };
}

/**
 * A tick or time,price file's rows, parsed once per process, and their spacing: by path and
 * zone, kept while the file's bytes hash the same (an edit that keeps the length, 1.193 -> 1.999,
 * is read again; one entry per file, so a file edited often does not pile up versions).
 */
const tickCache = new Map<string, { readonly hash: string; readonly ticks: TickSeries; readonly spacing: number }>();

function seriesFromFile(file: string, symbol: string, timeframe: Timeframe, timezone: string | undefined): { series: BarSeries; fingerprint: string } {
  const bytes = readFileSync(file);
  // SHA-1 of the 1.7 MB fixture is ~3 ms, against ~200 ms to parse it.
  const hash = createHash('sha1').update(bytes).digest('hex');
  const fingerprint = `${hash.slice(0, 20)}:${timezone ?? 'UTC'}`;
  return { series: barsFromBytes(bytes, hash, file, symbol, timeframe, timezone), fingerprint };
}

function barsFromBytes(bytes: Buffer, hash: string, file: string, symbol: string, timeframe: Timeframe, timezone: string | undefined): BarSeries {
  const head = readTextSource(bytes.subarray(0, 512)).text.split(/\r?\n/)[0].toUpperCase();
  const fileName = basename(file);
  if (head.includes('<OPEN>') || (head.includes('OPEN') && head.includes('CLOSE'))) {
    const bars = importMt5Bars(bytes, { symbol, timezone, fileName }).series;
    if (TIMEFRAME_MS[bars.timeframe] > TIMEFRAME_MS[timeframe]) {
      throw new HistoryOptionError('timeframe', () => `${fileName} holds ${bars.timeframe} bars; cannot make finer ${timeframe} bars from them`);
    }
    return resampleBars(bars, timeframe, { timezone });
  }
  // Parsing the 62,000-row fixture costs ~0.2 s; a process that loads it for several runs
  // (tests, a server running backtests) parses it once. The ticks are only ever read.
  const key = `${file}\0${timezone ?? 'UTC'}`;
  const mt5Ticks = head.includes('BID') && head.includes('ASK');
  let cached = tickCache.get(key);
  if (cached?.hash !== hash) {
    const ticks = mt5Ticks
      ? tickSeriesFrom(importMt5Ticks(bytes, { timezone, fileName }).ticks)
      : importPriceTicks(bytes, { timezone, fileName }).ticks;
    cached = { hash, ticks, spacing: rowSpacing(ticks) };
    tickCache.set(key, cached);
  }
  const { ticks, spacing } = cached;
  // Rows further apart than the timeframe would make bars of one price each, labelled as if
  // they held the timeframe's moves (the 30-minute fixture run at M1 gave its M30 results).
  if (spacing > TIMEFRAME_MS[timeframe]) {
    throw new HistoryOptionError('timeframe', () => `${fileName}: its rows are ${duration(spacing)} apart (the median gap between consecutive rows on the same UTC day); `
      + `cannot make finer ${timeframe} bars from them (each would hold one price): ${spacing > TIMEFRAME_MS.D1 ? 'no timeframe is that coarse (D1 at most)' : `use ${finestNotFiner(spacing)} or coarser`}`);
  }
  // Bars of mid prices, as the simulator reads them (its spread sits around the bar's price): an
  // MT5 tick export's mid of bid and ask; a time,price file's price (its bid and ask are the same).
  // An MT5 tick export is bucketed on its file's clock, as MT5 builds bars on its server's (and
  // as a bar export is resampled); a time,price file on the UTC grid.
  return resampleTicks(ticks, timeframe, { symbol, price: 'mid', ...(mt5Ticks ? { timezone } : {}) });
}

/**
 * How far apart a file's rows are: the median of the gaps between consecutive rows with
 * different times on the same UTC day (nights, weekends and holidays left out, so a 30-minute
 * file reads 30 minutes whatever its sessions; equal times, several ticks in a millisecond, left
 * out too). A file without two rows on one day (daily prices) takes the median of all its gaps.
 * 0 for fewer than two distinct times.
 */
export function rowSpacing(ticks: TickSeries): number {
  const within: number[] = [];
  const all: number[] = [];
  for (let i = 1; i < ticks.length; i++) {
    const gap = ticks.time[i] - ticks.time[i - 1];
    if (!(gap > 0)) continue;
    all.push(gap);
    if (Math.floor(ticks.time[i] / DAY_MS) === Math.floor(ticks.time[i - 1] / DAY_MS)) within.push(gap);
  }
  const gaps = Float64Array.from(within.length > 0 ? within : all).sort();
  return gaps.length === 0 ? 0 : gaps[(gaps.length - 1) >> 1];
}

function duration(ms: number): string {
  if (ms % DAY_MS === 0) return `${ms / DAY_MS} day${ms === DAY_MS ? '' : 's'}`;
  if (ms % 3_600_000 === 0) return `${ms / 3_600_000} hour${ms === 3_600_000 ? '' : 's'}`;
  if (ms % 60_000 === 0) return `${ms / 60_000} minute${ms === 60_000 ? '' : 's'}`;
  return `${ms / 1000} seconds`;
}

/** The finest timeframe at least as long as `ms` (D1 for anything longer). */
function finestNotFiner(ms: number): Timeframe {
  return (Object.keys(TIMEFRAME_MS) as Timeframe[]).find((tf) => TIMEFRAME_MS[tf] >= ms) ?? 'D1';
}

/**
 * Bars opening in [from, to), sharing no memory with the input (prices and spreads kept); the
 * input itself when it is all inside.
 *
 * @example
 * const year = clipSeries(series, Date.UTC(1998, 0, 1), Date.UTC(1999, 0, 1));
 */
export function clipSeries(series: BarSeries, from: number, to: number): BarSeries {
  return clip(series, from, to);
}

function clip(series: BarSeries, from: number, to: number): BarSeries {
  let start = 0;
  while (start < series.length && series.time[start] < from) start++;
  let end = start;
  while (end < series.length && series.time[end] < to) end++;
  if (start === 0 && end === series.length) return series;
  const sub = (a: Float64Array) => a.slice(start, end);
  return {
    symbol: series.symbol, timeframe: series.timeframe, length: end - start,
    time: sub(series.time), open: sub(series.open), high: sub(series.high),
    low: sub(series.low), close: sub(series.close), volume: sub(series.volume),
    prices: series.prices ?? 'mid', spread: series.spread ? sub(series.spread) : null,
    ticks: series.ticks ? { ...series.ticks, first: series.ticks.first.subarray(start, end + 1) } : null,
  };
}
