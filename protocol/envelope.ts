import * as t from 'io-ts';

/** Severity of a log event, exactly the spec's three levels. */
export const LevelCodec = t.keyof({ INFO: null, ERROR: null, DEBUG: null });
export type Level = t.TypeOf<typeof LevelCodec>;

/** `number | null` for optional-but-present fields such as `last_trade_time`. */
export const nullable = <C extends t.Mixed>(codec: C) => t.union([codec, t.null]);

/**
 * The spec's log event envelope. `seq` is our addition: a per-server, strictly increasing
 * sequence number that lets a reconnecting client resume without gaps.
 *
 * Timestamps are UTC, ISO 8601 without an offset and with microseconds, as in the spec
 * (`2024-01-15T10:30:45.123456`).
 */
export const envelopeOf = <TType extends string, TData extends t.Mixed>(eventType: TType, data: TData) =>
  t.intersection([
    t.type({
      timestamp: t.string,
      session_id: t.string,
      event_type: t.literal(eventType),
      level: LevelCodec,
      data,
    }),
    t.partial({ seq: t.number }),
  ]);

const DAY_MS = 86_400_000;

/** `HH:MM:SS` for each second of a day, built on first use (hot path: one concatenation per call). */
const TIME_OF_DAY: string[] = new Array<string>(86_400).fill('');

function timeOfDay(second: number): string {
  let text = TIME_OF_DAY[second];
  if (text === '') {
    const h = (second / 3600) | 0;
    const m = ((second - h * 3600) / 60) | 0;
    const s = second - h * 3600 - m * 60;
    text = `${pad2(h)}:${pad2(m)}:${pad2(s)}`;
    TIME_OF_DAY[second] = text;
  }
  return text;
}

/**
 * `YYYY-MM-DDT` of recent days, direct-mapped by day number: a session's events move forward
 * day by day, and a week's summary names its first day between events of the current one.
 */
const DATE_SLOTS = 16;
const cachedDays = new Float64Array(DATE_SLOTS).fill(Number.NaN);
const cachedDates: string[] = new Array<string>(DATE_SLOTS).fill('');

/** `YYYY-MM-DDTHH:MM:SS` of an epoch, built without a Date per call (hot path). */
function secondsText(epochMs: number): string {
  const day = Math.floor(epochMs / DAY_MS);
  const slot = day & (DATE_SLOTS - 1);
  let date = cachedDates[slot];
  if (cachedDays[slot] !== day) {
    date = dateText(day);
    cachedDays[slot] = day;
    cachedDates[slot] = date;
  }
  return date + timeOfDay(Math.floor((epochMs - day * DAY_MS) / 1000));
}

/** `DDT` for each day of a month. */
const DAY_OF_MONTH: readonly string[] = Array.from({ length: 32 }, (_, d) => `${pad2(d)}T`);
const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

