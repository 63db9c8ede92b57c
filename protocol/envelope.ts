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

/** Formats a millisecond epoch as the spec's timestamp: UTC, no offset, six fraction digits. */
export function formatTimestamp(epochMs: number): string {
  const iso = new Date(epochMs).toISOString(); // 2024-01-15T10:30:45.123Z
  return `${iso.slice(0, 23)}000`;
}

/** Formats a millisecond epoch as the spec's second-resolution time (`2024-01-15T10:35:00`). */
export function formatSeconds(epochMs: number): string {
  return new Date(epochMs).toISOString().slice(0, 19);
}

/** Parses a spec timestamp (UTC, optional fraction, optional `Z`) back to epoch milliseconds. */
export function parseTimestamp(text: string): number {
  return Date.parse(/[zZ]|[+-]\d\d:\d\d$/.test(text) ? text : `${text.slice(0, 23)}Z`);
}
