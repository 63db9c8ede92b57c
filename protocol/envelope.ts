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
let cachedDay = Number.NaN;
let cachedDate = '';

/** `YYYY-MM-DDTHH:MM:SS` plus the milliseconds, built without a Date per call (hot path). */
function formatParts(epochMs: number): { base: string; ms: number } {
  const day = Math.floor(epochMs / DAY_MS);
  if (day !== cachedDay) {
    cachedDay = day;
    cachedDate = new Date(day * DAY_MS).toISOString().slice(0, 11);
  }
  let rest = epochMs - day * DAY_MS;
  const h = (rest / 3_600_000) | 0;
  rest -= h * 3_600_000;
  const m = (rest / 60_000) | 0;
  rest -= m * 60_000;
  const s = (rest / 1000) | 0;
  const ms = Math.round(rest - s * 1000);
  return { base: `${cachedDate}${pad2(h)}:${pad2(m)}:${pad2(s)}`, ms };
}

function pad2(n: number): string {
  return n < 10 ? `0${n}` : `${n}`;
}

/** Formats a millisecond epoch as the spec's timestamp: UTC, no offset, six fraction digits. */
export function formatTimestamp(epochMs: number): string {
  const { base, ms } = formatParts(epochMs);
  return `${base}.${ms < 10 ? '00' : ms < 100 ? '0' : ''}${ms}000`;
}

/** Formats a millisecond epoch as the spec's second-resolution time (`2024-01-15T10:35:00`). */
export function formatSeconds(epochMs: number): string {
  return formatParts(epochMs).base;
}

/** Parses a spec timestamp (UTC, optional fraction, optional `Z`) back to epoch milliseconds. */
export function parseTimestamp(text: string): number {
  return Date.parse(/[zZ]|[+-]\d\d:\d\d$/.test(text) ? text : `${text.slice(0, 23)}Z`);
}
