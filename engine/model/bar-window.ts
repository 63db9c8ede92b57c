import { createBarSeries, MID_QUOTING, type BarQuoting, type BarSeries, type Timeframe } from './bar.ts';

/**
 * A bounded, append-only view of a bar stream for live feeds and streamed backtests: memory
 * stays flat however long the run. When full it keeps the newest `keep` bars, moves them to
 * the front and reports the shift, so holders of absolute indexes can adjust.
 */
export class BarWindow {
  readonly series: BarSeries;

  constructor(
    symbol: string,
    timeframe: Timeframe,
    private readonly capacity = 8192,
    private readonly keep = 2048,
    private readonly onShift: (delta: number) => void = () => {},
    /** Bid bars (with a spread column) or mid ones: the window's series quotes as its source does. */
    quoting: BarQuoting = MID_QUOTING,
  ) {
    if (keep >= capacity) throw new Error(`BarWindow: keep (${keep}) must be below capacity (${capacity})`);
    this.series = createBarSeries(symbol, timeframe, capacity, quoting);
  }

  /** Appends one closed bar and returns its index in `series`; `spread` (points) for a window with a spread column. */
  push(time: number, open: number, high: number, low: number, close: number, volume: number, spread = 0): number {
    const s = this.series;
    if (s.length === this.capacity) this.compact();
    const i = s.length++;
    s.time[i] = time;
    s.open[i] = open;
    s.high[i] = high;
    s.low[i] = low;
    s.close[i] = close;
    s.volume[i] = volume;
    if (s.spread) s.spread[i] = spread;
    return i;
  }

  /**
   * Appends up to `count` bars of `from` starting at `start`, as many as fit before the window
   * must compact (compacting first if it is full), by block copies. Returns how many were
   * appended: they are the last ones of `series`.
   */
  appendBlock(from: BarSeries, start: number, count: number): number {
    const s = this.series;
    if ((from.prices === 'bid') !== (s.prices === 'bid') || (from.spread != null) !== (s.spread != null)) {
      throw new Error(`BarWindow: ${from.symbol} bars of ${from.prices ?? 'mid'} prices${from.spread ? ' with spreads' : ''} into a window of ${s.prices ?? 'mid'} prices${s.spread ? ' with spreads' : ''}`);
    }
    if (s.length === this.capacity) this.compact();
    const n = Math.min(count, this.capacity - s.length);
    const at = s.length;
    const end = start + n;
    s.time.set(from.time.subarray(start, end), at);
    s.open.set(from.open.subarray(start, end), at);
    s.high.set(from.high.subarray(start, end), at);
    s.low.set(from.low.subarray(start, end), at);
    s.close.set(from.close.subarray(start, end), at);
    s.volume.set(from.volume.subarray(start, end), at);
    if (s.spread && from.spread) s.spread.set(from.spread.subarray(start, end), at);
    s.length = at + n;
    return n;
  }

  private compact(): void {
    const s = this.series;
    const delta = s.length - this.keep;
    for (const column of [s.time, s.open, s.high, s.low, s.close, s.volume]) column.copyWithin(0, delta, s.length);
    s.spread?.copyWithin(0, delta, s.length);
    s.length = this.keep;
    this.onShift(delta);
  }
}
