import { parseArgs } from 'node:util';
import { resolve, join } from 'node:path';
import { availableParallelism } from 'node:os';
import { loadHistory } from '../data/load-history.ts';
import { isTimeframe } from '../model/bar.ts';
import { loadPlugins } from '../strategy/plugin-loader.ts';
import { parseParam, ParamSpace, validateAxes, ParamError } from '../optimize/param-space.ts';
import { allOf, parseConstraint, type Constraint } from '../optimize/constraints.ts';
import { resolveObjective } from '../optimize/objectives.ts';
import { optimise, rank, type TrialRecord } from '../optimize/optimizer.ts';
import { InlineExecutor, type TrialExecutor } from '../optimize/executor.ts';
import { PoolExecutor } from '../optimize/pool-executor.ts';
import { hashSeries, shareSeries } from '../optimize/shared-series.ts';
import { resolveRun, runKey, type RunSpec } from '../optimize/run-spec.ts';
import { parseWalkForward, walkForwardWindows } from '../optimize/walk-forward-windows.ts';
import { walkForward, type WalkForwardResult } from '../optimize/walk-forward.ts';
import { overfittingReport } from '../optimize/overfitting/overfitting-report.ts';
import { rankedTable, TrialLog, walkForwardTable, writeOptimisation } from '../optimize/optimisation-output.ts';
import type { SearchMethod } from '../optimize/search.ts';
import { OptimizeProgress } from './optimize-progress.ts';
import { QueueExecutor, QueueUnreachableError } from '../optimize/queue/queue-executor.ts';

const USAGE = `usage: npm run optimize -- --symbol USDCHF --timeframe H1 --param fast=5:50:1 --param slow=20:200:5 [options]
  --param NAME=FROM:TO:STEP | NAME=A,B,C   a parameter of the strategy to search (repeatable)
  --constraint EXPR   skip combinations failing it, e.g. "fast<slow" (repeatable; the plugin's own constraint always applies)
  --objective ID      net-profit (default) | profit-factor | sharpe | recovery-factor | expected-payoff |
                      drawdown (minimised) | weeks-in-band | an objective the plugin exports
  --method M          grid (default) | random | genetic
  --trials N          random and genetic: trials at most (default 100 / 1000)
  --seed S            random and genetic: seed (default 1)   --population N  genetic (default 32)
  --walk-forward P    rolling:IS:OOS or anchored:IS:OOS in months, e.g. rolling:24:6
  --workers N         worker threads (default: one per core)
  --queue URL         send trials to a BullMQ queue on Redis (redis://host:port); run \`npm run worker\` on each machine
  --out DIR           results folder (default var/optimisations/<id>)   --top N  table rows (default 20)
  --symbol S --timeframe TF --from DATE --to DATE --file PATH --timezone ZONE --strategy ID --plugin PATH
  --balance N --risk N --min-trades N --max-trades N --spread POINTS --commission N   as for npm run backtest`;

