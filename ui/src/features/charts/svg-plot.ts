/**
 * The views of the report's SVG charts: data in, plain geometry out (paths, rectangles, dots,
 * ticks) for a given pixel size. The Svelte components only draw it; a resize recomputes it, so
 * strokes and labels keep their size however wide the container is.
 */

export interface PlotSize {
  readonly width: number;
  readonly height: number;
}

export const PAD = { left: 58, right: 10, top: 8, bottom: 22 } as const;

export interface Tick {
  readonly y: number;
  readonly label: string;
}

export interface LineInput {
  readonly name: string;
  readonly color: string;
  /** [x, y]; x is epoch seconds for time charts. */
  readonly points: readonly (readonly [number, number])[];
}

export interface LineView {
  readonly name: string;
  readonly color: string;
  readonly d: string;
  /** Closed area down to zero (drawdown), when asked for. */
  readonly area: string | null;
}

export interface Axes {
  readonly ticks: readonly Tick[];
  readonly xLabels: readonly { readonly x: number; readonly label: string; readonly anchor: 'start' | 'middle' | 'end' }[];
  /** y of the zero line when zero is in range. */
  readonly zero: number | null;
}

/** The range of values, widened to take in 0 when asked and never empty. */
export function extent(values: Iterable<number>, includeZero = false): [number, number] {
  let lo = Infinity, hi = -Infinity;
  for (const v of values) {
    if (!Number.isFinite(v)) continue;
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  if (!Number.isFinite(lo)) return [0, 1];
  if (includeZero) {
    lo = Math.min(lo, 0);
    hi = Math.max(hi, 0);
  }
  if (lo === hi) return [lo - 1, hi + 1];
  return [lo, hi];
}

const r1 = (x: number) => Math.round(x * 10) / 10;

/** A number as an axis shows it: thousands grouped, at most two decimals. */
export function axisLabel(v: number): string {
  return v.toLocaleString('en-US', { maximumFractionDigits: Math.abs(v) >= 1000 ? 0 : 2 });
}

function yScale(size: PlotSize, lo: number, hi: number) {
  const h = Math.max(1, size.height - PAD.top - PAD.bottom);
  return (v: number) => r1(PAD.top + (1 - (v - lo) / (hi - lo)) * h);
}

function xScale(size: PlotSize, lo: number, hi: number) {
  const w = Math.max(1, size.width - PAD.left - PAD.right);
  return (v: number) => r1(PAD.left + ((v - lo) / (hi - lo)) * w);
}

function yTicks(size: PlotSize, lo: number, hi: number): Tick[] {
  const py = yScale(size, lo, hi);
  return [lo, (lo + hi) / 2, hi].map((v) => ({ y: py(v), label: axisLabel(v) }));
}

const day = (seconds: number) => new Date(seconds * 1000).toISOString().slice(0, 10);

/** Lines over time on shared axes (overlaid equity curves, balance and equity, drawdown). */
export function linePlot(size: PlotSize, series: readonly LineInput[], options: { includeZero?: boolean; fill?: boolean } = {}): { lines: LineView[]; axes: Axes } {
  const [x0, x1] = extent(series.flatMap((s) => s.points.map((p) => p[0])));
  const [y0, y1] = extent(series.flatMap((s) => s.points.map((p) => p[1])), options.includeZero ?? false);
  const px = xScale(size, x0, x1);
  const py = yScale(size, y0, y1);
  const base = py(Math.max(y0, Math.min(0, y1)));
  const lines = series.filter((s) => s.points.length > 0).map((s) => {
    const d = s.points.map((p, i) => `${i ? 'L' : 'M'}${px(p[0])},${py(p[1])}`).join('');
    const area = options.fill ? `${d}L${px(s.points[s.points.length - 1][0])},${base}L${px(s.points[0][0])},${base}Z` : null;
    return { name: s.name, color: s.color, d, area };
  });
  const any = series.some((s) => s.points.length > 0);
  return {
    lines,
    axes: {
      ticks: yTicks(size, y0, y1),
      xLabels: any ? [{ x: PAD.left, label: day(x0), anchor: 'start' }, { x: size.width - PAD.right, label: day(x1), anchor: 'end' }] : [],
      zero: y0 < 0 && y1 > 0 ? py(0) : null,
    },
  };
}

export interface BarView {
  readonly x: number;
  readonly y: number;
  readonly width: number;
  readonly height: number;
  readonly negative: boolean;
  readonly title: string;
}

/** One bar per label from zero; negative values hang below it. Labels thin out when narrow. */
export function barPlot(size: PlotSize, labels: readonly string[], values: readonly number[]): { bars: BarView[]; axes: Axes } {
  const [y0, y1] = extent(values, true);
  const py = yScale(size, y0, y1);
  const zero = py(0);
  const n = Math.max(1, values.length);
  const slot = Math.max(1, size.width - PAD.left - PAD.right) / n;
  // Roughly 28 px per label so they never overlap.
  const every = Math.max(1, Math.ceil(28 / slot));
  const bars = values.map((v, i) => {
    const top = Math.min(py(v), zero);
    return { x: r1(PAD.left + i * slot + slot * 0.15), y: top, width: r1(slot * 0.7), height: r1(Math.max(Math.abs(py(v) - zero), v === 0 ? 0 : 1)), negative: v < 0, title: `${labels[i]}: ${axisLabel(v)}` };
  });
  const xLabels = labels.flatMap((label, i) => (i % every === 0 ? [{ x: r1(PAD.left + (i + 0.5) * slot), label, anchor: 'middle' as const }] : []));
  return { bars, axes: { ticks: yTicks(size, y0, y1), xLabels, zero } };
}

/** Points on two value axes (MFE or MAE against profit), both taking in zero. */
export function scatterPlot(size: PlotSize, points: readonly (readonly [number, number])[]): { dots: { cx: number; cy: number }[]; axes: Axes } {
  const [x0, x1] = extent(points.map((p) => p[0]), true);
  const [y0, y1] = extent(points.map((p) => p[1]), true);
  const px = xScale(size, x0, x1);
  const py = yScale(size, y0, y1);
  return {
    dots: points.map((p) => ({ cx: px(p[0]), cy: py(p[1]) })),
    axes: {
      ticks: yTicks(size, y0, y1),
      xLabels: [{ x: PAD.left, label: axisLabel(x0), anchor: 'start' }, { x: size.width - PAD.right, label: axisLabel(x1), anchor: 'end' }],
      zero: y0 < 0 && y1 > 0 ? py(0) : null,
    },
  };
}

/** Drawdown in percent below the running peak of equity, per curve point: [time, -pct]. */
export function drawdownSeries(curve: readonly (readonly [number, number, number])[]): Array<[number, number]> {
  let peak = -Infinity;
  return curve.map(([t, , e]) => {
    peak = Math.max(peak, e);
    return [t, peak > 0 ? Math.round(((-100 * (peak - e)) / peak) * 100) / 100 : 0];
  });
}

/** Series colours that stay apart from each other and readable on both themes. */
export const SERIES_COLORS = ['#3b8eea', '#e0812f', '#2ea043', '#a371f7', '#e5534b', '#1fa5b8', '#c69026', '#db61a2'] as const;
