import { mulberry32 } from '../data/seeded-random.ts';
import type { ParamSpace } from './param-space.ts';
import { GeneticSearch, type GeneticOptions } from './genetic-search.ts';

/**
 * A search over a grid's combinations, by grid index. `next` gives the combinations to run
 * (all of a batch may run in parallel), or null when the search is over; the caller reports
 * each one's score with `tell` before asking again (the genetic search breeds from them).
 * No search returns a combination twice or one that fails `valid`.
 */
export interface Search {
  next(): number[] | null;
  tell(index: number, score: number): void;
  /**
   * True when no score changes what comes next (grid, random): the next batch may be asked for
   * before this one's scores are told, so an executor never runs dry between batches.
   */
  readonly independent?: boolean;
}

export type SearchMethod = 'grid' | 'random' | 'genetic';

export interface SearchOptions {
  readonly method: SearchMethod;
  /** Random and genetic: how many combinations to run at most (grid: all valid ones). */
  readonly trials?: number;
  readonly seed?: number;
  readonly genetic?: Omit<GeneticOptions, 'trials' | 'seed'>;
}

/** Grid batches are this large so progress, Ctrl-C and memory stay fine-grained. */
const GRID_BATCH = 2_048;

/**
 * Makes a search.
 *
 * @example
 * const search = createSearch(space, (i) => valid(space.at(i)), { method: 'genetic', trials: 500, seed: 7 });
 */
export function createSearch(space: ParamSpace, valid: (index: number) => boolean, options: SearchOptions): Search {
  switch (options.method) {
    case 'grid': return gridSearch(space, valid);
    case 'random': return randomSearch(space, valid, options.trials ?? 100, options.seed ?? 1);
    case 'genetic': return new GeneticSearch(space, valid, { ...options.genetic, trials: options.trials ?? 1_000, seed: options.seed ?? 1 });
  }
}

/** Every valid combination in grid order. */
export function gridSearch(space: ParamSpace, valid: (index: number) => boolean): Search {
  let cursor = 0;
  return {
    next() {
      const batch: number[] = [];
      while (cursor < space.size && batch.length < GRID_BATCH) {
        if (valid(cursor)) batch.push(cursor);
        cursor++;
      }
      return batch.length > 0 ? batch : null;
    },
    tell() {},
    independent: true,
  };
}

/**
 * `trials` distinct valid combinations drawn uniformly with a seeded generator (the same seed
 * draws the same ones). Grids up to a few million are enumerated and shuffled, so the draw is
 * exact; larger ones are sampled by rejection.
 */
export function randomSearch(space: ParamSpace, valid: (index: number) => boolean, trials: number, seed: number): Search {
  const rng = mulberry32(seed);
  let picked: number[];
  if (space.size <= 4_000_000) {
    const all: number[] = [];
    for (let i = 0; i < space.size; i++) if (valid(i)) all.push(i);
    const n = Math.min(trials, all.length);
    // Partial Fisher-Yates: the first n slots are a uniform sample without replacement.
    for (let k = 0; k < n; k++) {
      const j = k + Math.floor(rng() * (all.length - k));
      [all[k], all[j]] = [all[j], all[k]];
    }
    picked = all.slice(0, n);
  } else {
    const seen = new Set<number>();
    for (let tries = 0; seen.size < trials && tries < trials * 100; tries++) {
      const i = Math.floor(rng() * space.size);
      if (!seen.has(i) && valid(i)) seen.add(i);
    }
    picked = [...seen];
  }
  let cursor = 0;
  return {
    next() {
      if (cursor >= picked.length) return null;
      const batch = picked.slice(cursor, cursor + GRID_BATCH);
      cursor += batch.length;
      return batch;
    },
    tell() {},
    independent: true,
  };
}
