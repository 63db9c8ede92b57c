import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import type { LogEvent, OptimisationTrialRow, StartOptimisation } from '../../protocol/index.ts';
import type { BotConfig } from '../config/config-codec.ts';
import { ConfigError } from '../config/config-error.ts';
import type { CommandOutcome } from '../live/bot-controller.ts';
import { PluginError } from '../strategy/plugin-loader.ts';
import { GridTooLargeError, ParamError } from '../optimize/param-space.ts';
import { PoolExecutor } from '../optimize/pool-executor.ts';
import { prepareRun, type PreparedRun } from '../optimize/prepare-run.ts';
import { planSearch, runOptimisation, type SearchPlan } from '../optimize/run-optimisation.ts';
import { shareAll } from '../optimize/shared-series.ts';
import { optimisationRecording, runNotes, writeOptimisation } from '../optimize/optimisation-output.ts';
import { listOptimisations, readOptimisation } from './optimisation-recordings.ts';
import { startTrialBacktest } from './trial-backtest.ts';
import { fieldOf, round, rowOf } from './optimisation-rows.ts';

export interface OptimiserOptions {
  /** The bot's own config: what `start_optimisation` without a symbol optimises. */
  readonly bot: BotConfig;
  readonly where: string;
  readonly configDir: string;
  /** Where recordings are written and listed (`<dataDir>/optimisations`, as `npm run optimize` writes them). */
  readonly dir: string;
  /** Worker threads per optimisation (default: one per core). */
  readonly workers?: number;
}

interface Running {
  readonly id: string;
  readonly controller: AbortController;
  done: Promise<void>;
}

// How often progress goes out: rows are batched, so a fast search sends a few messages a second.
const PROGRESS_MS = 250;
// Trials an `optimisation_complete` carries at most (about 400 bytes each).
const SENT_TRIALS = 20_000;
// Finished searches whose bars stay loaded for `run_trial_backtest`.
const KEPT = 3;

/**
 * Optimisations started from the workbench, in this server process: trials on a worker-thread
 * pool (piscina), so the live bot's event loop only batches and sends their rows. One search at
 * a time; every client sees its progress; cancelling keeps the finished trials.
 */
export class OptimisationService {
  private running: Running | null = null;
  private readonly kept = new Map<string, PreparedRun>();
  private trialBacktestBusy = false;

  constructor(
    private readonly options: OptimiserOptions,
    private readonly broadcast: (message: object) => void,
    private readonly publish: (event: LogEvent) => void,
    /** Why the journal cannot write, or null: a trial backtest waits until it can, as run_backtest does. */
    private readonly journalProblem: () => string | null = () => null,
  ) {}

  async start(m: StartOptimisation): Promise<CommandOutcome> {
    if (this.running) return { ok: false, reason: `optimisation ${this.running.id} is running; cancel it first` };
    const names = Object.keys(m.ranges);
    if (names.length === 0) return { ok: false, reason: 'ranges: name at least one parameter to search, e.g. {"fast": "5:50:5"}' };
    let prepared: PreparedRun;
    let plan: SearchPlan;
    try {
      prepared = await prepareRun({ bot: this.botFor(m), where: this.options.where, configDir: this.options.configDir, from: m.from, to: m.to });
      plan = planSearch(prepared.inputs.bot, {
        params: names.map((n) => `${n}=${m.ranges[n]}`), constraints: m.constraints, objective: m.objective, method: m.method,
        trials: m.trials, seed: m.seed, population: m.population, walkForward: m.walk_forward,
      });
    } catch (err) {
      if (err instanceof GridTooLargeError) return { ok: false, reason: err.forSocket() };
      if (err instanceof ParamError || err instanceof ConfigError || err instanceof PluginError || /--walk-forward/.test((err as Error).message)) return { ok: false, reason: fieldOf((err as Error).message) };
      throw err;
    }
    const symbols = prepared.inputs.bot.symbols;
    const id = `${symbols.map((s) => s.symbol).join('+')}-${Date.now().toString(36)}-${prepared.run.slice(0, 8)}`.toLowerCase();
    const controller = new AbortController();
    const running: Running = { id, controller, done: Promise.resolve() };
    this.running = running;
    running.done = this.run(id, prepared, plan, m, controller.signal).finally(() => {
      if (this.running === running) this.running = null;
    });
    return {
      ok: true,
      reason: `optimisation ${id} started: ${plan.space.size} combinations, ${plan.search.method} search on ${symbols.map((s) => `${s.symbol} ${s.timeframe}`).join(', ')}`,
      data: {
        optimisation_id: id, combinations: plan.space.size, axes: plan.axes, objective: { id: plan.objective.id, label: plan.objective.label, direction: plan.objective.direction },
        // The data's warnings now, before the first trial (also in the recording's `notes`).
        ...(prepared.warnings.length > 0 ? { warnings: [...prepared.warnings] } : {}),
      },
    };
  }

  cancel(id: string): CommandOutcome {
    if (!this.running || this.running.id !== id) return { ok: false, reason: `no optimisation ${JSON.stringify(id)} is running` };
    this.running.controller.abort();
    return { ok: true, reason: `optimisation ${id} stops after the trials under way; the finished ones are kept` };
  }

  list(): CommandOutcome {
    const optimisations = listOptimisations(this.options.dir);
    return { ok: true, reason: `${optimisations.length} optimisation(s)`, data: { optimisations, running: this.running?.id ?? null } };
  }

  get(name: string): CommandOutcome {
    const r = readOptimisation(this.options.dir, name);
    return r.ok ? { ok: true, reason: `${(r.recording.trials as unknown[]).length} trial(s)`, data: { name, recording: r.recording } } : { ok: false, reason: r.reason };
  }

