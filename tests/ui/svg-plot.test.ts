import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { barPlot, drawdownSeries, extent, linePlot, PAD, scatterPlot } from '../../ui/src/features/charts/svg-plot.ts';

const SIZE = { width: 400, height: 200 };

test('extent takes in zero when asked, skips non-finite values and is never empty', () => {
  assert.equal(extent([3, 5, NaN]), [3, 5]);
  assert.equal(extent([3, 5], true), [0, 5]);
  assert.equal(extent([-2, -1], true), [-2, 0]);
  assert.equal(extent([4, 4]), [3, 5]);
  assert.equal(extent([]), [0, 1]);
});

test('overlaid lines share the axes: the lowest value sits on the bottom edge, the highest on the top, first and last time on the sides', () => {
  const { lines, axes } = linePlot(SIZE, [
    { name: 'a', color: '#111', points: [[0, 100], [86_400, 200]] },
    { name: 'b', color: '#222', points: [[43_200, 50]] },
  ]);
  assert.is(lines.length, 2);
  // 100 is a third of the way up from 50 to 200 (to a tenth of a pixel).
  assert.is(lines[0].d, `M${PAD.left},${Math.round((SIZE.height - PAD.bottom - (SIZE.height - PAD.top - PAD.bottom) / 3) * 10) / 10}L${SIZE.width - PAD.right},${PAD.top}`);
  assert.is(lines[1].d, `M${(PAD.left + SIZE.width - PAD.right) / 2},${SIZE.height - PAD.bottom}`);
  assert.equal(axes.xLabels.map((l) => l.label), ['1970-01-01', '1970-01-02']);
  assert.equal(axes.ticks.map((t) => t.label), ['50', '125', '200']);
  assert.is(lines[0].area, null);
});

test('a filled line closes its area down to zero; a wider plot moves the right edge out', () => {
  const narrow = linePlot(SIZE, [{ name: 'dd', color: '#c00', points: [[0, 0], [10, -5]] }], { includeZero: true, fill: true });
  assert.match(narrow.lines[0].area!, new RegExp(`^M${PAD.left},${PAD.top}L${SIZE.width - PAD.right},${SIZE.height - PAD.bottom}L${SIZE.width - PAD.right},${PAD.top}L${PAD.left},${PAD.top}Z$`));
  const wide = linePlot({ ...SIZE, width: 800 }, [{ name: 'dd', color: '#c00', points: [[0, 0], [10, -5]] }]);
  assert.match(wide.lines[0].d, new RegExp(`L${800 - PAD.right},`));
});

test('bars rise from zero and negative ones hang below it; labels thin out on a narrow plot', () => {
  const { bars, axes } = barPlot(SIZE, ['a', 'b', 'c'], [2, -2, 0]);
  assert.is(axes.zero, PAD.top + (SIZE.height - PAD.top - PAD.bottom) / 2);
  assert.is(bars[0].y + bars[0].height, axes.zero);
  assert.is(bars[1].y, axes.zero);
  assert.ok(bars[1].negative);
  assert.is(bars[2].height, 0);
  assert.is(bars[1].title, 'b: -2');
  assert.is(axes.xLabels.length, 3);
  const hours = barPlot({ width: 300, height: 100 }, Array.from({ length: 24 }, (_, i) => String(i)), new Array(24).fill(1));
  assert.ok(hours.axes.xLabels.length < 24 && hours.axes.xLabels.length >= 6, `${hours.axes.xLabels.length} labels`);
});

test('scatter dots are placed on both value axes with zero in range', () => {
  const { dots, axes } = scatterPlot(SIZE, [[10, -5], [20, 5]]);
  assert.equal(dots[1], { cx: SIZE.width - PAD.right, cy: PAD.top });
  assert.is(dots[0].cy, SIZE.height - PAD.bottom);
  assert.equal(axes.xLabels.map((l) => l.label), ['0', '20']);
});

test('drawdown is the percent below the running equity peak', () => {
  assert.equal(drawdownSeries([[1, 100, 100], [2, 100, 90], [3, 100, 120], [4, 100, 60]]), [[1, 0], [2, -10], [3, 0], [4, -50]]);
});

test.run();
