import { HOUR_MS, WEEK_MS, sessionElapsed, weekStartOf } from '../time/trading-week.ts';
import { governorConfig, type GovernorConfig } from './governor-config.ts';

/** What happened to the previous week when the clock crossed into a new one. */
export interface WeekRoll {
  readonly weekStart: number;
  readonly trades: number;
  readonly withinTarget: boolean;
  readonly aggression: number;
}

/** The persisted part of the governor, restored after a restart. */
export interface GovernorSnapshot {
  readonly weekStart: number;
  readonly trades: number;
  readonly lastTradeTime: number | null;
  /** The multiplier the pace checks had reached, and the week it belongs to (absent: 1). */
  readonly aggression?: { readonly weekStart: number; readonly multiplier: number };
  /**
   * The latest time the governor's clock had run at (the open of the last bar processed, or of
   * the last pace step): the pace checkpoints up to it were checked before the restart.
   */
  readonly checkedThrough?: number;
}

/**
 * The weekly trade-frequency governor: min/max entries per trading week, account-wide.
 * Under the minimum pace it raises the size multiplier one step at each pace check; at the
 * maximum it refuses entries until the week rolls over. Entries are reserved when a signal is
 * accepted, so two symbols signalling on the same bar cannot both take the last slot.
 *
 * `observe(time)` is on the per-bar hot path: it is two comparisons unless a week or a pace
 * checkpoint is crossed.
 */
export class Governor {
  readonly config: GovernorConfig;
  weekStart = Number.NEGATIVE_INFINITY;
  trades = 0;
  reserved = 0;
  aggression = 1;
  lastTradeTime: number | null = null;
  private nextWeekStart = Number.NEGATIVE_INFINITY;
  private nextPaceCheck = Number.POSITIVE_INFINITY;
  /** The week's session close: the last pace checkpoint is at or before it. */
  private sessionEnd = Number.NEGATIVE_INFINITY;
  /** The earliest time at which `observe` or `checkPace` has anything to do (hot-path guard). */
  nextEventTime = Number.NEGATIVE_INFINITY;

  constructor(config: Partial<GovernorConfig> = {}) {
    this.config = governorConfig(config);
  }

  get min(): number {
    return this.config.minTradesPerWeek;
  }

  get max(): number {
    return this.config.maxTradesPerWeek;
  }

  /** Moves the governor's clock. Returns the closed week when `time` starts a new one. */
  observe(time: number): WeekRoll | null {
    if (time < this.nextWeekStart) return null;
    const previous = this.weekStart;
    const roll: WeekRoll | null = Number.isFinite(previous)
      ? { weekStart: previous, trades: this.trades, withinTarget: this.isWithinTarget(this.trades), aggression: this.aggression }
      : null;
    this.startWeek(weekStartOf(time, this.config.week));
    return roll;
  }

  /**
   * Pace check: call after `observe`. Returns the new multiplier when it stepped up, else null.
   * Expected pace at a checkpoint = min × fraction of the session elapsed.
   */
  checkPace(time: number): number | null {
    if (time < this.nextPaceCheck) return null;
    const step = this.config.paceCheckHours * HOUR_MS;
    while (this.nextPaceCheck <= time) this.nextPaceCheck += step;
    // Bars after the session close (a 24/7 feed's Saturday) are not checked again this week.
    if (this.nextPaceCheck > this.sessionEnd) this.nextPaceCheck = Number.POSITIVE_INFINITY;
    this.nextEventTime = Math.min(this.nextWeekStart, this.nextPaceCheck);
    if (!this.behindPace(time) || this.aggression >= this.config.aggressionCap) return null;
    this.aggression = Math.min(this.aggression * this.config.aggressionStep, this.config.aggressionCap);
    return this.aggression;
  }