/** Days in `month` (1-12) of `year`, Gregorian leap years. */
export function daysInMonth(year: number, month: number): number {
  const leap = (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
  return month === 2 && leap ? 29 : DAYS_IN_MONTH[month - 1];
}
/** The month of the last date built: its first and last day numbers and its `YYYY-MM-`. */
let monthFirstDay = Number.NaN;
let monthLastDay = Number.NaN;
let monthPrefix = '';

/**
 * `YYYY-MM-DDT` of a day number (days since 1970-01-01). Days of the month last seen are
 * its prefix plus the day; another month is found by the civil-from-days algorithm
 * (H. Hinnant): a Date and toISOString per new day cost more than the rest of an event.
 */
function dateText(days: number): string {
  if (days >= monthFirstDay && days <= monthLastDay) return monthPrefix + DAY_OF_MONTH[days - monthFirstDay + 1];
  const { y, m, d } = civilFromDays(days);
  if (y < 0 || y > 9999) return new Date(days * DAY_MS).toISOString().slice(0, 11);
  monthFirstDay = days - d + 1;
  monthLastDay = monthFirstDay + daysInMonth(y, m) - 1;
  monthPrefix = `${y < 1000 ? String(y).padStart(4, '0') : y}-${pad2(m)}-`;
  return monthPrefix + DAY_OF_MONTH[d];
}

/**
 * The proleptic Gregorian date of a day number (days since 1970-01-01): year, month 1-12, day
 * 1-31, by H. Hinnant's civil-from-days algorithm (a `Date` and its getters cost far more).
 */
export function civilFromDays(days: number): { y: number; m: number; d: number } {
  const z = days + 719_468;
  const era = Math.floor(z / 146_097);
  const doe = z - era * 146_097;
  const yoe = Math.floor((doe - Math.floor(doe / 1460) + Math.floor(doe / 36_524) - Math.floor(doe / 146_096)) / 365);
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const d = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const m = mp < 10 ? mp + 3 : mp - 9;
  return { y: yoe + era * 400 + (m <= 2 ? 1 : 0), m, d };
}

function pad2(n: number): string {
  return n < 10 ? `0${n}` : `${n}`;
}

// The last instant formatted by each function: a trade's events share one bar's time.
let lastTimestampMs = Number.NaN;
let lastTimestamp = '';
let lastSecondsMs = Number.NaN;
let lastSeconds = '';

/** Formats a millisecond epoch as the spec's timestamp: UTC, no offset, six fraction digits. */
export function formatTimestamp(epochMs: number): string {
  if (epochMs === lastTimestampMs) return lastTimestamp;
  lastTimestamp = Math.floor(epochMs / 1000) * 1000 === epochMs ? `${formatSeconds(epochMs)}.000000` : fractionalTimestamp(epochMs);
  lastTimestampMs = epochMs;
  return lastTimestamp;
}

/**
 * `formatTimestamp` of any other time (milliseconds, live events): apart, so that the common
 * whole second stays small enough for V8 to inline wherever an event is made.
 */
function fractionalTimestamp(epochMs: number): string {
  const ms = Math.round(epochMs - Math.floor(epochMs / 1000) * 1000);
  return ms === 0 ? `${formatSeconds(epochMs)}.000000` : `${secondsText(epochMs)}.${ms < 10 ? '00' : ms < 100 ? '0' : ''}${ms}000`;
}

/** Formats a millisecond epoch as the spec's second-resolution time (`2024-01-15T10:35:00`). */
export function formatSeconds(epochMs: number): string {
  if (epochMs === lastSecondsMs) return lastSeconds;
  lastSeconds = secondsText(epochMs);
  lastSecondsMs = epochMs;
  return lastSeconds;
}

/** Parses a spec timestamp (UTC, optional fraction, optional `Z`) back to epoch milliseconds. */
export function parseTimestamp(text: string): number {
  const fast = parseSpecTimestamp(text);
  if (fast === fast) return fast;
  return Date.parse(/[zZ]|[+-]\d\d:\d\d$/.test(text) ? text : `${text.slice(0, 23)}Z`);
}

/**
 * The two shapes the engine writes (`2024-01-15T10:35:00` and `...:00.123456`), read digit by
 * digit: reports and ledgers parse one per trade, and the regular expression, the string copy
 * and Date.parse cost about a microsecond each. Anything else (an offset, a `Z`, a day past the
 * 28th, which Date.parse checks against the month, a year below 100) gives NaN and takes the general path.
 */
function parseSpecTimestamp(t: string): number {
  const n = t.length;
  if ((n !== 19 && n !== 26) || t.charCodeAt(4) !== 45 || t.charCodeAt(7) !== 45 || t.charCodeAt(10) !== 84
    || t.charCodeAt(13) !== 58 || t.charCodeAt(16) !== 58 || (n === 26 && t.charCodeAt(19) !== 46)) return Number.NaN;
  const y = digits(t, 0, 4), mo = digits(t, 5, 2), d = digits(t, 8, 2), h = digits(t, 11, 2), mi = digits(t, 14, 2), s = digits(t, 17, 2);
  const ms = n === 26 ? digits(t, 20, 3) + (digits(t, 23, 3) >= 0 ? 0 : Number.NaN) : 0;
  // Years below 100 too: Date.UTC reads them as 19xx.
  if (!(mo >= 1 && mo <= 12 && d >= 1 && d <= 28 && h <= 23 && mi <= 59 && s <= 59 && y >= 100 && ms >= 0)) return Number.NaN;
  return Date.UTC(y, mo - 1, d, h, mi, s, ms);
}

/** The decimal number in `t[from, from + count)`, or -1 if a character is not a digit. */
function digits(t: string, from: number, count: number): number {
  let v = 0;
  for (let i = from; i < from + count; i++) {
    const c = t.charCodeAt(i) - 48;
    if (c < 0 || c > 9) return -1;
    v = v * 10 + c;
  }
  return v;
}
