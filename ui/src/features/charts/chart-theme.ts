import { ColorType, type DeepPartial, type ChartOptions } from 'lightweight-charts';

/** Chart colours read from the workbench's CSS variables, so charts follow the theme. */
export function chartOptions(element: HTMLElement): DeepPartial<ChartOptions> {
  const css = getComputedStyle(element);
  const v = (name: string) => css.getPropertyValue(name).trim() || undefined;
  return {
    autoSize: true,
    layout: { background: { type: ColorType.Solid, color: v('--editor-bg') ?? '#1e1e1e' }, textColor: v('--fg') ?? '#ccc', attributionLogo: false },
    grid: { vertLines: { color: v('--grid') ?? '#2f2f2f' }, horzLines: { color: v('--grid') ?? '#2f2f2f' } },
    rightPriceScale: { borderColor: v('--border') },
    timeScale: { borderColor: v('--border'), timeVisible: true, secondsVisible: false },
    crosshair: { mode: 0 },
  };
}

/** The theme's colour for a name, for series styling. */
export function cssColor(element: HTMLElement, name: string, fallback: string): string {
  return getComputedStyle(element).getPropertyValue(name).trim() || fallback;
}

export interface LinePoint {
  readonly time: number;
  readonly value: number;
  readonly color?: string;
}