  /**
   * Entries (and reservations) below min × the fraction of the session elapsed at `time`,
   * compared exactly: entries × session < min × elapsed, in whole milliseconds (min × elapsed
   * in floating point puts 25 × 33.6 h / 120 h at 7.000000000000001, behind with 7 entries).
   */
  private behindPace(time: number): boolean {
    const week = this.config.week;
    const session = week.sessionHours * HOUR_MS;
    const elapsed = Math.min(Math.max(time - this.weekStart - week.openOffsetHours * HOUR_MS, 0), session);
    return (this.trades + this.reserved) * session < this.min * elapsed;
  }

  /** Expected entries by now at the minimum pace. */
  expectedPace(time: number): number {
    return this.min * sessionElapsed(time, this.weekStart, this.config.week);
  }

  canEnter(): boolean {
    return this.trades + this.reserved < this.max;
  }

  /** Reserves a slot for an accepted signal; false when the weekly maximum is reached. */
  reserve(): boolean {
    if (!this.canEnter()) return false;
    this.reserved++;
    return true;
  }

  /** Releases a reservation whose order was rejected or cancelled. */
  release(): void {
    if (this.reserved > 0) this.reserved--;
  }

  /** Converts a reservation into a counted entry. */
  recordEntry(time: number): number {
    if (this.reserved > 0) this.reserved--;
    this.trades++;
    this.lastTradeTime = time;
    return this.trades;
  }

  /**
   * Counts an entry the bot did not reserve a slot for: a position of its own found on the
   * terminal (a late fill, a fill whose journal write was lost). Counted only if it opened in the
   * current week (before any bar, its own week becomes the current one); returns whether it was.
   */
  recordAdopted(time: number): boolean {
    if (!Number.isFinite(this.weekStart)) this.observe(time);
    if (weekStartOf(time, this.config.week) !== this.weekStart) return false;
    this.trades++;
    if (this.lastTradeTime === null || time > this.lastTradeTime) this.lastTradeTime = time;
    return true;
  }

  isWithinTarget(trades: number): boolean {
    return trades >= this.min && trades <= this.max;
  }

  snapshot(): GovernorSnapshot {
    return { weekStart: this.weekStart, trades: this.trades, lastTradeTime: this.lastTradeTime, aggression: { weekStart: this.weekStart, multiplier: this.aggression } };
  }

  /**
   * Restores the week after a restart, so the bot goes on as if it had not stopped: the count,
   * the multiplier and the pace checkpoints already checked, each only if it belongs to the
   * current week (a snapshot from an older week keeps only lastTradeTime). Checkpoints passed
   * while the bot was down count once at its first bar, as checkpoints passed in a gap of the data.
   */
  restore(saved: GovernorSnapshot, now: number): void {
    const week = this.config.week;
    const current = weekStartOf(now, week);
    this.startWeek(current);
    this.lastTradeTime = saved.lastTradeTime;
    if (saved.weekStart === current) this.trades = saved.trades;
    const a = saved.aggression;
    if (a !== undefined && a.weekStart === current && a.multiplier > 1) this.aggression = Math.min(a.multiplier, this.config.aggressionCap);
    const checked = saved.checkedThrough;
    if (checked !== undefined && weekStartOf(checked, week) === current) {
      const step = this.config.paceCheckHours * HOUR_MS;
      while (this.nextPaceCheck <= checked) this.nextPaceCheck += step;
      if (this.nextPaceCheck > this.sessionEnd) this.nextPaceCheck = Number.POSITIVE_INFINITY;
      this.nextEventTime = Math.min(this.nextWeekStart, this.nextPaceCheck);
    }
  }

  private startWeek(weekStart: number): void {
    this.weekStart = weekStart;
    this.nextWeekStart = weekStart + WEEK_MS;
    this.trades = 0;
    this.reserved = 0;
    this.aggression = 1;
    const { openOffsetHours, sessionHours } = this.config.week;
    this.sessionEnd = weekStart + (openOffsetHours + sessionHours) * HOUR_MS;
    const firstCheck = weekStart + (openOffsetHours + this.config.paceCheckHours) * HOUR_MS;
    this.nextPaceCheck = firstCheck > this.sessionEnd ? Number.POSITIVE_INFINITY : firstCheck;
    this.nextEventTime = Math.min(this.nextWeekStart, this.nextPaceCheck);
  }
}
