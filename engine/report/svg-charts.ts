/**
 * Small inline-SVG charts for the HTML report: no script and no external resource, so the
 * file opens offline and prints. Every chart is an `<svg class="chart" data-chart="NAME">`
 * whose marks (paths, rects, circles) carry `class="mark"`.
 */

const W = 640;
const H = 220;
const PAD = { left: 64, right: 12, top: 12, bottom: 28 };

export interface LineSeries {
  readonly name: string;
  readonly color: string;
  readonly points: readonly (readonly [number, number])[];
}

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
const f = (x: number) => (Math.round(x * 10) / 10).toString();
const label = (x: number) => (Math.abs(x) >= 1000 ? x.toLocaleString('en-US', { maximumFractionDigits: 0 }) : x.toLocaleString('en-US', { maximumFractionDigits: 2 }));

function frame(name: string, title: string, body: string, yMin: number, yMax: number, xLabels: [string, string] | null, legend = ''): string {
  const ticks = [yMin, (yMin + yMax) / 2, yMax].map((v) => {
    const y = PAD.top + (1 - (v - yMin) / (yMax - yMin || 1)) * (H - PAD.top - PAD.bottom);
    return `<line x1="${PAD.left}" x2="${W - PAD.right}" y1="${f(y)}" y2="${f(y)}" class="grid"/><text x="${PAD.left - 6}" y="${f(y + 4)}" text-anchor="end">${esc(label(v))}</text>`;
  }).join('');
  const x = xLabels ? `<text x="${PAD.left}" y="${H - 8}">${esc(xLabels[0])}</text><text x="${W - PAD.right}" y="${H - 8}" text-anchor="end">${esc(xLabels[1])}</text>` : '';
  return `<figure><figcaption>${esc(title)}${legend}</figcaption><svg class="chart" data-chart="${name}" viewBox="0 0 ${W} ${H}" role="img" aria-label="${esc(title)}">${ticks}${x}${body}</svg></figure>`;
}

function scale(values: readonly number[], includeZero: boolean): [number, number] {
  let lo = Infinity, hi = -Infinity;
  for (const v of values) { if (v < lo) lo = v; if (v > hi) hi = v; }
  if (!Number.isFinite(lo)) return [0, 1];
  if (includeZero) { lo = Math.min(lo, 0); hi = Math.max(hi, 0); }
  if (lo === hi) { lo -= 1; hi += 1; }
  return [lo, hi];
}

const date = (seconds: number) => new Date(seconds * 1000).toISOString().slice(0, 10);

/** Lines over time (x in epoch seconds). */
export function lineChart(name: string, title: string, series: readonly LineSeries[], options: { includeZero?: boolean; fill?: boolean } = {}): string {
  const xs = series.flatMap((s) => s.points.map((p) => p[0]));
  const [x0, x1] = scale(xs, false);
  const [y0, y1] = scale(series.flatMap((s) => s.points.map((p) => p[1])), options.includeZero ?? false);
  const px = (x: number) => PAD.left + ((x - x0) / (x1 - x0)) * (W - PAD.left - PAD.right);
  const py = (y: number) => PAD.top + (1 - (y - y0) / (y1 - y0)) * (H - PAD.top - PAD.bottom);
  const body = series.filter((s) => s.points.length > 0).map((s) => {
    const d = s.points.map((p, i) => `${i ? 'L' : 'M'}${f(px(p[0]))},${f(py(p[1]))}`).join('');
    const area = options.fill ? `${d}L${f(px(s.points.at(-1)![0]))},${f(py(Math.max(y0, Math.min(0, y1))))}L${f(px(s.points[0][0]))},${f(py(Math.max(y0, Math.min(0, y1))))}Z` : '';
    return options.fill
      ? `<path class="mark" d="${area}" fill="${s.color}" fill-opacity="0.35" stroke="${s.color}"/>`
      : `<path class="mark" d="${d}" fill="none" stroke="${s.color}" stroke-width="1.5"><title>${esc(s.name)}</title></path>`;
  }).join('');
  const legend = series.length > 1 ? ` <span class="legend">${series.map((s) => `<i style="background:${s.color}"></i>${esc(s.name)}`).join(' ')}</span>` : '';
  return frame(name, title, body, y0, y1, xs.length ? [date(x0), date(x1)] : null, legend);
}

/** One bar per label; negative values hang below zero. */
export function barChart(name: string, title: string, labels: readonly string[], values: readonly number[], color: string): string {
  const [y0, y1] = scale(values, true);
  const n = values.length;
  const slot = (W - PAD.left - PAD.right) / n;
  const py = (y: number) => PAD.top + (1 - (y - y0) / (y1 - y0)) * (H - PAD.top - PAD.bottom);
  const zero = py(0);
  const body = values.map((v, i) => {
    const x = PAD.left + i * slot + slot * 0.15;
    const top = Math.min(py(v), zero);
    const height = Math.max(Math.abs(py(v) - zero), v === 0 ? 0 : 1);
    const fill = v < 0 ? '#c0504d' : color;
    return `<rect class="mark" x="${f(x)}" y="${f(top)}" width="${f(slot * 0.7)}" height="${f(height)}" fill="${fill}"><title>${esc(labels[i])}: ${esc(label(v))}</title></rect>`
      + (n <= 12 || i % 3 === 0 ? `<text x="${f(x + slot * 0.35)}" y="${H - 8}" text-anchor="middle">${esc(labels[i])}</text>` : '');
  }).join('');
  return frame(name, title, body, y0, y1, null);
}

/** Points (x, y) with both axes scaled to the data. */
export function scatterChart(name: string, title: string, points: readonly (readonly [number, number])[], xName: string, color: string): string {
  const [x0, x1] = scale(points.map((p) => p[0]), true);
  const [y0, y1] = scale(points.map((p) => p[1]), true);
  const px = (x: number) => PAD.left + ((x - x0) / (x1 - x0)) * (W - PAD.left - PAD.right);
  const py = (y: number) => PAD.top + (1 - (y - y0) / (y1 - y0)) * (H - PAD.top - PAD.bottom);
  const body = points.map((p) => `<circle class="mark" cx="${f(px(p[0]))}" cy="${f(py(p[1]))}" r="2.5" fill="${color}" fill-opacity="0.6"/>`).join('');
  return frame(name, title, body, y0, y1, [`${xName} ${label(x0)}`, label(x1)]);
}
