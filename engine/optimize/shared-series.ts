import { createHash } from 'node:crypto';
import type { BarSeries, Timeframe } from '../model/bar.ts';

/**
 * A bar series in one SharedArrayBuffer: six Float64 columns of `length` bars. Posting it to a
 * worker shares the memory (no copy), so every thread of the pool reads the same bars.
 */
export interface SharedSeries {
  readonly symbol: string;
  readonly timeframe: Timeframe;
  readonly length: number;
  readonly buffer: SharedArrayBuffer;
}

const COLUMNS = ['time', 'open', 'high', 'low', 'close', 'volume'] as const;

/** Copies a series into shared memory once. */
export function shareSeries(series: BarSeries): SharedSeries {
  const n = series.length;
  const buffer = new SharedArrayBuffer(n * 8 * COLUMNS.length);
  COLUMNS.forEach((c, k) => new Float64Array(buffer, k * n * 8, n).set(series[c].subarray(0, n)));
  return { symbol: series.symbol, timeframe: series.timeframe, length: n, buffer };
}

/** Views of the shared columns as a BarSeries (nothing copied). */
export function seriesOf(shared: SharedSeries): BarSeries {
  const n = shared.length;
  const col = (k: number) => new Float64Array(shared.buffer, k * n * 8, n);
  return { symbol: shared.symbol, timeframe: shared.timeframe, length: n, time: col(0), open: col(1), high: col(2), low: col(3), close: col(4), volume: col(5) };
}

/**
 * The data set's identity: SHA-256 over symbol, timeframe and the bytes of every column, so
 * the same bars give the same hash on any machine (trial ids and the queue's data store use it).
 */
export function hashSeries(series: BarSeries): string {
  const h = createHash('sha256').update(`${series.symbol}\0${series.timeframe}\0${series.length}\0`);
  for (const c of COLUMNS) {
    const a = series[c].subarray(0, series.length);
    h.update(new Uint8Array(a.buffer, a.byteOffset, a.byteLength));
  }
  return h.digest('hex');
}

/** The series as bytes: a JSON header line, then the six columns (little-endian Float64). */
export function encodeSeries(series: BarSeries): Buffer {
  const header = Buffer.from(`${JSON.stringify({ symbol: series.symbol, timeframe: series.timeframe, length: series.length })}\n`);
  const body = Buffer.alloc(series.length * 8 * COLUMNS.length);
  COLUMNS.forEach((c, k) => {
    const a = series[c].subarray(0, series.length);
    Buffer.from(a.buffer, a.byteOffset, a.byteLength).copy(body, k * series.length * 8);
  });
  return Buffer.concat([header, body]);
}

/** The inverse of `encodeSeries`, into shared memory. */
export function decodeSeries(bytes: Buffer): SharedSeries {
  const nl = bytes.indexOf(10);
  const header = JSON.parse(bytes.subarray(0, nl).toString('utf8')) as { symbol: string; timeframe: Timeframe; length: number };
  const body = bytes.subarray(nl + 1);
  if (body.length !== header.length * 8 * COLUMNS.length) throw new Error(`data set is ${body.length} bytes, expected ${header.length * 8 * COLUMNS.length}`);
  const buffer = new SharedArrayBuffer(body.length);
  new Uint8Array(buffer).set(body);
  return { symbol: header.symbol, timeframe: header.timeframe, length: header.length, buffer };
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
