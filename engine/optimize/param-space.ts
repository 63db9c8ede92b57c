import { parseNumberCell } from '../data/data-error.ts';
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
  const parsed = values.map((raw) => listValue(spec, raw));
  if (new Set(parsed.map(String)).size !== parsed.length) throw new ParamError(`--param "${spec}": the list repeats a value`);
  return { name, values: parsed };
}

/**
 * A list item: `true`/`false`, a decimal number, or else a string. A number written any other
 * way `Number()` reads (`0x1A`, `0b11`, `0o7`) is refused, as a data file's cells refuse it:
 * `x=1,0x1` must not become a list repeating 1.
 */
function listValue(spec: string, raw: string): ParamValue {
  if (raw === 'true') return true;
  if (raw === 'false') return false;
  const n = parseNumberCell(raw);
  if (n !== undefined) return n;
  if (Number.isFinite(Number(raw))) throw new ParamError(`--param "${spec}": ${name(spec)}'s value "${raw}" is not a decimal number (write it as 26, 0.5 or 1e-3)`);
  return raw;
}

/**
 * An inclusive range in exact decimal arithmetic: from, to and step are read as decimals
 * (scaled integers), so 0.1:0.3:0.1 is 0.1, 0.2, 0.3 and 1e-13:5e-13:1e-13 five distinct
 * values, with no cap on the decimals; each value is then the double nearest its decimal.
 */
function parseRange(spec: string, body: string): number[] {
  const parts = body.split(':').map((p) => p.trim());
  if (parts.length !== 3) throw new ParamError(`--param "${spec}": a range is from:to:step (three numbers)`);
  const [from, to, step] = parts.map((p) => parseNumberCell(p));
  if (from === undefined || to === undefined || step === undefined) {
    const k = parts.findIndex((p) => parseNumberCell(p) === undefined);
    const bad = parts[k];
    // 0x10 is a number to `Number()` but not to a data file's cells: say so rather than "not a number".
    if (bad !== '' && Number.isFinite(Number(bad))) throw new ParamError(`--param "${spec}": ${name(spec)}'s ${['from', 'to', 'step'][k]} "${bad}" is not a decimal number (write it as 26, 0.5 or 1e-3)`);
    throw new ParamError(`--param "${spec}": from, to and step must be numbers`);
  }
  if (!(step > 0)) throw new ParamError(`--param "${spec}": step must be positive, got ${parts[2]}`);
  if (to < from) throw new ParamError(`--param "${spec}": the range ends (${to}) before it starts (${from})`);
  const [f, t, st] = parts.map(exactDecimal);
  // 1e-400 reads as 0: past a double's range the decimals mean nothing (and 10^1e8 would not fit in memory).
  if ([f, t, st].some((d) => d.scale > MAX_SCALE)) throw new ParamError(`--param "${spec}": ${name(spec)} needs more than ${MAX_SCALE} decimals, more than a number holds`);
  const scale = Math.max(f.scale, t.scale, st.scale);
  const [F, T, S] = [f, t, st].map((d) => d.units * 10n ** BigInt(scale - d.scale));
  const count = (T - F) / S + 1n;
  if (count > BigInt(MAX_AXIS)) throw new ParamError(`--param "${spec}": ${count.toLocaleString('en-US')} values is more than ${MAX_AXIS.toLocaleString('en-US')}`);
  const values = Array.from({ length: Number(count) }, (_, k) => Number(decimalText(F + BigInt(k) * S, scale)));
  // A double holds about 16 significant digits: 1:1.0000000000000000001:1e-19 would run 1 twice.
  for (let k = 1; k < values.length; k++) {
    if (values[k] === values[k - 1]) throw new ParamError(`--param "${spec}": ${name(spec)} would take the value ${values[k]} twice (a number holds about 16 significant digits); use a coarser step`);
  }
  return values;
}

/** Decimals a range may carry: a double's smallest value is about 5e-324. */
const MAX_SCALE = 330;

function name(spec: string): string {
  return spec.slice(0, spec.indexOf('=')).trim();
}

/** A decimal as typed (`-2.5e-3`) as an integer and a power of ten: -25 and 4. */
function exactDecimal(text: string): { units: bigint; scale: number } {
  const m = /^([+-]?)(\d*)(?:\.(\d*))?(?:e([+-]?\d+))?$/i.exec(text)!;
  const fraction = m[3] ?? '';
  const exponent = m[4] ? Number(m[4]) : 0;
  let scale = fraction.length - exponent;
  if (scale > MAX_SCALE) return { units: 0n, scale };
  let units = BigInt(`${m[1]}${m[2] || '0'}${fraction}`);
  if (scale < 0) {
    units *= 10n ** BigInt(-scale);
    scale = 0;
  }
  return { units, scale };
}

/** `units / 10^scale` written out as a decimal (`-25`, 4 -> `-0.0025`). */
function decimalText(units: bigint, scale: number): string {
  const sign = units < 0n ? '-' : '';
  const digits = (units < 0n ? -units : units).toString().padStart(scale + 1, '0');
  return scale === 0 ? `${sign}${digits}` : `${sign}${digits.slice(0, -scale)}.${digits.slice(-scale)}`;
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
