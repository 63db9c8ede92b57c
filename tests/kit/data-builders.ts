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
