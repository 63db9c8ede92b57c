import type { SeriesMarkerBarPosition, SeriesMarkerShape } from 'lightweight-charts';
import type { TradeMarker } from '../../core/state.ts';

const BUY = '#26a69a';
const SELL = '#ef5350';
const WIN = '#3fb950';
const LOSS = '#f85149';

/**
 * How a trade is drawn: entries as arrows in their direction's colour, exits as circles green
 * for a win and red for a loss (squares for a loss, so colour is not the only cue).
 */
export function markerStyle(m: TradeMarker): { position: SeriesMarkerBarPosition; shape: SeriesMarkerShape; color: string; text: string } {
  if (m.kind === 'entry') {
    const sell = m.direction === 'sell';
    return { position: sell ? 'aboveBar' : 'belowBar', shape: sell ? 'arrowDown' : 'arrowUp', color: sell ? SELL : BUY, text: m.text };
  }
  const win = (m.pnl ?? 0) > 0;
  return { position: m.direction === 'sell' ? 'belowBar' : 'aboveBar', shape: win ? 'circle' : 'square', color: win ? WIN : LOSS, text: m.text };
}

/** Pixels a label needs along the time axis before the next one, and kept clear of the price axis. */
const LABEL_PX = 64;
const AXIS_PX = 40;

/**
 * Which markers keep their text label: walking from the newest, a label is kept only when it
 * lies at least LABEL_PX from the last kept one and LABEL_PX/2 + AXIS_PX inside the right edge.
 * Off-screen markers (outside `range`) get none. Without a range, the newest six. `toX` is the
 * chart's own time-to-pixel mapping (bars are evenly spaced, so a weekend takes no room: two
 * labels on Friday and Monday sit side by side although days apart); without it, or where it
 * has no answer, the time is placed linearly across the range.
 */
export function labelSpacing(times: readonly number[], range: readonly [number, number] | null, width: number,
  toX?: (time: number) => number | null): boolean[] {
  const keep = new Array<boolean>(times.length).fill(false);
  if (!range || range[1] <= range[0] || width <= 0) {
    for (let i = Math.max(0, times.length - 6); i < times.length; i++) keep[i] = true;
    return keep;
  }
  const pxPerSecond = width / (range[1] - range[0]);
  let lastX = Number.POSITIVE_INFINITY;
  for (let i = times.length - 1; i >= 0; i--) {
    if (times[i] < range[0] || times[i] > range[1]) continue;
    const x = toX?.(times[i]) ?? (times[i] - range[0]) * pxPerSecond;
    if (x > width - AXIS_PX - LABEL_PX / 2) continue;
    if (lastX - x < LABEL_PX) continue;
    keep[i] = true;
    lastX = x;
  }
  return keep;
}
