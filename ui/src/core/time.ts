import { parseTimestamp } from '../../../protocol/index.ts';

/** Spec timestamp (UTC, no offset) to unix seconds; NaN stays NaN so callers can skip it. */
export function toUnixSeconds(text: string | undefined): number {
  if (!text) return Number.NaN;
  return Math.floor(parseTimestamp(text) / 1000);
}

const DAY = 86_400;
const WEEK = 7 * DAY;
// 1970-01-04 was a Sunday: the engine's trading weeks are anchored on Sunday 00:00 UTC.
const EPOCH_SUNDAY = 3 * DAY;

/** The Sunday 00:00 UTC anchor (unix seconds) of the trading week holding `seconds`. */
export function weekAnchor(seconds: number): number {
  return EPOCH_SUNDAY + Math.floor((seconds - EPOCH_SUNDAY) / WEEK) * WEEK;
}

/** `2024-01-14` for a week anchor. */
export function formatDay(seconds: number): string {
  return new Date(seconds * 1000).toISOString().slice(0, 10);
}