  /**
   * One trial again as a full portfolio backtest, as `npm run backtest -- --config ... --set`
   * with its parameters would run it; its events go out like any backtest's.
   */
  async runTrialBacktest(optimisationId: string, trialId: string): Promise<CommandOutcome> {
    if (this.trialBacktestBusy) return { ok: false, reason: 'a trial backtest is already running; wait for its BACKTEST_COMPLETE' };
    const journal = this.journalProblem();
    if (journal !== null) return { ok: false, reason: `${journal}; backtests wait until it can` };
    const started = await startTrialBacktest({ dir: this.options.dir, optimisationId, trialId, prepared: this.kept.get(optimisationId), publish: this.publish });
    if (started.running) {
      this.trialBacktestBusy = true;
      void started.running.finally(() => (this.trialBacktestBusy = false));
    }
    return started.outcome;
  }

  /** Stops a running search (its finished trials are written) and waits for it. */
  async close(): Promise<void> {
    this.running?.controller.abort();
    await this.running?.done;
  }

  private botFor(m: StartOptimisation): BotConfig {
    const own = this.options.bot;
    if (m.symbol === undefined) return own;
    const configured = (own.symbols ?? []).find((s) => s.symbol === m.symbol);
    const strategy = m.strategy ?? configured?.strategy ?? own.strategy;
    // The symbol's data file and zone stay; its parameters only if they are for this strategy.
    const { params, ...where } = configured ?? { symbol: m.symbol };
    const same = (configured?.strategy ?? own.strategy) === strategy;
    return {
      ...own, strategy,
      ...(strategy === own.strategy ? {} : { params: undefined }),
      symbols: [{ ...where, ...(same && params ? { params } : {}), strategy, timeframe: m.timeframe ?? configured?.timeframe ?? own.timeframe ?? 'H1' }],
    };
  }

  private async run(id: string, prepared: PreparedRun, plan: SearchPlan, m: StartOptimisation, signal: AbortSignal): Promise<void> {
    const executor = new PoolExecutor(shareAll(prepared.series), prepared.spec, this.options.workers ?? availableParallelism());
    const started = Date.now();
    let rows: OptimisationTrialRow[] = [];
    let done = 0;
    let planned = 0;
    let windows = 1;
    let sent = 0;
    const progress = () => {
      if (rows.length === 0 && done === sent) return;
      sent = done;
      const seconds = (Date.now() - started) / 1000;
      const rate = done / Math.max(seconds, 1e-3);
      const message = { type: 'optimisation_progress', optimisation_id: id, objective: header.objective, band: header.band, done, planned: Math.max(planned, done), trials_per_second: round(rate), eta_seconds: done ? round(Math.max(0, planned - done) / rate) : null, rows };
      rows = [];
      this.broadcast(message);
    };
    const symbols = prepared.inputs.bot.symbols;
    const createdFrom = {
      server: true, symbol: symbols.map((s) => s.symbol).join(','), symbols: symbols.map((s) => s.symbol),
      timeframe: [...new Set(symbols.map((s) => s.timeframe))].join('+'), strategy: [...new Set(symbols.map((s) => s.strategy.id))].join(','),
      from: m.from ?? null, to: m.to ?? null, method: plan.search.method, seed: plan.search.seed, trials: m.trials ?? null, walkForward: m.walk_forward ?? null,
      dataHash: prepared.dataHash, bot: prepared.bot, plugins: prepared.spec.plugins, config: this.options.where,
    };
    const band = { min: plan.band.min, max: plan.band.max };
    const header = { id, axes: plan.axes, createdFrom, objective: { id: plan.objective.id, label: plan.objective.label, direction: plan.objective.direction }, band };
    const timer = setInterval(progress, PROGRESS_MS);
    try {
      const result = await runOptimisation(prepared.inputs, plan, executor, prepared.run, {
        signal,
        // Seconds of arithmetic for thousands of trials: on a pool thread, not the server's loop.
        overfitting: (ranked) => executor.overfitting(ranked),
        onWindow: (_k, n) => (windows = n),
        onTrial: (r, _done, inWindow, window) => {
          done++;
          planned = Math.max(planned, windows * inWindow);
          rows.push(rowOf(r, plan, window));
        },
      });
      clearInterval(timer);
      progress();
      const rec = { ...header, planned: result.planned, stopped: result.stopped, overfitting: result.overfitting, ...runNotes(prepared.warnings, result.note) };
      if (result.ranked.length > 0) writeOptimisation(join(this.options.dir, id), rec, result.ranked, plan.objective, result.walkForward);
      this.keep(id, prepared);
      // Free before anyone hears it ended: a client may start the next one at once.
      this.running = null;
      // The best trials only, past a size every client's send budget holds; the file has them all.
      const recording = optimisationRecording(rec, result.ranked.slice(0, SENT_TRIALS), result.walkForward);
      this.broadcast({ type: 'optimisation_complete', optimisation_id: id, stopped: result.stopped, done, planned: result.planned, recording: { ...recording, ...(result.ranked.length > SENT_TRIALS ? { trialsTotal: result.ranked.length } : {}) } });
    } catch (err) {
      clearInterval(timer);
      progress();
      this.running = null;
      // Failed before any trial said how many there would be: the count its start reply gave.
      this.broadcast({ type: 'optimisation_complete', optimisation_id: id, stopped: true, done, planned: planned || (m.trials ?? plan.space.size), recording: null, error: (err as Error).message });
    } finally {
      await executor.close();
    }
  }

  private keep(id: string, prepared: PreparedRun): void {
    this.kept.set(id, prepared);
    for (const key of this.kept.keys()) if (this.kept.size > KEPT) this.kept.delete(key);
  }
}