async function main(): Promise<number> {
  let args;
  try {
    args = parseArgs({
      options: {
        symbol: { type: 'string' }, timeframe: { type: 'string', default: 'H1' }, from: { type: 'string' }, to: { type: 'string' },
        file: { type: 'string' }, timezone: { type: 'string' },
        strategy: { type: 'string', default: 'sma-crossover' }, plugin: { type: 'string', multiple: true, default: [] },
        balance: { type: 'string', default: '10000' }, risk: { type: 'string', default: '1' },
        'min-trades': { type: 'string' }, 'max-trades': { type: 'string' }, spread: { type: 'string' }, commission: { type: 'string' },
        param: { type: 'string', multiple: true, default: [] }, constraint: { type: 'string', multiple: true, default: [] },
        objective: { type: 'string', default: 'net-profit' }, method: { type: 'string', default: 'grid' },
        trials: { type: 'string' }, seed: { type: 'string', default: '1' }, population: { type: 'string' },
        'walk-forward': { type: 'string' }, workers: { type: 'string' }, queue: { type: 'string' },
        out: { type: 'string' }, top: { type: 'string', default: '20' }, help: { type: 'boolean', default: false },
      },
    }).values;
  } catch (err) {
    console.error(`optimize: ${(err as Error).message}\n${USAGE}`);
    return 2;
  }
  if (args.help) {
    console.log(USAGE);
    return 0;
  }
  const fail = (message: string) => {
    console.error(`optimize: ${message}`);
    return 2;
  };
  if (!args.symbol) return fail(`--symbol is required\n${USAGE}`);
  const timeframe = args.timeframe!;
  if (!isTimeframe(timeframe)) return fail(`--timeframe "${timeframe}" is not one of M1, M5, M15, M30, H1, H4, D1`);
  const method = args.method as SearchMethod;
  if (!['grid', 'random', 'genetic'].includes(method)) return fail(`--method "${args.method}" is not one of grid, random, genetic`);

  let executor: TrialExecutor | null = null;
  try {
    const num = (name: string, raw: string | undefined, integer = false): number | undefined => {
      if (raw === undefined) return undefined;
      const v = Number(raw);
      if (!Number.isFinite(v) || (integer && !Number.isInteger(v))) throw new ParamError(`--${name} "${raw}" is not ${integer ? 'a whole number' : 'a number'}`);
      return v;
    };
    const plugins = await loadPlugins(args.plugin!, { baseDir: process.cwd() });
    const plugin = plugins.get(args.strategy!);
    if (!plugin) return fail(`unknown strategy "${args.strategy}"; loaded: ${[...plugins.keys()].join(', ')}`);
    const strategy = plugin.strategy;
    const axes = args.param!.map(parseParam);
    const space = new ParamSpace(axes);
    validateAxes(strategy, axes);
    const objective = resolveObjective(args.objective!, strategy);
    const constraints: Constraint[] = args.constraint!.map((c) => parseConstraint(c, Object.keys(strategy.defaultConfig as object)));
    if (strategy.constraint) constraints.push((p) => strategy.constraint!(p as never));
    const walkPlan = args['walk-forward'] ? parseWalkForward(args['walk-forward']) : null;
    const trials = num('trials', args.trials, true);
    const seed = num('seed', args.seed, true)!;
    const population = num('population', args.population, true);
    const workers = num('workers', args.workers, true) ?? availableParallelism();
    const top = num('top', args.top, true)!;
    const minTrades = num('min-trades', args['min-trades']);
    const maxTrades = num('max-trades', args['max-trades']);
    const spread = num('spread', args.spread);
    const commission = num('commission', args.commission);

    const { series, synthetic, source } = loadHistory({
      symbol: args.symbol, timeframe, from: args.from, to: args.to,
      ...(args.file ? { file: resolve(args.file) } : {}), ...(args.timezone ? { timezone: args.timezone } : {}),
    });
    if (series.length === 0) return fail(`no ${args.symbol} ${timeframe} bars between ${args.from ?? 'the start'} and ${args.to ?? 'the end'}`);
    const spec: RunSpec = {
      symbol: args.symbol, strategy: strategy.id, plugins: args.plugin!, baseDir: process.cwd(),
      baseConfig: strategy.defaultConfig as Record<string, unknown>,
      balance: num('balance', args.balance)!, riskPercent: num('risk', args.risk)!,
      governor: { ...(minTrades !== undefined ? { minTradesPerWeek: minTrades } : {}), ...(maxTrades !== undefined ? { maxTradesPerWeek: maxTrades } : {}) },
      broker: { ...(spread !== undefined ? { spreadPoints: { [args.symbol]: spread } } : {}), ...(commission !== undefined ? { commissionPerLot: commission } : {}) },
    };
    const inputs = await resolveRun(spec, series);
    const dataHash = hashSeries(series);
    const run = runKey(spec, dataHash);
    const valid = allOf(constraints, inputs.baseConfig);
    const id = `${args.symbol}-${timeframe}-${strategy.id}-${run.slice(0, 8)}`.toLowerCase();
    const out = resolve(args.out ?? join('var/optimisations', id));

    if (args.queue) executor = await QueueExecutor.connect(args.queue, { spec, series, dataHash, run });
    else executor = workers <= 0 ? new InlineExecutor(inputs) : new PoolExecutor(shareSeries(series), spec, workers);

    const controller = new AbortController();
    let interrupts = 0;
    process.on('SIGINT', () => {
      if (++interrupts > 1) process.exit(130);
      process.stderr.write('\noptimize: stopping after the trials under way (Ctrl-C again to quit now)\n');
      controller.abort();
    });
    const log = new TrialLog(out);
    const tty = process.stderr.isTTY;
    console.log(`optimising ${strategy.id} on ${args.symbol} ${timeframe} (${series.length.toLocaleString('en-US')} bars from ${source}${synthetic ? ', SYNTHETIC' : ''}): ` +
      `${space.size.toLocaleString('en-US')} combinations, ${method} search, objective ${objective.id}, on ${executor.description}`);
    const searchOptions = { method, trials, seed, genetic: population ? { population } : undefined };
    const progressFor = (label: string, window?: number) => {
      const bar = tty ? new OptimizeProgress(label) : null;
      return {
        onTrial: (r: TrialRecord, done: number, planned: number) => {
          log.write(r, window);
          bar?.update(done, planned);
        },
        finish: (done: number, planned: number) => bar?.done(done, planned),
      };
    };
    const started = Date.now();
    let ranked: TrialRecord[];
    let planned: number;
    let stopped: boolean;
    let wf: WalkForwardResult | null = null;
    if (walkPlan) {
      const windows = walkForwardWindows(series.time, series.length, walkPlan);
      if (windows.length === 0) return fail(`--walk-forward ${args['walk-forward']}: the data (${series.length} bars) is too short for one window`);
      const all: TrialRecord[] = [];
      let k = 0;
      wf = await walkForward(inputs, windows, async (range) => {
        const p = progressFor(`window ${++k}/${windows.length}`, k);
        const r = await optimise({ space, valid, search: searchOptions, objective, executor: executor!, run, range, signal: controller.signal, onTrial: p.onTrial });
        p.finish(r.ranked.length, r.planned);
        all.push(...r.ranked);
        return r;
      });
      ranked = rank(all);
      planned = ranked.length;
      stopped = wf.stopped;
    } else {
      const p = progressFor('trials');
      const r = await optimise({ space, valid, search: searchOptions, objective, executor, run, signal: controller.signal, onTrial: p.onTrial });
      p.finish(r.ranked.length, r.planned);
      ({ ranked, planned, stopped } = r);
    }
    await log.close();
    const seconds = (Date.now() - started) / 1000;
    console.log(`${ranked.length.toLocaleString('en-US')} trials in ${seconds.toFixed(1)} s (${(ranked.length / Math.max(seconds, 1e-3)).toFixed(1)} trials/s)${stopped ? ', STOPPED before the end: results cover the finished trials' : ''}`);
    if (ranked.length === 0) return stopped ? 130 : fail('no combination passes the constraints');
    // With walk-forward each window ranks its own in-sample trials: its table shows the winners.
    if (!wf) console.log(`\n${rankedTable(ranked, axes, objective, top)}`);
    // Overfitting statistics judge one search over one data set: with walk-forward, each
    // window's search differs, so they are computed for the plain search only.
    const overfitting = wf ? null : overfittingReport(ranked);
    if (wf) console.log(`\nwalk-forward (${args['walk-forward']}):\n${walkForwardTable(wf, axes)}`);
    if (overfitting) {
      console.log('');
      if (overfitting.pbo) console.log(`PBO ${overfitting.pbo.value.toFixed(3)}: ${overfitting.pbo.reading}`);
      if (overfitting.dsr) console.log(`DSR ${overfitting.dsr.value.toFixed(3)}: ${overfitting.dsr.reading}`);
      for (const note of overfitting.notes) console.log(`note: ${note}`);
    }
    const path = writeOptimisation(out, {
      id, planned, stopped, axes,
      createdFrom: { symbol: args.symbol, timeframe, from: args.from ?? null, to: args.to ?? null, source, synthetic, strategy: strategy.id, method, seed, trials: trials ?? null, walkForward: args['walk-forward'] ?? null, dataHash, baseConfig: inputs.baseConfig },
      objective: { id: objective.id, label: objective.label, direction: objective.direction },
      overfitting,
    }, ranked, objective, wf);
    console.log(`\nresults: ${join(out, 'trials.jsonl')}, ${join(out, 'trials.csv')}; workbench recording: ${path}`);
    if (synthetic) console.log(`note: ${args.symbol} has no real history here; these bars are SYNTHETIC (${source}).`);
    return stopped ? 130 : 0;
  } catch (err) {
    if (err instanceof ParamError || err instanceof QueueUnreachableError || /--walk-forward/.test((err as Error).message)) return fail((err as Error).message);
    console.error(`optimize: ${(err as Error).message}`);
    return 1;
  } finally {
    await executor?.close();
  }
}

process.exitCode = await main();
