import { createHash } from 'node:crypto';
import type { ResolvedBot } from '../config/resolve-bot.ts';
import { canonical } from './run-spec.ts';
import { validFor, knownParams, validateBotAxes } from './bot-params.ts';
import { parseConstraint } from './constraints.ts';
import type { TrialExecutor } from './executor.ts';
import { DEFAULT_BAND, resolveObjective, type Objective, type WeeklyBand } from './objectives.ts';
import { optimise, rank, type TrialRecord } from './optimizer.ts';
import { overfittingReport, type OverfittingReport } from './overfitting/overfitting-report.ts';
import { GridTooLargeError, MAX_TRIALS, parseParam, ParamError, ParamSpace, type ParamAxis, type ParamSet, type ParamValue } from './param-space.ts';
import { declaredParams } from '../strategy/strategy-params.ts';
import type { SearchMethod, SearchOptions } from './search.ts';
import type { TrialInputs } from './trial.ts';
import { walkForward, type WalkForwardResult } from './walk-forward.ts';
import { commonSpan, parseWalkForward, tooShortMessage, walkForwardWindows, type CommonSpan, type WalkForwardPlan } from './walk-forward-windows.ts';

/** What to search, as the CLI's flags and the workbench's `start_optimisation` give it. */
export interface SearchRequest {
  /** `--param` specs: `fast=5:50:1`, `slow=20,40`, `EURUSD.fast=5:20:5`. */
  readonly params: readonly string[];
  readonly constraints?: readonly string[];
  readonly objective?: string;
  readonly method?: SearchMethod;
  readonly trials?: number;
  readonly seed?: number;
  readonly population?: number;
  /** `rolling:24:6` or `anchored:24:6`. */
  readonly walkForward?: string;
}

/** Individuals per genetic generation at most: breeding one costs up to a thousand `valid` calls. */
const MAX_POPULATION = 10_000;

/** A checked search: every problem was a ParamError naming the flag and the value. */
export interface SearchPlan {
  readonly axes: readonly ParamAxis[];
  readonly space: ParamSpace;
  readonly valid: (params: ParamSet) => boolean;
  readonly objective: Objective;
  readonly search: SearchOptions;
  readonly walk: WalkForwardPlan | null;
  /** The governor's weekly trade band: the weeks columns and `weeks-in-band` are named by it. */
  readonly band: WeeklyBand;
  /**
   * Each axis's name as the search key spells it: `USDCHF.fast` for a bare `fast` that goes to
   * USDCHF alone (and the other way round), so both spellings are one search.
   */
  readonly keyNames: readonly string[];
}

/**
 * Parses and checks a search against the bot before any trial runs: the ranges (and their
 * values against each strategy's codec), the constraints, the objective, the method.
 */
export function planSearch(bot: ResolvedBot, r: SearchRequest): SearchPlan {
  const method = r.method ?? 'grid';
  if (!['grid', 'random', 'genetic'].includes(method)) throw new ParamError(`--method "${method}" is not one of grid, random, genetic`);
  const axes = r.params.map(parseParam);
  const space = new ParamSpace(axes);
  // Before the values are checked and long before the grid is scanned: both take time.
  if (method === 'grid' && space.size > MAX_TRIALS) {
    throw new GridTooLargeError(axes.map((a, k) => ({ name: a.name, spec: r.params[k].slice(r.params[k].indexOf('=') + 1), count: a.values.length })), space.size);
  }
  if (r.trials !== undefined && r.trials > MAX_TRIALS) throw new ParamError(`--trials ${r.trials} is more than a search runs (${MAX_TRIALS.toLocaleString('en-US')})`);
  if (r.population !== undefined && r.population > MAX_POPULATION) throw new ParamError(`--population ${r.population} is more than ${MAX_POPULATION.toLocaleString('en-US')}`);
  validateBotAxes(bot, axes);
  const main = bot.strategies.get(bot.strategy) ?? bot.symbols[0].strategy;
  const band = { min: bot.governor.minTradesPerWeek ?? DEFAULT_BAND.min, max: bot.governor.maxTradesPerWeek ?? DEFAULT_BAND.max };
  const objective = resolveObjective(r.objective ?? 'net-profit', main, band);
  const known = knownParams(bot);
  const constraints = (r.constraints ?? []).map((c) => parseConstraint(c, known));
  const walk = r.walkForward ? parseWalkForward(r.walkForward) : null;
  return {
    axes, space, valid: validFor(bot, constraints), objective, walk, band, keyNames: axes.map((a) => targetName(bot, a.name)),
    search: { method, trials: r.trials, seed: r.seed ?? 1, genetic: r.population ? { population: r.population } : undefined },
  };
}

