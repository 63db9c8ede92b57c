// Strict parsers for the date and time cells of data files. Each returns a wall-clock time as
// epoch-style milliseconds ("as if UTC"; a time zone, when there is one, is applied later) or
// undefined when the cell is malformed, so importers can name the cell in their error.

import { daysInMonth } from '../../protocol/envelope.ts';
import { HistoryOptionError } from './history-option-error.ts';

const DAY_MS = 86_400_000;

function wallDate(year: number, month: number, day: number): number | undefined {
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) return undefined;
  return Date.UTC(year, month - 1, day);
}

const MT5_DATE = /^(\d{4})[.\-/](\d{2})[.\-/](\d{2})$/;
/** `YYYY.MM.DD` (MT5); `-` and `/` separators are accepted too. */
export function parseDateCell(cell: string): number | undefined {
  const m = MT5_DATE.exec(cell);
  return m ? wallDate(+m[1], +m[2], +m[3]) : undefined;
}

const CLOCK = /^(\d{1,2}):(\d{2})(?::(\d{2})(?:\.(\d{1,3}))?)?$/;
/** `HH:MM`, `HH:MM:SS` or `HH:MM:SS.mmm` as milliseconds since midnight. */
export function parseClockCell(cell: string): number | undefined {
  const m = CLOCK.exec(cell);
  if (!m) return undefined;
  const h = +m[1];
  const mi = +m[2];
  const s = m[3] === undefined ? 0 : +m[3];
  if (h > 23 || mi > 59 || s > 59) return undefined;
  const ms = m[4] === undefined ? 0 : +m[4].padEnd(3, '0');
  return ((h * 60 + mi) * 60 + s) * 1000 + ms;
}

/** A parsed ISO date-time: wall-clock milliseconds and the explicit offset if the cell had one. */
export interface IsoCell {
  readonly wall: number;
  /** Offset from UTC in ms when the cell carried `Z` or `±hh:mm`; undefined for local times. */
  readonly offset: number | undefined;
}

const ISO = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,3}))?)?)?(Z|[+-]\d{2}:?\d{2})?$/;
/** `YYYY-MM-DD[THH:MM[:SS[.mmm]]][Z|±hh:mm]`; a space may replace the `T`. */
export function parseIsoCell(cell: string): IsoCell | undefined {
  const fast = parseIsoFast(cell);
  if (fast !== undefined) return { wall: fast, offset: undefined };
  const m = ISO.exec(cell);
  if (!m) return undefined;
  const date = wallDate(+m[1], +m[2], +m[3]);
  if (date === undefined) return undefined;
  let clock = 0;
  if (m[4] !== undefined) {
    const c = parseClockCell(`${m[4]}:${m[5]}${m[6] === undefined ? '' : `:${m[6]}`}${m[7] === undefined ? '' : `.${m[7]}`}`);
    if (c === undefined) return undefined;
    clock = c;
  }
  let offset: number | undefined;
  if (m[8] === 'Z') offset = 0;
  else if (m[8] !== undefined) {
    const sign = m[8][0] === '-' ? -1 : 1;
    const digits = m[8].slice(1).replace(':', '');
    offset = sign * (+digits.slice(0, 2) * 60 + +digits.slice(2)) * 60_000;
  }
  return { wall: date + clock, offset };
}

// Digit at position i, or -1: lets the common `YYYY-MM-DDTHH:MM:SS` shape skip the regex,
// which dominated the time to read the 62,000-row fixture.
function digit(cell: string, i: number): number {
  const c = cell.charCodeAt(i) - 48;
  return c >= 0 && c <= 9 ? c : -1;
}

function parseIsoFast(cell: string): number | undefined {
  if ((cell.length !== 19 && cell.length !== 16) || cell[4] !== '-' || cell[7] !== '-' || (cell[10] !== 'T' && cell[10] !== ' ') || cell[13] !== ':') return undefined;
  if (cell.length === 19 && cell[16] !== ':') return undefined;
  const positions = cell.length === 19 ? [0, 1, 2, 3, 5, 6, 8, 9, 11, 12, 14, 15, 17, 18] : [0, 1, 2, 3, 5, 6, 8, 9, 11, 12, 14, 15];
  const d: number[] = [];
  for (const i of positions) {
    const v = digit(cell, i);
    if (v < 0) return undefined;
    d.push(v);
  }
  const date = wallDate(d[0] * 1000 + d[1] * 100 + d[2] * 10 + d[3], d[4] * 10 + d[5], d[6] * 10 + d[7]);
  const h = d[8] * 10 + d[9];
  const mi = d[10] * 10 + d[11];
  const sec = cell.length === 19 ? d[12] * 10 + d[13] : 0;
  if (date === undefined || h > 23 || mi > 59 || sec > 59) return undefined;
  return date + ((h * 60 + mi) * 60 + sec) * 1000;
}

const COMPACT = /^(\d{4})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})?$/;
/** `YYYYMMDDhhmm[ss]` as wall-clock milliseconds. */
export function parseCompactCell(cell: string): number | undefined {
  const m = COMPACT.exec(cell);
  if (!m) return undefined;
  const date = wallDate(+m[1], +m[2], +m[3]);
  const h = +m[4];
  const mi = +m[5];
  const s = m[6] === undefined ? 0 : +m[6];
  if (date === undefined || h > 23 || mi > 59 || s > 59) return undefined;
  return date + ((h * 60 + mi) * 60 + s) * 1000;
}

/** ISO date-only or date-time string to UTC ms (for `from`/`to` options); throws a clear error. */
export function parseUtcOption(name: 'from' | 'to', value: string): { readonly time: number; readonly dateOnly: boolean } {
  const cell = parseIsoCell(value.trim());
  if (!cell) {
    const problem = `${JSON.stringify(value)} is not an ISO date (YYYY-MM-DD or YYYY-MM-DDTHH:MM[:SS][Z], UTC)`;
    throw new HistoryOptionError(name, (n) => `${n(name)} ${problem}`, `option ${name}: ${problem}`);
  }
  return { time: cell.wall - (cell.offset ?? 0), dateOnly: !/[T ]/.test(value.trim()) };
}

export { DAY_MS };
