// Builders for engine tests: hand-made bars on a real calendar and scripted strategies.
import * as t from 'io-ts';
import { createBarSeries, appendBar, type BarSeries, type Timeframe, TIMEFRAME_MS } from '../../engine/model/bar.ts';
import { defineStrategy, type Signal, type StrategyContext } from '../../engine/plugin-api.ts';
import type { LogEvent } from '../../protocol/index.ts';

/** Monday 1999-01-04 00:00 UTC: a plain forex week with no holidays in the way. */
export const MONDAY = Date.UTC(1999, 0, 4);
export const HOUR = 3_600_000;

/**
 * `count` bars from `start`, every `timeframe`, skipping the weekend gap (Friday 21:00 to
 * Sunday 21:00 UTC) as a real feed would (`weekends: true` keeps it: a 24/7 feed, as crypto).
 * `price(i)` gives each bar's close; open = previous close, high/low = max/min of both plus `range`.
 */
export function makeBars(count: number, price: (i: number) => number, options: { start?: number; timeframe?: Timeframe; range?: number; symbol?: string; weekends?: boolean } = {}): BarSeries {
  const timeframe = options.timeframe ?? 'H1';
  const step = TIMEFRAME_MS[timeframe];
  const range = options.range ?? 0.0005;
  const series = createBarSeries(options.symbol ?? 'USDCHF', timeframe, count);
  let time = options.start ?? MONDAY;
  let prev = price(0);
  for (let i = 0; i < count; i++) {
    while (options.weekends !== true && inWeekendGap(time)) time += step;
    const close = price(i);
    appendBar(series, { time, open: prev, high: Math.max(prev, close) + range, low: Math.min(prev, close) - range, close, volume: 1 });
    prev = close;
    time += step;
  }
  return series;
}

function inWeekendGap(time: number): boolean {
  const d = new Date(time);
  const day = d.getUTCDay();
  const hour = d.getUTCHours();
  return (day === 5 && hour >= 21) || day === 6 || (day === 0 && hour < 21);
}

/**
 * A strategy that buys on one bar and closes on the next, forever: an entry every two bars,
 * to drive the weekly limits. Stop 100 points below, no take-profit.
 */
export const flipFlop = defineStrategy<Record<string, never>>({
  id: 'flip-flop',
  description: 'buys, then closes on the next bar (tests)',
  configCodec: t.type({}) as unknown as t.Type<Record<string, never>>,
  defaultConfig: {},
  onBar(ctx: StrategyContext<Record<string, never>>): Signal {
    const c = ctx.bars.close[ctx.index];
    return ctx.position ? { direction: 'close' } : { direction: 'buy', stopLoss: c - 100 * ctx.spec.point, reason: 'scripted' };
  },
});

/** A strategy that plays back a script: `script[i]` is the signal on bar i. */
export function scripted(script: Record<number, Signal>) {
  return defineStrategy<Record<string, never>>({
    id: 'scripted',
    description: 'plays back a script (tests)',
    configCodec: t.type({}) as unknown as t.Type<Record<string, never>>,
    defaultConfig: {},
    onBar: (ctx) => script[ctx.index],
  });
}

/** Collects events and finds them by type. */
export function eventLog() {
  const events: LogEvent[] = [];
  return {
    events,
    push: (e: LogEvent) => void events.push(e),
    of<TType extends LogEvent['event_type']>(type: TType) {
      return events.filter((e): e is Extract<LogEvent, { event_type: TType }> => e.event_type === type);
    },
  };
}
