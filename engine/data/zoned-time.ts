/**
 * Local wall-clock time in an IANA time zone to UTC, DST-correct, with nothing but `Intl`.
 *
 * Rules (the same as Temporal's `disambiguation: 'compatible'`, and java.time's default):
 * - a wall time inside the autumn overlap (e.g. 02:30 on the last Sunday of October in Zurich,
 *   which happens twice) maps to its FIRST occurrence (summer time, the earlier instant); the
 *   other instant is returned as `later` so a caller reading a time-ordered file can choose it
 *   when the first would run backwards;
 * - a wall time inside the spring gap (02:00-02:59 on the last Sunday of March in Zurich, which
 *   never happens) is read with the offset in force before the gap, i.e. shifted forward by the
 *   gap's length: 02:30 becomes 03:30 CEST = 01:30Z. `kind` says 'gap' so callers can report it
 *   (the file importers refuse such a row at its own line, `gapProblem`: a clock in that zone
 *   never shows it, so the file's zone is not the one it is read with).
 */
export interface ZonedResult {
  readonly utc: number;
  readonly kind: 'unique' | 'ambiguous' | 'gap';
  /** The second occurrence's instant when `kind` is 'ambiguous'. */
  readonly later?: number;
}

const HOUR_MS = 3_600_000;
const DAY_MS = 86_400_000;

/**
 * Converter for one zone. Offsets are looked up once per local day (two `Intl` calls) and cached,
 * because `formatToParts` costs microseconds and a 60,000-row file spans only ~1,300 days; only
 * on the few days whose offset changes is each row resolved individually.
 *
 * @example
 * const zurich = new ZonedTime('Europe/Zurich');
 * zurich.toUtc(Date.UTC(1996, 3, 1, 0, 0)).utc === Date.UTC(1996, 2, 31, 22, 0); // CEST = UTC+2
 */
export class ZonedTime {
  private readonly format: Intl.DateTimeFormat;
  private readonly dayOffsets = new Map<number, number>();
  private readonly utcDayOffsets = new Map<number, number>();

  constructor(readonly zone: string) {
    try {
      this.format = new Intl.DateTimeFormat('en-US', {
        timeZone: zone,
        hourCycle: 'h23',
        year: 'numeric',
        month: 'numeric',
        day: 'numeric',
        hour: 'numeric',
        minute: 'numeric',
        second: 'numeric',
        era: 'short',
      });
    } catch {
      throw new Error(`unknown time zone ${JSON.stringify(zone)} (expected an IANA name such as Europe/Zurich or UTC)`);
    }
  }

  /** Offset of the zone from UTC, in ms, at the instant `utc` (positive east of Greenwich). */
  offsetAt(utc: number): number {
    const whole = Math.floor(utc / 1000) * 1000;
    let year = 0, month = 1, day = 1, hour = 0, minute = 0, second = 0, bc = false;
    for (const part of this.format.formatToParts(whole)) {
      switch (part.type) {
        case 'year': year = +part.value; break;
        case 'month': month = +part.value; break;
        case 'day': day = +part.value; break;
        case 'hour': hour = +part.value; break;
        case 'minute': minute = +part.value; break;
        case 'second': second = +part.value; break;
        case 'era': bc = part.value === 'BC' || part.value === 'B'; break;
      }
    }
    const wall = new Date(0);
    wall.setUTCFullYear(bc ? 1 - year : year, month - 1, day);
    wall.setUTCHours(hour, minute, second, 0);
    return wall.getTime() - whole;
  }

  /**
   * The wall-clock time (epoch-style ms "as if UTC") at the instant `utc`: the inverse of
   * `toUtc`. The offset is cached per UTC day without a transition in it.
   */
  toWall(utc: number): number {
    const day = Math.floor(utc / DAY_MS);
    let offset = this.utcDayOffsets.get(day);
    if (offset === undefined) {
      // A day with a change in it: the instant of the change, found once (offsets move on whole
      // seconds), then every time of the day is one comparison. Asking Intl per time cost ~35 µs,
      // seconds for a tick file's busy day.
      let change = this.dayChanges.get(day);
      if (change !== undefined) return utc + (utc < change.at ? change.before : change.after);
      offset = this.offsetAt(day * DAY_MS);
      const last = this.offsetAt((day + 1) * DAY_MS - 1000);
      if (last !== offset) {
        let lo = day * DAY_MS, hi = (day + 1) * DAY_MS - 1000;
        while (hi - lo > 1000) {
          const mid = lo + Math.floor((hi - lo) / 2000) * 1000;
          if (this.offsetAt(mid) === offset) lo = mid;
          else hi = mid;
        }
        change = { at: hi, before: offset, after: last };
        this.dayChanges.set(day, change);
        return utc + (utc < change.at ? change.before : change.after);
      }
      this.utcDayOffsets.set(day, offset);
    }
    return utc + offset;
  }

  /** Per UTC day with one offset change in it: the instant of the change and the offsets before and after. */
  private readonly dayChanges = new Map<number, { readonly at: number; readonly before: number; readonly after: number }>();

