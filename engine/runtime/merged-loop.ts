import type { SymbolActor } from '../actor/symbol-actor.ts';
import { nextSource, runLength, type MergeSource } from './bar-merge.ts';
import type { TradingEngine } from './trading-engine.ts';

/** The session clock a merged run writes: a class, so per-bar writes stay unboxed. */
export class MergedClock {
  /** Close time of the bar being processed. */
  now = 0.5;
  bars = 0;
}

/**
 * Several symbols' bars through one engine (one account, one governor, one broker) in the
 * merge order of `bar-merge.ts`: each step runs the longest range of one symbol's bars that
 * closes before any other symbol's next bar, through `processBars` (the same per-bar path a
 * single-symbol backtest takes). `onProgress` is called each time `every` more bars are done.
 */
export function runMerged(engine: TradingEngine, actors: readonly SymbolActor[], sources: readonly MergeSource[], clock: MergedClock,
  every: number, onProgress?: (bars: number) => void): void {
  let nextReport = clock.bars - (clock.bars % every) + every;
  for (;;) {
    const k = nextSource(sources);
    if (k < 0) break;
    const source = sources[k];
    const n = runLength(sources, k);
    engine.processBars(actors[k], source.series, source.next, source.next + n, clock);
    source.next += n;
    clock.bars += n;
    if (clock.bars >= nextReport) {
      nextReport = clock.bars - (clock.bars % every) + every;
      onProgress?.(clock.bars);
    }
  }
}
