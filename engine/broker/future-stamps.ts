import { formatSeconds } from '../../protocol/envelope.ts';
import { TIMEFRAME_MS, isTimeframe } from '../model/bar.ts';
import type { LiveBar } from './live-broker-port.ts';

/**
 * How far after this machine's UTC clock a time from the EA may lie (after the server offset is
 * applied): the offset the EA reports is rounded to 15 minutes and two machines' clocks drift
 * by seconds to minutes. A bar whose close, or a tick whose time, is later than that is a clock
 * glitch on the terminal's side, not market data.
 */
export const FUTURE_TOLERANCE_MS = 15 * 60_000;

/**
 * How far after this machine's clock a passing tick may lie and still be an ordinary tick: two
 * machines' clocks drift by seconds. A tick later than that (up to the tolerance) is marked
 * `ahead`: it cannot hold the quote back, since the tick after it is taken whatever its time.
 * Within it the stale-tick check applies as usual (before, a terminal one second ahead of this
 * machine marked every tick `ahead` and so turned the check off).
 */
export const CLOCK_DRIFT_MS = 60_000;

/**
 * Refuses bars and ticks stamped in the future (`FUTURE_TOLERANCE_MS` past the engine's UTC
 * clock), before anything in the engine sees them: such a bar would move the engine's clock and
 * the governor's week, and every later correct bar would look older than it and be dropped. Each
 * refused bar is reported on its own (one a bar period at most); refused ticks are reported for
 * the first of each symbol, then at every power of ten, so a runaway clock cannot flood the log.
 */
export class FutureStamps {
  private readonly ticksRefused = new Map<string, number>();

  /** `source` names the broker in each report (`mt5-bridge`, `metaapi`). */
  constructor(private readonly now: () => number, private readonly report: (text: string) => void, private readonly source = 'mt5-bridge') {}

  /** True if the bar may pass; else reports it and returns false. */
  barOk(bar: LiveBar): boolean {
    const length = isTimeframe(bar.timeframe) ? TIMEFRAME_MS[bar.timeframe] : 0;
    const close = bar.bar.time + length;
    const now = this.now();
    if (close <= now + FUTURE_TOLERANCE_MS) return true;
    this.report(`${this.source}: refused a ${bar.symbol} ${bar.timeframe} bar opened ${formatSeconds(bar.bar.time)} UTC: it closes ${describeAhead(close - now)} after this machine's clock `
      + `(${formatSeconds(now)} UTC; tolerance ${FUTURE_TOLERANCE_MS / 60_000} min); the engine's clock does not move and later bars keep flowing. Check the terminal's clock and time zone`);
    return false;
  }

  /**
   * True if a forming candle (MetaApi streams the bar still open) may be taken: its open is not
   * past the tolerance (its close lies ahead by nature); else reports it once per candle and
   * returns false.
   */
  formingOk(symbol: string, timeframe: string, openTime: number): boolean {
    const now = this.now();
    if (openTime <= now + FUTURE_TOLERANCE_MS) return true;
    if (this.lastRefusedCandle !== `${symbol}|${timeframe}|${openTime}`) {
      this.lastRefusedCandle = `${symbol}|${timeframe}|${openTime}`;
      this.report(`${this.source}: refused a ${symbol} ${timeframe} candle opening ${formatSeconds(openTime)} UTC, ${describeAhead(openTime - now)} after this machine's clock `
        + `(${formatSeconds(now)} UTC; tolerance ${FUTURE_TOLERANCE_MS / 60_000} min); the engine's clock does not move and later candles keep flowing. Check the terminal's clock and time zone`);
    }
    return false;
  }

  private lastRefusedCandle = '';

  /** Whether `time` is later than this machine's clock by more than clock drift (`CLOCK_DRIFT_MS`; a passing tick can be, by up to the tolerance). */
  ahead(time: number): boolean {
    return time > this.now() + CLOCK_DRIFT_MS;
  }

  /** True if the tick may pass; else counts it (reported at the 1st, 10th, 100th, ... of the symbol) and returns false. */
  tickOk(symbol: string, time: number): boolean {
    const now = this.now();
    if (time <= now + FUTURE_TOLERANCE_MS) return true;
    const count = (this.ticksRefused.get(symbol) ?? 0) + 1;
    this.ticksRefused.set(symbol, count);
    if (Number.isInteger(Math.log10(count))) {
      this.report(`${this.source}: refused ${count === 1 ? 'a' : count} ${symbol} tick${count === 1 ? '' : 's'} stamped in the future (latest ${formatSeconds(time)} UTC, ${describeAhead(time - now)} after this machine's clock; tolerance ${FUTURE_TOLERANCE_MS / 60_000} min): not used as a quote`);
    }
    return false;
  }
}

function describeAhead(ms: number): string {
  const minutes = ms / 60_000;
  if (minutes < 120) return `${Math.round(minutes)} min`;
  const hours = minutes / 60;
  if (hours < 48) return `${Math.round(hours)} h`;
  return `${Math.round(hours / 24)} days`;
}