/**
 * What defines a search beyond its run (config and data): the parameters' values, the
 * constraints, the objective, the method with the seed, trials and population it uses, and the
 * walk-forward setting, as a short hash. Two searches that differ in any of them get different
 * result folders; the same search run again gets the same one (and replaces it), however it is
 * written: the values as a range or a list in any order, the parameters in any order (a grid,
 * or a random search drawing every valid combination, runs the same set of trials), `fast` or
 * `USDCHF.fast` when USDCHF alone has it, the constraints in any order. A random search that
 * draws fewer than all, and a genetic one, draw by the order of the axes and of their values, so
 * that order stays part of their key.
 *
 * @example
 * const id = `${name}-${run.slice(0, 8)}-${searchKey(plan, constraints)}`;
 */
export function searchKey(plan: SearchPlan, constraints: readonly string[] = []): string {
  const { method, seed, trials, genetic } = plan.search;
  // Every valid combination runs: the set, not the order drawn, is the search (the seed then changes nothing).
  const everything = method === 'grid' || (method === 'random' && drawsAll(plan, trials ?? 100));
  const named = plan.axes.map((a, k) => ({ name: plan.keyNames[k], values: everything ? [...a.values].sort(byValue) : a.values }));
  const axes = (everything ? [...named].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0)) : named).map((a) => [a.name, a.values]);
  return createHash('sha256').update(canonical({
    axes, constraints: [...new Set(constraints.map((c) => c.replace(/\s+/g, '')))].sort(), objective: plan.objective.id, method,
    ...(method === 'random' ? (everything ? { trials: 'all' } : { seed: seed ?? 1, trials: trials ?? null }) : {}),
    ...(method === 'genetic' ? { seed: seed ?? 1, trials: trials ?? null, population: genetic?.population ?? null } : {}),
    walkForward: plan.walk,
  })).digest('hex').slice(0, 8);
}

/** Grids up to this size are counted to tell whether a random search draws every valid combination (a fraction of a second). */
const COUNT_VALID = 100_000;

/** True when `trials` reaches every valid combination (counted only for grids up to COUNT_VALID). */
function drawsAll(plan: SearchPlan, trials: number): boolean {
  if (trials >= plan.space.size) return true;
  if (plan.space.size > COUNT_VALID) return false;
  let valid = 0;
  for (let i = 0; i < plan.space.size && valid <= trials; i++) if (plan.valid(plan.space.at(i))) valid++;
  return valid <= trials;
}

/** Numbers before strings before booleans, each in its own order: a list's values as a set. */
function byValue(a: ParamValue, b: ParamValue): number {
  const rank = (v: ParamValue) => (typeof v === 'number' ? 0 : typeof v === 'string' ? 1 : 2);
  if (rank(a) !== rank(b)) return rank(a) - rank(b);
  return a < b ? -1 : a > b ? 1 : 0;
}

/** `fast` as `USDCHF.fast` when USDCHF is the only symbol whose strategy has it; a qualified or shared name as given. */
function targetName(bot: ResolvedBot, name: string): string {
  if (name.includes('.')) return name;
  const targets = bot.symbols.filter((s) => declaredParams(s.strategy).has(name));
  return targets.length === 1 ? `${targets[0].symbol}.${name}` : name;
}

/**
 * The span a walk-forward cuts its windows on: the time every symbol's bars cover (one symbol:
 * all its bars). Symbols whose data do not overlap are refused, naming each one's dates.
 */
