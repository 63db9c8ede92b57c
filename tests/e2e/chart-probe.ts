import type { Locator } from 'playwright-core';

export interface DrawnChart {
  readonly name: string | null;
  /** Marks (lines, bars, dots) with a non-empty box: what the user actually sees drawn. */
  readonly drawn: number;
  readonly marks: number;
  readonly width: number;
  readonly height: number;
  /** Width of the box the chart sits in: a chart that follows its container matches it. */
  readonly boxWidth: number;
  readonly legend: string[];
}

/** Every `[data-chart]` figure under `scope` with its SVG's drawn marks and laid-out size. */
export function drawnCharts(scope: Locator): Promise<DrawnChart[]> {
  return scope.locator('[data-chart]').evaluateAll((figures) => figures.map((figure) => {
    const svg = figure.querySelector('svg');
    const marks = svg ? [...svg.querySelectorAll('.mark')] : [];
    const drawn = marks.filter((m) => {
      const box = (m as SVGGraphicsElement).getBBox();
      return box.width > 0 || box.height > 0;
    });
    const rect = svg?.getBoundingClientRect();
    return {
      name: figure.getAttribute('data-chart'),
      drawn: drawn.length,
      marks: marks.length,
      width: rect?.width ?? 0,
      height: rect?.height ?? 0,
      boxWidth: svg?.parentElement?.getBoundingClientRect().width ?? 0,
      legend: [...figure.querySelectorAll('[data-legend] .key')].map((k) => `${(k as HTMLElement).innerText}|${getComputedStyle(k.querySelector('i')!).backgroundColor}`),
    };
  }));
}
