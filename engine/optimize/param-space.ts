import type { Strategy } from '../strategy/strategy.ts';
import { validateStrategyConfig } from '../strategy/plugin-loader.ts';

/** A parameter value a search can try: numbers from ranges, or list items (numbers, strings, booleans). */
export type ParamValue = number | string | boolean;
/** One combination: parameter name -> value; merged over the strategy's base config for a trial. */
export type ParamSet = Readonly<Record<string, ParamValue>>;

/** A bad `--param` or a value the plugin's codec refuses: the CLI prints it and exits 2. */
export class ParamError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ParamError';
  }
}

export interface ParamAxis {
  readonly name: string;
  readonly values: readonly ParamValue[];
}

/** `fast` (every symbol whose strategy has it) or `EURUSD.fast` (one symbol), as `--set` spells them. */
const PARAM_NAME = /^(?:[A-Za-z0-9._#+-]{1,32}\.)?[A-Za-z_][A-Za-z0-9_]*$/;

/** Ranges larger than this are refused: a typo such as `0:1e9:1` should not try to allocate. */
const MAX_AXIS = 1_000_000;

/**
 * Trials one search runs at most: a grid of more combinations (the product of the axes), or
 * `--trials` above it, is refused before anything runs. Planning a grid looks at every
 * combination once, and a million trials is already hours of backtests.
 */
export const MAX_TRIALS = 1_000_000;

/** A grid search over more than MAX_TRIALS combinations: refused, naming the ranges. */
export class GridTooLargeError extends ParamError {
  constructor(readonly axes: readonly { readonly name: string; readonly spec: string; readonly count: number }[], readonly size: number) {
    super(`${axes.map((a) => `--param ${a.name}=${a.spec}`).join(' ')}: ${tooLarge(axes, size)}; use --method random or --method genetic with --trials, or coarser steps`);
    this.name = 'GridTooLargeError';
  }

  /** The same refusal as `start_optimisation` fields spell it. */
  forSocket(): string {
    return `ranges ${this.axes.map((a) => `${a.name} (${a.spec})`).join(', ')}: ${tooLarge(this.axes, this.size)}; use method "random" or "genetic" with trials, or coarser steps`;
  }
}

/** `a grid of 3,000 x 3,000 = 9,000,000 combinations is more than a grid search runs (1,000,000)`. */
function tooLarge(axes: readonly { readonly count: number }[], size: number): string {
  const n = (x: number) => x.toLocaleString('en-US');
  return `a grid of ${axes.map((a) => n(a.count)).join(' x ')} = ${n(size)} combinations is more than a grid search runs (${n(MAX_TRIALS)})`;
}

/**
 * Parses one `--param` spec: `name=from:to:step` (inclusive numeric range) or `name=a,b,c`
 * (a list; numbers stay numbers, `true`/`false` become booleans, anything else a string).
 * The name is a strategy parameter (`fast`) or one symbol's (`EURUSD.fast`).
 *
 * @example
 * parseParam('fast=5:50:5').values.length; // 10
 * parseParam('mode=fast,slow').values;     // ['fast', 'slow']
 */
export function parseParam(spec: string): ParamAxis {
  const eq = spec.indexOf('=');
  if (eq <= 0) throw new ParamError(`--param "${spec}": expected name=from:to:step or name=a,b,c`);
  const name = spec.slice(0, eq).trim();
  const body = spec.slice(eq + 1).trim();
  if (!PARAM_NAME.test(name)) throw new ParamError(`--param "${spec}": "${name}" is not a parameter name (NAME, or SYMBOL.NAME for one symbol)`);
  if (body === '') throw new ParamError(`--param "${spec}": no values after "="`);
  if (body.includes(':')) return { name, values: parseRange(spec, body) };
  const values = body.split(',').map((raw) => raw.trim());
  if (values.some((v) => v === '')) throw new ParamError(`--param "${spec}": empty item in the list`);
  const parsed = values.map(listValue);
  if (new Set(parsed.map(String)).size !== parsed.length) throw new ParamError(`--param "${spec}": the list repeats a value`);
  return { name, values: parsed };
}

function listValue(raw: string): ParamValue {
  if (raw === 'true') return true;
  if (raw === 'false') return false;
  const n = Number(raw);
  return Number.isFinite(n) ? n : raw;
}

function parseRange(spec: string, body: string): number[] {
  const parts = body.split(':');
  if (parts.length !== 3) throw new ParamError(`--param "${spec}": a range is from:to:step (three numbers)`);
  const [from, to, step] = parts.map(Number);
  if (![from, to, step].every(Number.isFinite)) throw new ParamError(`--param "${spec}": from, to and step must be numbers`);
  if (!(step > 0)) throw new ParamError(`--param "${spec}": step must be positive, got ${parts[2]}`);
  if (to < from) throw new ParamError(`--param "${spec}": the range ends (${to}) before it starts (${from})`);
  // A small tolerance so 0.1:0.5:0.1 includes 0.5 despite binary fractions.
  const count = Math.floor((to - from) / step + 1e-9) + 1;
  if (count > MAX_AXIS) throw new ParamError(`--param "${spec}": ${count} values is more than ${MAX_AXIS.toLocaleString('en-US')}`);
  const decimals = Math.max(decimalsOf(parts[0]), decimalsOf(parts[2]));
  const values = Array.from({ length: count }, (_, k) => Number((from + k * step).toFixed(decimals)));
  // Rounding to more than 12 decimals (a step of 1e-13) could merge neighbours: a grid would run one value twice.
  for (let k = 1; k < values.length; k++) {
    if (values[k] === values[k - 1]) throw new ParamError(`--param "${spec}": ${name(spec)} would take the value ${values[k]} twice once rounded to ${decimals} decimals; use a coarser step`);
  }
  return values;
}

function name(spec: string): string {
  return spec.slice(0, spec.indexOf('=')).trim();
}

/**
 * Decimals a number as typed carries, exponent included: `0.25` 2, `1e-1` 1, `2.5e-3` 4,
 * `1.5e2` 0. Values in a range are rounded to them so 0.1:0.5:0.1 gives 0.3, not 0.30000000000000004.
 */
export function decimalsOf(text: string): number {
  const m = /^[+-]?(\d*)(?:\.(\d*))?(?:e([+-]?\d+))?$/i.exec(text.trim());
  if (!m) return 12;
  const fraction = m[2]?.length ?? 0;
  const exponent = m[3] ? Number(m[3]) : 0;
  return Math.min(12, Math.max(0, fraction - exponent));
}

/**
 * The grid of every combination of the axes, addressed by an index (mixed radix, the last
 * axis fastest) so searches, trial ids and workers pass numbers, not objects.
 */
export class ParamSpace {
  readonly size: number;
  private readonly radix: number[];

  constructor(readonly axes: readonly ParamAxis[]) {
    if (axes.length === 0) throw new ParamError('no --param given: name at least one parameter to search');
    const names = new Set<string>();
    for (const a of axes) {
      if (names.has(a.name)) throw new ParamError(`--param ${a.name} is given twice`);
      names.add(a.name);
    }
    this.radix = axes.map((a) => a.values.length);
    this.size = this.radix.reduce((p, n) => p * n, 1);
    if (!Number.isSafeInteger(this.size)) throw new ParamError(`the grid has more than 2^53 combinations`);
  }

  get names(): string[] {
    return this.axes.map((a) => a.name);
  }

  /** Index of each axis's value for grid index `index`. */
  digits(index: number): number[] {
    const out = new Array<number>(this.radix.length);
    for (let k = this.radix.length - 1; k >= 0; k--) {
      out[k] = index % this.radix[k];
      index = Math.floor(index / this.radix[k]);
    }
    return out;
  }

  indexOf(digits: readonly number[]): number {
    let index = 0;
    for (let k = 0; k < this.radix.length; k++) index = index * this.radix[k] + digits[k];
    return index;
  }

  radixOf(axis: number): number {
    return this.radix[axis];
  }

  at(index: number): ParamSet {
    const d = this.digits(index);
    const out: Record<string, ParamValue> = {};
    this.axes.forEach((a, k) => (out[a.name] = a.values[d[k]]));
    return out;
  }
}

/**
 * Checks the axes against the strategy: every name must be a field of its config, and every
 * value must pass the plugin's own codec. Errors name the parameter, the value and the reason.
 */
export function validateAxes(strategy: Strategy, axes: readonly ParamAxis[]): void {
  const defaults = strategy.defaultConfig as Record<string, unknown> | null;
  const known = defaults && typeof defaults === 'object' ? Object.keys(defaults) : [];
  for (const axis of axes) {
    if (!known.includes(axis.name)) {
      throw new ParamError(`--param ${axis.name}: "${strategy.id}" has no parameter "${axis.name}"; its parameters: ${known.join(', ') || '(none)'}`);
    }
    for (const value of axis.values) {
      try {
        validateStrategyConfig(strategy, { [axis.name]: value });
      } catch (err) {
        throw new ParamError(`--param ${axis.name}=${value}: ${(err as Error).message}`);
      }
    }
  }
}
