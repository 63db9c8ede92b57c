const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const WEEK = 7 * DAY;

/**
 * The trading week the governor counts trades in. Default: the forex week, from the Sunday
 * open to the Friday close, in UTC. Weeks are keyed by their anchor (default Sunday 00:00 UTC),
 * which falls inside the weekend gap, so no trading hour belongs to two weeks. The pace of
 * trading is measured over the session itself: `openOffsetHours` after the anchor (Sunday
 * 21:00 UTC) for `sessionHours` (120 h, to Friday 21:00 UTC).
 */
export interface TradingWeekConfig {
  /** 0 = Sunday ... 6 = Saturday (UTC). */
  readonly anchorDay: number;
  readonly anchorHour: number;
  readonly openOffsetHours: number;
  readonly sessionHours: number;
}

export const FOREX_WEEK: TradingWeekConfig = { anchorDay: 0, anchorHour: 0, openOffsetHours: 21, sessionHours: 120 };

// 1970-01-04 was a Sunday: anchors are that instant plus whole weeks.
const EPOCH_SUNDAY = 3 * DAY;

/** Start (epoch ms) of the trading week containing `time`. */
export function weekStartOf(time: number, week: TradingWeekConfig = FOREX_WEEK): number {
  const anchor0 = EPOCH_SUNDAY + week.anchorDay * DAY + week.anchorHour * HOUR;
  return anchor0 + Math.floor((time - anchor0) / WEEK) * WEEK;
}

/** Fraction (0..1) of the week's trading session elapsed at `time`. */
export function sessionElapsed(time: number, weekStart: number, week: TradingWeekConfig = FOREX_WEEK): number {
  const f = (time - weekStart - week.openOffsetHours * HOUR) / (week.sessionHours * HOUR);
  return f < 0 ? 0 : f > 1 ? 1 : f;
}

export const WEEK_MS = WEEK;
export const DAY_MS = DAY;
export const HOUR_MS = HOUR;
