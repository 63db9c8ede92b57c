import type { SymbolView } from '../../core/state.ts';
import { weekAnchor } from '../../core/time.ts';

/**
 * The trading week the market is in, live or replayed: the week of the latest bar or entry any
 * symbol has seen (a week with bars and no entry is "this week" too, with 0 entries).
 */
export function currentWeekAnchor(views: Iterable<SymbolView>): number {
  let latest = 0;
  for (const view of views) {
    const bar = view.candles[view.candles.length - 1]?.time ?? 0;
    latest = Math.max(latest, bar, view.week.anchor);
  }
  return latest > 0 ? weekAnchor(latest) : 0;
}

/** A symbol's own entries in the current week: the one figure the explorer and the editor both show. */
export function entriesThisWeek(view: SymbolView, currentWeek: number): number {
  return view.week.anchor === currentWeek ? view.week.entries : 0;
}