  /** Resolves a wall-clock time (epoch-style ms "as if UTC") to an instant; see the rules above. */
  toUtc(wall: number): ZonedResult {
    const day = Math.floor(wall / DAY_MS);
    const cached = this.dayOffsets.get(day);
    if (cached !== undefined) return { utc: wall - cached, kind: 'unique' };
    let change = this.wallDayChanges.get(day);
    if (change === undefined) {
      // Offsets well before and after this local day; the instant lies within wall ± 14 h.
      const from = day * DAY_MS - 16 * HOUR_MS;
      const to = (day + 1) * DAY_MS + 16 * HOUR_MS;
      const before = this.offsetAt(from);
      const after = this.offsetAt(to);
      if (before === after) {
        // No transition near this day (zones do not change offset twice within ~2.5 days).
        this.dayOffsets.set(day, before);
        return { utc: wall - before, kind: 'unique' };
      }
      // The first whole second with the later offset, found once for the day: then each time of
      // it is two comparisons (asking Intl two to four times per row cost 25-45 µs, seconds for a
      // tick file's busy day).
      let lo = from, hi = to;
      while (hi - lo > 1000) {
        const mid = lo + Math.floor((hi - lo) / 2000) * 1000;
        if (this.offsetAt(mid) === before) lo = mid;
        else hi = mid;
      }
      change = { at: hi, before, after };
      this.wallDayChanges.set(day, change);
    }
    // Read with each offset, the instant is valid when that offset is the one in force there.
    const a = wall - change.before;
    const b = wall - change.after;
    const aValid = a < change.at;
    const bValid = b >= change.at;
    if (aValid && bValid) return a === b ? { utc: a, kind: 'unique' } : { utc: Math.min(a, b), kind: 'ambiguous', later: Math.max(a, b) };
    if (aValid) return { utc: a, kind: 'unique' };
    if (bValid) return { utc: b, kind: 'unique' };
    return { utc: a, kind: 'gap' };
  }

  /** Per local day with an offset change near it: the instant of the change and the offsets before and after. */
  private readonly wallDayChanges = new Map<number, { readonly at: number; readonly before: number; readonly after: number }>();
}

/**
 * Why a wall time in the spring-forward gap is refused, for a file's bad-row message: the
 * zone, the day and the hour the clocks skipped, and whether that was daylight saving time
 * (the old offset comes back within a year) or a change of the zone's standard time (both
 * dates named when a whole day was skipped, as Pacific/Apia skipped 2011-12-30).
 *
 * @example
 * gapProblem(new ZonedTime('Europe/Athens'), Date.UTC(2021, 2, 28, 3, 0));
 * // '2021-03-28 03:00 does not exist in Europe/Athens: the clocks went forward from 03:00 to 04:00 that day (daylight saving time) ...'
 */
export function gapProblem(zone: ZonedTime, wall: number): string {
  // The transition instant lies between the wall time read with the later offset (before it)
  // and with the earlier one (at or after it); a few halvings find it to the second.
  const day = Math.floor(wall / DAY_MS) * DAY_MS;
  // Whole seconds (a tick's milliseconds would stall the halving); offsets change on a second.
  let lo = Math.floor((wall - zone.offsetAt(day + DAY_MS + 16 * HOUR_MS)) / 1000) * 1000;
  let hi = Math.ceil((wall - zone.offsetAt(day - 16 * HOUR_MS)) / 1000) * 1000;
  const before = zone.offsetAt(lo);
  while (hi - lo > 1000) {
    const mid = Math.floor((lo + hi) / 2000) * 1000;
    if (zone.offsetAt(mid) === before) lo = mid;
    else hi = mid;
  }
  const after = zone.offsetAt(hi);
  const hhmm = (t: number) => new Date(t).toISOString().slice(11, 16);
  const stamp = (t: number) => new Date(t).toISOString().slice(0, 16).replace('T', ' ');
  const at = new Date(wall).toISOString();
  const [from, to] = [hi + before, hi + after];
  // Pacific/Apia skipped 2011-12-30 whole: "from 00:00 to 00:00 that day" would say nothing.
  const skipped = stamp(from).slice(0, 10) === stamp(to).slice(0, 10) ? `from ${hhmm(from)} to ${hhmm(to)} that day` : `from ${stamp(from)} to ${stamp(to)}`;
  const why = seasonal(zone, hi, before) ? 'daylight saving time' : `a change of the zone's standard time, from UTC${utcOffset(before)} to UTC${utcOffset(after)}`;
  return `${at.slice(0, 10)} ${at.slice(11, 19)} does not exist in ${zone.zone}: the clocks went forward ${skipped} ` +
    `(${why}), so no row can be stamped in between; the file's times are not ${zone.zone} times (check the timezone it is read with) or the row is wrong`;
}

/** True when the offset before a transition comes back within about a year: clocks changed for the season. */
function seasonal(zone: ZonedTime, transition: number, before: number): boolean {
  for (let month = 1; month <= 13; month++) if (zone.offsetAt(transition + month * 30 * DAY_MS) === before) return true;
  return false;
}

/** `-10:00`, `+14:00`, `+05:45`. */
function utcOffset(ms: number): string {
  const minutes = Math.round(Math.abs(ms) / 60_000);
  return `${ms < 0 ? '-' : '+'}${String(Math.floor(minutes / 60)).padStart(2, '0')}:${String(minutes % 60).padStart(2, '0')}`;
}

/**
 * `zone.toUtc(wall)` for a time-ordered file: in the autumn overlap it takes the second
 * occurrence when the first would not be after `previous` (the instant of the row before), so
 * local times written 02:00, 02:30, 02:00, 02:30 map to four increasing instants.
 */
export function toUtcAfter(zone: ZonedTime, wall: number, previous: number): ZonedResult & { readonly occurrence?: 'first' | 'second' } {
  const r = zone.toUtc(wall);
  if (r.kind !== 'ambiguous') return r;
  return r.utc <= previous && r.later !== undefined ? { ...r, utc: r.later, occurrence: 'second' } : { ...r, occurrence: 'first' };
}

const UTC_NAMES = new Set(['UTC', 'Etc/UTC', 'GMT', 'Etc/GMT', 'Z']);

/** A `ZonedTime`, or `undefined` for UTC (callers then skip the conversion entirely). */
export function zonedTimeFor(zone: string | undefined): ZonedTime | undefined {
  if (zone === undefined || UTC_NAMES.has(zone)) return undefined;
  return new ZonedTime(zone);
}
