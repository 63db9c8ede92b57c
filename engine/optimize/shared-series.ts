import { createHash } from 'node:crypto';
import type { BarPrices, BarSeries, TickPath, Timeframe } from '../model/bar.ts';

/**
 * A bar series in one SharedArrayBuffer: six Float64 columns of `length` bars, a seventh with
 * bid bars' spreads. Posting it to a worker shares the memory (no copy), so every thread of the
 * pool reads the same bars.
 */
export interface SharedSeries {
  readonly symbol: string;
  readonly timeframe: Timeframe;
  readonly length: number;
  readonly buffer: SharedArrayBuffer;
  /** Bid bars (an MT5 bar export); absent: mid. */
  readonly prices?: BarPrices;
  /** The buffer's seventh column holds each bar's spread in points. */
  readonly spread?: boolean;
  /** The bars' ticks (the real-ticks model), in a buffer of their own (`shareTicks`); absent: bars only. */
  readonly ticks?: SharedTicks;
}

/**
 * A series' tick path in one SharedArrayBuffer: `count` Float64 prices, as many again for the
 * second side when `other`, then `length + 1` Int32 indexes of each bar's first tick (from 0).
 */
export interface SharedTicks {
  readonly count: number;
  readonly other: boolean;
  readonly buffer: SharedArrayBuffer;
}

/** The ticks of bars 0..length-1 only, their indexes from 0: what is shared, encoded and hashed. */
function tickColumns(series: BarSeries): { prices: Float64Array[]; first: Int32Array } | null {
  const t = series.ticks;
  if (!t) return null;
  const from = t.first[0], to = t.first[series.length];
  const first = new Int32Array(series.length + 1);
  for (let i = 0; i <= series.length; i++) first[i] = t.first[i] - from;
  return { prices: [t.primary.subarray(from, to), ...(t.other ? [t.other.subarray(from, to)] : [])], first };
}

function shareTicks(series: BarSeries): SharedTicks | undefined {
  const c = tickColumns(series);
  if (!c) return undefined;
  const count = c.prices[0].length;
  const buffer = new SharedArrayBuffer(count * 8 * c.prices.length + c.first.byteLength);
  c.prices.forEach((a, k) => new Float64Array(buffer, k * count * 8, count).set(a));
  new Int32Array(buffer, count * 8 * c.prices.length, c.first.length).set(c.first);
  return { count, other: c.prices.length === 2, buffer };
}

function tickPathOf(t: SharedTicks, length: number): TickPath {
  const sides = t.other ? 2 : 1;
  return {
    primary: new Float64Array(t.buffer, 0, t.count),
    other: t.other ? new Float64Array(t.buffer, t.count * 8, t.count) : null,
    first: new Int32Array(t.buffer, t.count * 8 * sides, length + 1),
  };
}

const COLUMNS = ['time', 'open', 'high', 'low', 'close', 'volume'] as const;

/** The series' columns in their shared order: the six, then the spreads of bid bars that have them. */
function columnsOf(series: BarSeries): Float64Array[] {
  const columns = COLUMNS.map((c) => series[c].subarray(0, series.length));
  if (series.prices === 'bid' && series.spread) columns.push(series.spread.subarray(0, series.length));
  return columns;
}

/** What says a series is bid bars (nothing for mid ones: their headers, hashes and bytes stay as they were). */
function quotingFields(series: BarSeries): { prices?: BarPrices; spread?: boolean } {
  return series.prices === 'bid' ? { prices: 'bid', ...(series.spread ? { spread: true } : {}) } : {};
}

/** Copies a series into shared memory once. */
export function shareSeries(series: BarSeries): SharedSeries {
  const n = series.length;
  const columns = columnsOf(series);
  const buffer = new SharedArrayBuffer(n * 8 * columns.length);
  columns.forEach((a, k) => new Float64Array(buffer, k * n * 8, n).set(a));
  const ticks = shareTicks(series);
  return { symbol: series.symbol, timeframe: series.timeframe, length: n, buffer, ...quotingFields(series), ...(ticks ? { ticks } : {}) };
}

/** Views of the shared columns as a BarSeries (nothing copied). */
export function seriesOf(shared: SharedSeries): BarSeries {
  const n = shared.length;
  const col = (k: number) => new Float64Array(shared.buffer, k * n * 8, n);
  return {
    symbol: shared.symbol, timeframe: shared.timeframe, length: n, time: col(0), open: col(1), high: col(2), low: col(3), close: col(4), volume: col(5),
    prices: shared.prices ?? 'mid', spread: shared.prices === 'bid' && shared.spread ? col(6) : null,
    ticks: shared.ticks ? tickPathOf(shared.ticks, n) : null,
  };
}

/**
 * The data set's identity: SHA-256 over symbol, timeframe and the bytes of every column, so
 * the same bars give the same hash on any machine (trial ids and the queue's data store use it).
 * Bid bars add their kind and spreads; a mid series hashes as it always did.
 */
export function hashSeries(series: BarSeries): string {
  const h = createHash('sha256').update(`${series.symbol}\0${series.timeframe}\0${series.length}\0`);
  if (series.prices === 'bid') h.update(`bid${series.spread ? '+spread' : ''}\0`);
  for (const a of columnsOf(series)) h.update(new Uint8Array(a.buffer, a.byteOffset, a.byteLength));
  // The ticks, when the run walks them (a bars-model run's series carry none: its hash is as it was).
  const ticks = tickColumns(series);
  if (ticks) {
    h.update(`ticks${ticks.prices.length}\0`);
    for (const a of [...ticks.prices, ticks.first]) h.update(new Uint8Array(a.buffer, a.byteOffset, a.byteLength));
  }
  return h.digest('hex');
}