export function walkForwardSpan(inputs: TrialInputs, text: string): CommonSpan {
  const all = inputs.bot.symbols.map((s) => ({ symbol: s.symbol, series: inputs.series.get(s.symbol)! }));
  const span = commonSpan(all.map((a) => a.series));
  if (span) return span;
  const day = (t: number) => new Date(t).toISOString().slice(0, 10);
  const dates = all.map((a) => `${a.symbol} ${a.series.length ? `${day(a.series.time[0])}..${day(a.series.time[a.series.length - 1])}` : 'no bars'}`).join(', ');
  throw new ParamError(`--walk-forward ${text}: the symbols' data do not overlap (${dates}), so no window holds bars of every symbol`);
}

export interface OptimisationHooks {
  readonly signal?: AbortSignal;
  /** Each finished trial; `window` is the walk-forward window (1-based) whose in-sample search ran it. */
  readonly onTrial?: (record: TrialRecord, done: number, planned: number, window?: number) => void;
  /** A walk-forward window's search starts. */
  readonly onWindow?: (window: number, windows: number) => void;
  /** A search (or a window's) finished. */
  readonly onSearchDone?: (done: number, planned: number) => void;
  /** Computes PBO/DSR elsewhere (a worker thread); in this thread when absent. */
  readonly overfitting?: (ranked: readonly TrialRecord[]) => Promise<OverfittingReport>;
}

export interface OptimisationOutcome {
  readonly ranked: TrialRecord[];
  readonly planned: number;
  readonly stopped: boolean;
  readonly walkForward: WalkForwardResult | null;
  /**
   * Why the search ran fewer trials than asked for (a random search over few valid combinations,
   * a genetic search that converged or bred nothing new; each walk-forward window's, named).
   */
  readonly note?: string;
  /** PBO and DSR of a plain search (a walk-forward's windows each search differently: none). */
  readonly overfitting: OverfittingReport | null;
}

/**
 * Runs a planned search on an executor: one search over all the bars, or a walk-forward (each
 * window's in-sample search, then its winner out of sample). Stopping (`signal`) keeps the
 * trials that finished.
 */
export async function runOptimisation(inputs: TrialInputs, plan: SearchPlan, executor: TrialExecutor, run: string, hooks: OptimisationHooks = {}): Promise<OptimisationOutcome> {
  const base = { space: plan.space, valid: plan.valid, search: plan.search, objective: plan.objective, executor, run, signal: hooks.signal };
  if (plan.walk) {
    const text = `${plan.walk.mode}:${plan.walk.inSampleMonths}:${plan.walk.outOfSampleMonths}`;
    const span = walkForwardSpan(inputs, text);
    const windows = walkForwardWindows(inputs.reference.time, inputs.reference.length, plan.walk, span);
    if (windows.length === 0) throw new ParamError(tooShortMessage(inputs.reference.time, inputs.reference.length, plan.walk, text, inputs.bot.symbols.length > 1 ? span : undefined));
    const all: TrialRecord[] = [];
    const notes: string[] = [];
    let k = 0;
    const wf = await walkForward(inputs, windows, async (range) => {
      const window = ++k;
      hooks.onWindow?.(window, windows.length);
      const r = await optimise({ ...base, range, onTrial: (rec, done, planned) => hooks.onTrial?.(rec, done, planned, window) });
      hooks.onSearchDone?.(r.ranked.length, r.planned);
      all.push(...r.ranked);
      if (r.note) notes.push(`window ${window}: ${r.note}`);
      return r;
    });
    const ranked = rank(all);
    return { ranked, planned: ranked.length, stopped: wf.stopped, walkForward: wf, overfitting: null, ...(notes.length ? { note: notes.join('; ') } : {}) };
  }
  const r = await optimise({ ...base, onTrial: (rec, done, planned) => hooks.onTrial?.(rec, done, planned) });
  hooks.onSearchDone?.(r.ranked.length, r.planned);
  const overfitting = r.ranked.length === 0 ? null : hooks.overfitting ? await hooks.overfitting(r.ranked) : overfittingReport(r.ranked);
  return { ranked: r.ranked, planned: r.planned, stopped: r.stopped, walkForward: null, overfitting, ...(r.note ? { note: r.note } : {}) };
}
