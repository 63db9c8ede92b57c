// Builders for data-file tests: a temp dir that cleans itself up, and files written the way MT5
// and other tools write them (UTF-16LE with BOM, UTF-8 with or without BOM, CRLF).
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface TempDir {
  readonly path: string;
  /** Writes `name` in the dir and returns its full path. */
  write(name: string, content: string | Buffer): string;
  remove(): void;
}

export function makeTempDir(prefix = 'tradeloom-data-'): TempDir {
  const path = mkdtempSync(join(tmpdir(), prefix));
  return {
    path,
    write(name, content) {
      const file = join(path, name);
      writeFileSync(file, content);
      return file;
    },
    remove() {
      rmSync(path, { recursive: true, force: true });
    },
  };
}

export type TextEncoding = 'utf16le-bom' | 'utf16le' | 'utf8-bom' | 'utf8';

/** Encodes lines as a data file: joined with CRLF (MT5's choice) unless `eol` says otherwise. */
export function encodeLines(lines: readonly string[], encoding: TextEncoding = 'utf8', eol = '\r\n'): Buffer {
  const text = lines.join(eol) + eol;
  switch (encoding) {
    case 'utf16le-bom':
      return Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(text, 'utf16le')]);
    case 'utf16le':
      return Buffer.from(text, 'utf16le');
    case 'utf8-bom':
      return Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(text, 'utf8')]);
    case 'utf8':
      return Buffer.from(text, 'utf8');
  }
}

export const MT5_BARS_HEADER = '<DATE>\t<TIME>\t<OPEN>\t<HIGH>\t<LOW>\t<CLOSE>\t<TICKVOL>\t<VOL>\t<SPREAD>';
export const MT5_TICKS_HEADER = '<DATE>\t<TIME>\t<BID>\t<ASK>\t<LAST>\t<VOLUME>\t<FLAGS>';

/** One MT5 bar-export row from its cells. */
export function mt5BarRow(date: string, time: string, open: number | string, high: number | string, low: number | string, close: number | string, tickVolume = 10, volume = 0, spread = 12): string {
  return [date, time, open, high, low, close, tickVolume, volume, spread].join('\t');
}

/** One MT5 tick-export row; pass '' for an unchanged bid or ask. */
export function mt5TickRow(date: string, time: string, bid: number | string, ask: number | string, last: number | string = '', volume: number | string = '', flags = 6): string {
  return [date, time, bid, ask, last, volume, flags].join('\t');
}

/** UTC epoch ms from an ISO string without zone, read as UTC (terse expected values in tests). */
export function utc(iso: string): number {
  return Date.parse(`${iso}Z`);
}

/**
 * `EURUSD.csv` in `dir`: a `time,price` file of weekday hourly EURUSD prices from `from` to `to`
 * (5 decimals), deterministic; returns its path.
 */
export function eurusdHourlyFile(dir: string, from: string, to: string): string {
  const lines = ['time,price'];
  let price = 1.1;
  for (let t = Date.parse(from); t <= Date.parse(to); t += 3_600_000) {
    const d = new Date(t);
    if (d.getUTCDay() === 0 || d.getUTCDay() === 6) continue;
    const i = t / 3_600_000;
    price *= 1 + 0.0008 * Math.sin(i / 11) * Math.cos(i / 97) + 0.0003 * Math.sin(i * 1.3);
    lines.push(`${d.toISOString().slice(0, 19)},${price.toFixed(5)}`);
  }
  const file = join(dir, 'EURUSD.csv');
  writeFileSync(file, lines.join('\n') + '\n');
  return file;
}

/**
 * An MT5 H1 bar export (UTF-16 with a BOM, as the terminal writes it) of weekdays from `first`
 * (UTC midnight) for `days` days: each bar moves from the last close by `step(i, close)` (i the
 * hour since `first`), its high and low `pad` beyond its open and close, prices to `decimals`.
 *
 * @example
 * mt5HourlyExport('2024-01-01', 31, { start: 150, decimals: 2, pad: 0.12, step: (i) => 0.9 * Math.sin(i / 7) })
 */
export function mt5HourlyExport(first: string, days: number, o: { start: number; decimals: number; pad: number; step: (i: number, close: number) => number }): Buffer {
  const lines = [MT5_BARS_HEADER];
  let price = o.start;
  for (let i = 0; i < days * 24; i++) {
    const t = new Date(Date.parse(`${first}T00:00:00Z`) + i * 3_600_000);
    if (t.getUTCDay() === 0 || t.getUTCDay() === 6) continue;
    const next = price + o.step(i, price);
    const iso = t.toISOString();
    lines.push(mt5BarRow(iso.slice(0, 10).replaceAll('-', '.'), iso.slice(11, 16), price.toFixed(o.decimals), (Math.max(price, next) + o.pad).toFixed(o.decimals),
      (Math.min(price, next) - o.pad).toFixed(o.decimals), next.toFixed(o.decimals)));
    price = next;
  }
  return encodeLines(lines, 'utf16le-bom');
}

/** A stock's January 2024 as an MT5 H1 export: prices around 150 with two decimals (a stock under a 5-digit forex spec is 3 decimals short). */
export function stockHourlyExport(): Buffer {
  return mt5HourlyExport('2024-01-01', 31, { start: 150, decimals: 2, pad: 0.12, step: (i) => 0.9 * Math.sin(i / 7) + 0.3 * Math.cos(i / 3) });
}

/** `ACME_D1.csv` in `dir`: a `time,price` file of weekday daily stock-like prices around 150.00 (2 decimals) from 2020, deterministic; returns its path. */
export function stockDailyFile(dir: string): string {
  const lines = ['time,price'];
  let price = 150;
  for (let i = 0; i < 700; i++) {
    const t = new Date(Date.UTC(2020, 0, 1) + i * 86_400_000);
    if (t.getUTCDay() === 0 || t.getUTCDay() === 6) continue;
    price = Math.max(20, price * (1 + 0.02 * Math.sin(i / 7) * Math.cos(i / 31) + 0.004 * Math.sin(i * 1.7)));
    lines.push(`${t.toISOString().slice(0, 19)},${price.toFixed(2)}`);
  }
  const file = join(dir, 'ACME_D1.csv');
  writeFileSync(file, lines.join('\n') + '\n');
  return file;
}
