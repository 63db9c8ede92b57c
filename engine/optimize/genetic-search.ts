import { mulberry32, randomBelow } from '../data/seeded-random.ts';
import type { ParamSpace } from './param-space.ts';
import type { Search } from './search.ts';

export interface GeneticOptions {
  /** Combinations run at most. */
  readonly trials: number;
  readonly seed: number;
  /** Individuals per generation (default 32). */
  readonly population?: number;
  /** Stop after this many generations without a better best (default 10). */
  readonly stall?: number;
  /** Probability that a gene (a parameter's value index) mutates (default 1 / parameters). */
  readonly mutation?: number;
}

/**
 * A genetic search over the grid's discrete values, as MetaTrader 5's tester does it: a seeded
 * random first generation; then each generation keeps the best individuals seen so far
 * (elitism), picks parents by tournament, crosses them gene by gene and mutates genes (a step
 * to a neighbouring value or a jump to any value). A child that was already run, is invalid or
 * repeats one in its generation is mutated again rather than run twice. Stops at the trial
 * budget, after `stall` generations without improvement, or when no new child can be bred.
 * The same seed and the same scores give the same sequence of generations.
 */
export class GeneticSearch implements Search {
  private readonly rng: () => number;
  private readonly seen = new Set<number>();
  private readonly scores = new Map<number, number>();
  private readonly population: number;
  private readonly stall: number;
  private readonly mutation: number;
  private generation: number[] = [];
  private best = -Infinity;
  private stalled = 0;
  private started = false;
  private ended: string | undefined;

  constructor(private readonly space: ParamSpace, private readonly valid: (index: number) => boolean, private readonly options: GeneticOptions) {
    this.rng = mulberry32(options.seed);
    this.population = Math.max(2, options.population ?? 32);
    this.stall = options.stall ?? 10;
    this.mutation = options.mutation ?? 1 / space.axes.length;
  }

  next(): number[] | null {
    if (this.ended !== undefined) return null;
    const budget = this.options.trials - this.seen.size;
    if (budget <= 0) return null;
    if (this.started) {
      const bestNow = Math.max(-Infinity, ...this.generation.map((i) => this.scores.get(i) ?? -Infinity));
      if (bestNow > this.best) {
        this.best = bestNow;
        this.stalled = 0;
      } else if (++this.stalled >= this.stall) {
        return this.end(`${this.stall} generation${this.stall === 1 ? '' : 's'} in a row found no better score than the best so far (the search converged)`);
      }
    }
    const size = Math.min(this.population, budget);
    const batch = this.started ? this.breed(size) : this.randomUnseen(size);
    this.started = true;
    for (const i of batch) this.seen.add(i);
    this.generation = batch;
    if (batch.length > 0) return batch;
    return this.end(`no combination that passes the constraints and was not run yet could be bred or drawn (${count(this.space.size)} combinations in the grid)`);
  }

  endNote(): string | undefined {
    return this.ended;
  }

  /** Ends the search before its budget, saying why (with how many of the trials asked for ran). */
  private end(why: string): null {
    const ran = this.seen.size;
    this.ended = `genetic search: stopped after ${count(ran)} of the ${count(this.options.trials)} trials asked for: ${why}`;
    return null;
  }

  tell(index: number, score: number): void {
    this.scores.set(index, Number.isNaN(score) ? -Infinity : score);
  }

  /** The best individuals seen so far, best first; ties by grid index so order never depends on timing. */
  private elite(): number[] {
    return [...this.scores.entries()]
      .sort((a, b) => b[1] - a[1] || a[0] - b[0])
      .slice(0, this.population)
      .map(([i]) => i);
  }

  private breed(size: number): number[] {
    const parents = this.elite();
    const children: number[] = [];
    const taken = new Set<number>();
    for (let attempts = 0; children.length < size && attempts < size * 50; attempts++) {
      const a = this.space.digits(this.tournament(parents));
      const b = this.space.digits(this.tournament(parents));
      const child = a.map((gene, k) => (this.rng() < 0.5 ? gene : b[k]));
      let index = this.space.indexOf(this.mutate(child));
      // A child already run: mutate it further rather than run it again.
      for (let tries = 0; tries < 20 && (this.seen.has(index) || taken.has(index) || !this.valid(index)); tries++) {
        index = this.space.indexOf(this.mutate(this.space.digits(index), true));
      }
      if (this.seen.has(index) || taken.has(index) || !this.valid(index)) continue;
      taken.add(index);
      children.push(index);
    }
    if (children.length < size) children.push(...this.randomUnseen(size - children.length, taken));
    return children;
  }

  private tournament(parents: readonly number[]): number {
    const a = parents[Math.floor(this.rng() * parents.length)];
    const b = parents[Math.floor(this.rng() * parents.length)];
    const sa = this.scores.get(a) ?? -Infinity;
    const sb = this.scores.get(b) ?? -Infinity;
    return sa > sb || (sa === sb && a < b) ? a : b;
  }

  private mutate(digits: number[], force = false): number[] {
    const forced = force ? Math.floor(this.rng() * digits.length) : -1;
    return digits.map((d, k) => {
      if (k !== forced && this.rng() >= this.mutation) return d;
      const radix = this.space.radixOf(k);
      if (radix === 1) return d;
      // Mostly a step to a neighbour (local refinement), sometimes a jump anywhere (exploration).
      if (this.rng() < 0.7) {
        const step = this.rng() < 0.5 ? -1 : 1;
        return Math.min(radix - 1, Math.max(0, d + step * (1 + Math.floor(this.rng() * 2))));
      }
      return Math.floor(this.rng() * radix);
    });
  }

  private randomUnseen(count: number, taken: Set<number> = new Set()): number[] {
    const out: number[] = [];
    for (let tries = 0; out.length < count && tries < count * 200; tries++) {
      const i = randomBelow(this.rng, this.space.size);
      if (this.seen.has(i) || taken.has(i) || !this.valid(i)) continue;
      taken.add(i);
      out.push(i);
    }
    return out;
  }
}

function count(n: number): string {
  return n.toLocaleString('en-US');
}
