import { createHash } from 'node:crypto';
import type { BarPrices, BarSeries, Timeframe } from '../model/bar.ts';

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
  return { symbol: series.symbol, timeframe: series.timeframe, length: n, buffer, ...quotingFields(series) };
}

/** Views of the shared columns as a BarSeries (nothing copied). */
export function seriesOf(shared: SharedSeries): BarSeries {
  const n = shared.length;
  const col = (k: number) => new Float64Array(shared.buffer, k * n * 8, n);
  return {
    symbol: shared.symbol, timeframe: shared.timeframe, length: n, time: col(0), open: col(1), high: col(2), low: col(3), close: col(4), volume: col(5),
    prices: shared.prices ?? 'mid', spread: shared.prices === 'bid' && shared.spread ? col(6) : null,
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
  return h.digest('hex');
}

/** The series as bytes: a JSON header line, then the six columns (little-endian Float64), and bid bars' spreads. */
export function encodeSeries(series: BarSeries): Buffer {
  const header = Buffer.from(`${JSON.stringify({ symbol: series.symbol, timeframe: series.timeframe, length: series.length, ...quotingFields(series) })}\n`);
  const columns = columnsOf(series);
  const body = Buffer.alloc(series.length * 8 * columns.length);
  columns.forEach((a, k) => {
    Buffer.from(a.buffer, a.byteOffset, a.byteLength).copy(body, k * series.length * 8);
  });
  return Buffer.concat([header, body]);
}

/** The inverse of `encodeSeries`, into shared memory. */
export function decodeSeries(bytes: Buffer): SharedSeries {
  const nl = bytes.indexOf(10);
  const header = JSON.parse(bytes.subarray(0, nl).toString('utf8')) as { symbol: string; timeframe: Timeframe; length: number; prices?: BarPrices; spread?: boolean };
  const body = bytes.subarray(nl + 1);
  const count = COLUMNS.length + (header.prices === 'bid' && header.spread ? 1 : 0);
  if (body.length !== header.length * 8 * count) throw new Error(`data set is ${body.length} bytes, expected ${header.length * 8 * count}`);
  const buffer = new SharedArrayBuffer(body.length);
  new Uint8Array(buffer).set(body);
  return {
    symbol: header.symbol, timeframe: header.timeframe, length: header.length, buffer,
    ...(header.prices === 'bid' ? { prices: 'bid' as const, ...(header.spread ? { spread: true } : {}) } : {}),
  };
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
