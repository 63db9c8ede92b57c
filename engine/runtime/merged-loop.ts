import type { SymbolActor } from '../actor/symbol-actor.ts';
import { StepMerge, type MergeSource } from './bar-merge.ts';
import type { TradingEngine } from './trading-engine.ts';

/** The session clock a merged run writes: a class, so per-bar writes stay unboxed. */
export class MergedClock {
  /** Time of the step being processed (a bar's close, or its open for an OPEN step). */
  now = 0.5;
  bars = 0;
}

/**
 * Several symbols' bars through one engine (one account, one governor, one broker) in the
 * step order of `bar-merge.ts`. Bars with no other symbol's step between their open and their
 * close run whole, as a range through `processBars` (the per-bar path a single-symbol backtest
 * takes); any other bar runs as its OPEN step (`TradingEngine.openStep`) and, later, its CLOSE
 * step (`closeStep`). After each, the session has reached that close (`EventFactory.reach`):
 * an event learnt later is stamped no earlier, whether or not the run logs BAR events. `onProgress` is called each time `every` more bars are done. With
 * `until`, it returns false once `until` bars are done (between steps; resume with the same
 * `merge`), true when every bar has run.
 */
export function runMerged(engine: TradingEngine, actors: readonly SymbolActor[], sources: readonly MergeSource[], clock: MergedClock,
  every: number, onProgress?: (bars: number) => void, merge: StepMerge = new StepMerge(sources), until = Number.POSITIVE_INFINITY): boolean {
  let nextReport = clock.bars - (clock.bars % every) + every;
  for (;;) {
    // A caller that lets others run between slices resumes with the same `merge`.
    if (clock.bars >= until) return false;
    const k = merge.first();
    if (k < 0) return true;
    const source = sources[k];
    const series = source.series;
    const i = source.next;
    if (source.opened) {
      clock.now = merge.closeTimeOf(k);
      engine.closeStep(actors[k], series, i);
      engine.events.reach(clock.now);
      merge.closed(k);
      clock.bars++;
    } else {
      // After an OPEN step moved the equity, the next close is sampled whatever it is: bars run as steps until then.
      const n = engine.sampleDue ? 0 : merge.wholeBars(k);
      if (n === 0) {
        clock.now = series.time[i];
        engine.openStep(actors[k], series.time[i], series.open[i], series.spread ? series.spread[i] : Number.NaN);
        merge.opened(k);
        continue;
      }
      engine.processBars(actors[k], series, i, i + n, clock);
      engine.events.reach(clock.now);
      merge.ran(k, n);
      clock.bars += n;
    }
    if (clock.bars >= nextReport) {
      nextReport = clock.bars - (clock.bars % every) + every;
      onProgress?.(clock.bars);
    }
  }
}