/** The series as bytes: a JSON header line, then the six columns (little-endian Float64), and bid bars' spreads. */
export function encodeSeries(series: BarSeries): Buffer {
  const ticks = tickColumns(series);
  const tickFields = ticks ? { ticks: ticks.prices[0].length, tickSides: ticks.prices.length } : {};
  const header = Buffer.from(`${JSON.stringify({ symbol: series.symbol, timeframe: series.timeframe, length: series.length, ...quotingFields(series), ...tickFields })}\n`);
  const columns = columnsOf(series);
  const body = Buffer.alloc(series.length * 8 * columns.length);
  columns.forEach((a, k) => {
    Buffer.from(a.buffer, a.byteOffset, a.byteLength).copy(body, k * series.length * 8);
  });
  // Then the ticks: each side's prices, then each bar's first index (Int32).
  const tail = ticks ? [...ticks.prices, ticks.first].map((a) => Buffer.from(a.buffer, a.byteOffset, a.byteLength)) : [];
  return Buffer.concat([header, body, ...tail]);
}

/** The inverse of `encodeSeries`, into shared memory. */
export function decodeSeries(bytes: Buffer): SharedSeries {
  const nl = bytes.indexOf(10);
  const header = JSON.parse(bytes.subarray(0, nl).toString('utf8')) as { symbol: string; timeframe: Timeframe; length: number; prices?: BarPrices; spread?: boolean; ticks?: number; tickSides?: number };
  const body = bytes.subarray(nl + 1);
  const count = COLUMNS.length + (header.prices === 'bid' && header.spread ? 1 : 0);
  const barBytes = header.length * 8 * count;
  if (header.ticks !== undefined && !(Number.isSafeInteger(header.ticks) && header.ticks >= 0 && (header.tickSides === 1 || header.tickSides === 2))) {
    throw new Error(`data set header has ${header.ticks} ticks of ${header.tickSides} sides: expected a whole number of ticks, 1 or 2 sides`);
  }
  const tickBytes = header.ticks !== undefined ? header.ticks * 8 * header.tickSides! + (header.length + 1) * 4 : 0;
  if (body.length !== barBytes + tickBytes) throw new Error(`data set is ${body.length} bytes, expected ${barBytes + tickBytes}`);
  const buffer = new SharedArrayBuffer(barBytes);
  new Uint8Array(buffer).set(body.subarray(0, barBytes));
  let ticks: SharedTicks | undefined;
  if (header.ticks !== undefined) {
    const tickBuffer = new SharedArrayBuffer(tickBytes);
    new Uint8Array(tickBuffer).set(body.subarray(barBytes));
    ticks = { count: header.ticks, other: header.tickSides === 2, buffer: tickBuffer };
    const problem = tickPathProblem(tickPathOf(ticks, header.length), header.ticks);
    if (problem) throw new Error(`data set's ticks: ${problem}`);
  }
  return {
    symbol: header.symbol, timeframe: header.timeframe, length: header.length, buffer,
    ...(header.prices === 'bid' ? { prices: 'bid' as const, ...(header.spread ? { spread: true } : {}) } : {}),
    ...(ticks ? { ticks } : {}),
  };
}

/**
 * What is wrong with a decoded tick path, or null: each bar's first index from 0 to `count`,
 * never going back (a bar's ticks are `first[i]..first[i+1]-1`), and every price finite.
 */
function tickPathProblem(t: TickPath, count: number): string | null {
  const n = t.first.length - 1;
  if (t.first[0] !== 0) return `bar 0's first tick is ${t.first[0]}, expected 0`;
  if (t.first[n] !== count) return `the ticks end at ${t.first[n]}, expected ${count}`;
  for (let i = 0; i < n; i++) if (t.first[i + 1] < t.first[i]) return `bar ${i + 1}'s first tick ${t.first[i + 1]} is before bar ${i}'s ${t.first[i]}`;
  for (const side of t.other ? [t.primary, t.other] : [t.primary]) {
    for (let k = 0; k < count; k++) if (!Number.isFinite(side[k])) return `tick ${k}'s price is ${side[k]}`;
  }
  return null;
}

/** Every symbol's bars in shared memory, by symbol, in the config's order. */
export type SharedData = Readonly<Record<string, SharedSeries>>;

export function shareAll(series: ReadonlyMap<string, BarSeries>): SharedData {
  return Object.fromEntries([...series].map(([symbol, s]) => [symbol, shareSeries(s)]));
}

export function seriesMapOf(data: SharedData): Map<string, BarSeries> {
  return new Map(Object.entries(data).map(([symbol, s]) => [symbol, seriesOf(s)]));
}

/** Each symbol's data hash, by symbol (what Redis stores the bars under). */
export function hashAll(series: ReadonlyMap<string, BarSeries>): Record<string, string> {
  return Object.fromEntries([...series].map(([symbol, s]) => [symbol, hashSeries(s)]));
}

/** One hash for the whole data set: the symbols' hashes in order. */
export function dataSetHash(hashes: Readonly<Record<string, string>>): string {
  return createHash('sha256').update(Object.entries(hashes).map(([s, h]) => `${s}:${h}`).join('\n')).digest('hex');
}
