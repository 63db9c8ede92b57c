import { mulberry32, randomBelow } from '../data/seeded-random.ts';
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
  /**
   * Why the search ended before running the trials asked for, once `next` has returned null
   * (the genetic search converged, or could breed no combination not yet run); undefined when
   * it ran them all or the caller stopped it.
   */
  endNote?(): string | undefined;
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
 * Makes a search. Grid and random may scan the whole grid (one `valid` call a combination):
 * where an event loop must stay free, use `prepareSearch`.
 *
 * @example
 * const search = createSearch(space, (i) => valid(space.at(i)), { method: 'genetic', trials: 500, seed: 7 });
 */
export function createSearch(space: ParamSpace, valid: (index: number) => boolean, options: SearchOptions): Search {
  switch (options.method) {
    case 'grid': return gridSearch(space, valid);
    case 'random': return listSearch(runToEnd(randomPicks(space, valid, options.trials ?? 100, options.seed ?? 1)).picked);
    case 'genetic': return new GeneticSearch(space, valid, { ...options.genetic, trials: options.trials ?? 1_000, seed: options.seed ?? 1 });
  }
}

/** A search and the trials it plans (the genetic search's budget is an upper bound). */
export interface PreparedSearch {
  readonly search: Search;
  readonly planned: number;
  /** Why a random search plans fewer trials than `--trials` asked for (only so many combinations pass the constraints). */
  readonly note?: string;
}

/**
 * `createSearch` and the number of trials it plans, with the grid's scans done in slices that
 * let the event loop run between them: a server answering other clients meanwhile. The same
 * combinations in the same order as `createSearch` gives.
 *
 * @example
 * const { search, planned } = await prepareSearch(space, valid, { method: 'grid' });
 */
export async function prepareSearch(space: ParamSpace, valid: (index: number) => boolean, options: SearchOptions, signal?: AbortSignal): Promise<PreparedSearch> {
  switch (options.method) {
    case 'grid': {
      const indices = await runSliced(validIndices(space, valid), signal);
      return { search: listSearch(indices), planned: indices.length };
    }
    case 'random': {
      const asked = options.trials ?? 100;
      const draw = await runSliced(randomPicks(space, valid, asked, options.seed ?? 1), signal);
      return { search: listSearch(draw.picked), planned: draw.picked.length, ...(draw.picked.length < asked && !signal?.aborted ? { note: shortfall(draw, asked, space.size) } : {}) };
    }
    case 'genetic': {
      const trials = options.trials ?? 1_000;
      return { search: createSearch(space, valid, options), planned: Math.min(trials, space.size) };
    }
  }
}

/** Every valid combination in grid order, scanned lazily batch by batch. */
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

/** `valid` calls between two turns of the event loop in `prepareSearch` (about 20 ms of them). */
const SLICE = 20_000;

/** The valid indices in grid order; yields every SLICE combinations scanned. */
function* validIndices(space: ParamSpace, valid: (index: number) => boolean): Generator<void, number[]> {
  const all: number[] = [];
  for (let i = 0; i < space.size; i++) {
    if (valid(i)) all.push(i);
    if (i % SLICE === SLICE - 1) yield;
  }
  return all;
}

/** Grids up to this size are enumerated for a random draw (exact and uniform). */
const ENUMERATE = 4_000_000;
/** Grids up to this size are scanned once (a reservoir sample) when rejection finds too few: about a minute at most. */
const SCAN = 64_000_000;

/** A random search's draw: the picks, and how many valid combinations exist when the whole grid was looked at. */
interface RandomDraw {
  readonly picked: number[];
  /** Every valid combination counted (the grid enumerated or scanned); null when only sampled. */
  readonly validCount: number | null;
  /** Draws made when sampled by rejection alone. */
  readonly draws: number;
}

/**
 * `trials` distinct valid combinations drawn uniformly with a seeded generator (the same seed
 * draws the same ones). Grids up to a few million are enumerated and shuffled, so the draw is
 * exact; larger ones are sampled by rejection, and when the constraints leave too few valid
 * combinations for that to find (1 in 200,000, say) a grid of up to 64 million is scanned once
 * with a reservoir sample, which is exact again. Yields every SLICE combinations looked at.
 */
function* randomPicks(space: ParamSpace, valid: (index: number) => boolean, trials: number, seed: number): Generator<void, RandomDraw> {
  const rng = mulberry32(seed);
  if (space.size <= ENUMERATE) {
    const all = yield* validIndices(space, valid);
    return { picked: shuffledHead(all, trials, rng), validCount: all.length, draws: 0 };
  }
  const seen = new Set<number>();
  const budget = Math.max(trials * 100, 1_000_000);
  let tries = 0;
  for (; seen.size < trials && tries < budget; tries++) {
    const i = randomBelow(rng, space.size);
    if (!seen.has(i) && valid(i)) seen.add(i);
    if (tries % SLICE === SLICE - 1) yield;
  }
  if (seen.size >= trials || space.size > SCAN) return { picked: [...seen], validCount: null, draws: tries };
  // Algorithm R: after the scan each valid combination is in the reservoir with the same chance.
  const reservoir: number[] = [];
  let count = 0;
  for (let i = 0; i < space.size; i++) {
    if (valid(i)) {
      count++;
      if (reservoir.length < trials) reservoir.push(i);
      else {
        const j = Math.floor(rng() * count);
        if (j < trials) reservoir[j] = i;
      }
    }
    if (i % SLICE === SLICE - 1) yield;
  }
  return { picked: shuffledHead(reservoir, trials, rng), validCount: count, draws: 0 };
}

/** Partial Fisher-Yates: the first n slots are a uniform sample without replacement, in random order. */
function shuffledHead(all: number[], trials: number, rng: () => number): number[] {
  const n = Math.min(trials, all.length);
  for (let k = 0; k < n; k++) {
    const j = k + Math.floor(rng() * (all.length - k));
    [all[k], all[j]] = [all[j], all[k]];
  }
  return all.slice(0, n);
}

/** `random search: only 45 of the 10,000,000 combinations pass the constraints; all 45 run (--trials asked for 100)`. */
function shortfall(draw: RandomDraw, asked: number, size: number): string {
  const n = (x: number) => x.toLocaleString('en-US');
  const got = draw.picked.length;
  if (draw.validCount !== null) {
    return `random search: only ${n(draw.validCount)} of the ${n(size)} combinations pass the constraints; ${got === 1 ? 'it runs' : `all ${n(got)} run`} (${n(asked)} trials were asked for)`;
  }
  return `random search: ${n(draw.draws)} random draws from the ${n(size)} combinations found only ${n(got)} that pass the constraints, so ${n(got)} of the ${n(asked)} trials asked for run (the grid is too large to scan; loosen the constraints or narrow the ranges)`;
}

/** The given combinations in order, in batches. */
function listSearch(picked: readonly number[]): Search {
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

function runToEnd<T>(work: Generator<void, T>): T {
  for (;;) {
    const step = work.next();
    if (step.done) return step.value;
  }
}

/** Runs `work` a slice at a time, letting other callbacks run between slices; stops early (empty) when aborted. */
async function runSliced<T>(work: Generator<void, T>, signal?: AbortSignal): Promise<T> {
  for (;;) {
    const step = work.next();
    if (step.done) return step.value;
    await new Promise<void>((resolve) => setImmediate(resolve));
    if (signal?.aborted) return work.return([] as T).value as T;
  }
}
