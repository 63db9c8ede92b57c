import { parseArgs } from 'node:util';
import { resolve, join } from 'node:path';
import { availableParallelism } from 'node:os';
import { ConfigError } from '../config/config-error.ts';
import { PluginError } from '../strategy/plugin-loader.ts';
import { ParamError } from '../optimize/param-space.ts';
import type { TrialRecord } from '../optimize/optimizer.ts';
import { InlineExecutor, type TrialExecutor } from '../optimize/executor.ts';
import { PoolExecutor } from '../optimize/pool-executor.ts';
import { shareAll } from '../optimize/shared-series.ts';
import { prepareRun } from '../optimize/prepare-run.ts';
import { runIdentity } from '../optimize/run-spec.ts';
import { planSearch, runOptimisation, searchKey, walkForwardSpan } from '../optimize/run-optimisation.ts';
import { rankedTable, TrialLog, walkForwardTable, runNotes, writeOptimisation } from '../optimize/optimisation-output.ts';
import type { SearchMethod } from '../optimize/search.ts';
import { pboFigure } from '../optimize/overfitting/overfitting-report.ts';
import { OptimizeProgress } from './optimize-progress.ts';
import { allFlatNote } from '../optimize/no-trades.ts';
import { accountFlag, modelFlag } from './account-flags.ts';
import { checkRangeFlags } from './history-flags.ts';
import { botFromFlags } from './optimize-bot.ts';
import { exitOnStrayErrors } from './stray-exit.ts';
// The queue's executor (BullMQ, ioredis) is imported only for a run with --queue.
import { QueueUnreachableError } from '../optimize/queue/queue-error.ts';

const USAGE = `usage: npm run optimize -- --config my-bot.json --param fast=5:50:1 --param slow=20:200:5 [options]
       npm run optimize -- --symbol USDCHF --timeframe H1 --param fast=5:50:1 --param slow=20:200:5 [options]
  --config FILE       optimise the bot's config as one portfolio (every symbol through one account and governor)
  --param NAME=FROM:TO:STEP | NAME=A,B,C   a strategy parameter to search (repeatable); SYMBOL.NAME=... for one symbol
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
  --balance N --risk N --min-trades N --max-trades N --spread POINTS --commission N --leverage N --model M   as for npm run backtest
                      (with --config they override the config's settings; --symbol keeps only that symbol)
  --spec-file PATH --spec FIELD=V   the symbol's spec as for npm run backtest (a symbol without a built-in spec: a stock, an index)`;

async function main(): Promise<number> {
  let args;
  try {
    args = parseArgs({
      options: {
        config: { type: 'string' }, symbol: { type: 'string' }, timeframe: { type: 'string' }, from: { type: 'string' }, to: { type: 'string' },
        file: { type: 'string' }, timezone: { type: 'string' },
        strategy: { type: 'string' }, plugin: { type: 'string', multiple: true, default: [] },
        balance: { type: 'string' }, risk: { type: 'string' },
        'min-trades': { type: 'string' }, 'max-trades': { type: 'string' }, spread: { type: 'string' }, commission: { type: 'string' },
        leverage: { type: 'string' }, 'spec-file': { type: 'string' }, spec: { type: 'string', multiple: true, default: [] }, model: { type: 'string' },
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
  if (!args.symbol && !args.config) return fail(`--symbol or --config is required\n${USAGE}`);
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
    const source = botFromFlags({
      config: args.config, symbol: args.symbol, timeframe: args.timeframe, file: args.file, timezone: args.timezone, strategy: args.strategy,
      balance: accountFlag('balance', args.balance), risk: accountFlag('risk', args.risk),
      minTrades: accountFlag('min-trades', args['min-trades']), maxTrades: accountFlag('max-trades', args['max-trades']),
      spread: accountFlag('spread', args.spread), commission: accountFlag('commission', args.commission), leverage: accountFlag('leverage', args.leverage),
      specFile: args['spec-file'], spec: args.spec!, model: modelFlag(args.model),
    });
    const trials = num('trials', args.trials, true);
    const workers = num('workers', args.workers, true) ?? availableParallelism();
    const top = num('top', args.top, true)!;
    checkRangeFlags(args.from, args.to);
    const model = modelFlag(args.model);
    const prepared = await prepareRun({ ...source, plugins: args.plugin!, from: args.from, to: args.to }).catch((err: unknown) => {
      // `--model ticks` on data of bars only: the refusal names the flag, not the config field it set.
      if (err instanceof ConfigError && err.field === 'bot.broker.model' && model !== undefined) throw new ConfigError('command line', '--model', err.problem);
      throw err;
    });
    // The backtest's warnings about the same bars (the shared span, data that fit the spec loosely).
    for (const warning of prepared.warnings) console.error(`optimize: warning: ${warning}`);
    const { inputs, histories, run } = prepared;
    const plan = planSearch(inputs.bot, {
      params: args.param!, constraints: args.constraint!, objective: args.objective, method, trials,
      seed: num('seed', args.seed, true), population: num('population', args.population, true), walkForward: args['walk-forward'],
    });
    const { axes, space, objective } = plan;
    const symbols = inputs.bot.symbols;
    const timeframes = [...new Set(symbols.map((s) => s.timeframe))];
    const strategies = [...new Set(symbols.map((s) => s.strategy.id))];
    const synthetic = [...histories].filter(([, h]) => h.synthetic).map(([s]) => s);
    // The run (config and data) and the search (ranges, objective, method, seed/trials, walk-forward): a different search never lands in an earlier one's folder.
    // Both hashes are of the search as meant, not as spelt: defaults written out, axes and values as sets where the search runs them so.
    const id = `${symbols.map((s) => s.symbol).join('+')}-${timeframes.join('+')}-${strategies.join('+')}-${runIdentity(inputs.bot, prepared.spec, prepared.dataHash).slice(0, 8)}-${searchKey(plan, args.constraint!)}`.toLowerCase();
    const out = resolve(args.out ?? join('var/optimisations', id));

    if (args.queue) executor = await (await import('../optimize/queue/queue-executor.ts')).QueueExecutor.connect(args.queue, { spec: prepared.spec, series: prepared.series, hashes: prepared.hashes, dataHash: prepared.dataHash, run });
    else executor = workers <= 0 ? new InlineExecutor(inputs) : new PoolExecutor(shareAll(prepared.series), prepared.spec, workers);

    const controller = new AbortController();
    let interrupts = 0;
    process.on('SIGINT', () => {
      if (++interrupts > 1) process.exit(130);
      process.stderr.write('\noptimize: stopping after the trials under way (Ctrl-C again to quit now)\n');
      controller.abort();
    });
    const log = new TrialLog(out);
    const tty = process.stderr.isTTY;
    const bars = [...histories.values()].reduce((n, h) => n + h.series.length, 0);
    const label = symbols.map((s) => `${s.symbol} ${s.timeframe}`).join(', ');
    // A walk-forward runs only the span every symbol covers: say which, and how many bars that is.
    const span = plan.walk && symbols.length > 1 ? walkForwardSpan(inputs, args['walk-forward']!) : null;
    console.log(`optimising ${strategies.join(', ')} on ${label} (${bars.toLocaleString('en-US')} bars from ${[...new Set([...histories.values()].map((h) => h.source))].join(', ')}${synthetic.length ? `, SYNTHETIC: ${synthetic.join(', ')}` : ''}): ` +
      `${space.size.toLocaleString('en-US')} combinations, ${method} search, objective ${objective.id}${inputs.bot.broker.model === 'ticks' ? ', stops and targets on each tick or sample (model ticks)' : ''}, on ${executor.description}`);
    if (span) {
      const day = (t: number) => new Date(t).toISOString().slice(0, 10);
      const within = [...histories].map(([s, h]) => `${s} ${h.series.time.filter((t) => t >= span.from && t <= span.to).length.toLocaleString('en-US')}`).join(', ');
      console.log(`walk-forward on the span every symbol covers, ${day(span.from)}..${day(span.to)} (bars: ${within}); bars outside it are not run`);
    }
    let bar: OptimizeProgress | null = tty ? new OptimizeProgress('trials') : null;
    const started = Date.now();
    const result = await runOptimisation(inputs, plan, executor, run, {
      signal: controller.signal,
      onWindow: (k, n) => (bar = tty ? new OptimizeProgress(`window ${k}/${n}`) : null),
      onTrial: (r: TrialRecord, done, planned, window) => {
        log.write(r, window);
        bar?.update(done, planned);
      },
      onSearchDone: (done, planned) => bar?.done(done, planned),
    });
    const { ranked, planned, stopped, walkForward: wf, overfitting, note } = result;
    await log.close();
    const seconds = (Date.now() - started) / 1000;
    console.log(`${ranked.length.toLocaleString('en-US')} trials in ${seconds.toFixed(1)} s (${(ranked.length / Math.max(seconds, 1e-3)).toFixed(1)} trials/s)${stopped ? ', STOPPED before the end: results cover the finished trials' : ''}`);
    if (note) console.log(`note: ${note}`);
    if (ranked.length === 0) return stopped ? 130 : fail(note ?? 'no combination passes the constraints');
    // With walk-forward each window ranks its own in-sample trials: its table shows the winners.
    if (!wf) console.log(`\n${rankedTable(ranked, axes, objective, top, plan.band)}`);
    const flat = allFlatNote(ranked);
    if (flat) console.log(`\n${flat}`);
    if (wf) {
      console.log(`\nwalk-forward (${args['walk-forward']}):\n${walkForwardTable(wf, axes, plan.band)}`);
      console.log('note: PBO and DSR are not computed for a walk-forward run: each window searches its own in-sample months, so there is no one set of trials to judge; the out-of-sample result above is the test.');
    }
    if (overfitting) {
      console.log('');
      if (overfitting.pbo) console.log(`PBO ${pboFigure(overfitting.pbo)}: ${overfitting.pbo.reading}`);
      if (overfitting.dsr) console.log(`DSR ${overfitting.dsr.value.toFixed(3)}: ${overfitting.dsr.reading}`);
      for (const note of overfitting.notes) console.log(`note: ${note}`);
    }
    const path = writeOptimisation(out, {
      id, planned, stopped, axes,
      createdFrom: {
        ...(args.config ? { config: source.where } : {}), symbol: symbols.map((s) => s.symbol).join(','), symbols: symbols.map((s) => s.symbol),
        timeframe: timeframes.length === 1 ? timeframes[0] : 'mixed', from: args.from ?? null, to: args.to ?? null,
        source: Object.fromEntries([...histories].map(([s, h]) => [s, h.source])), synthetic: synthetic.length > 0, strategy: strategies.join(','), method,
        seed: plan.search.seed, trials: trials ?? null, walkForward: args['walk-forward'] ?? null, dataHash: prepared.dataHash,
        baseConfig: Object.fromEntries(symbols.map((s) => [s.symbol, s.params])), bot: prepared.bot, plugins: prepared.spec.plugins,
      },
      objective: { id: objective.id, label: objective.label, direction: objective.direction },
      band: { min: plan.band.min, max: plan.band.max },
      overfitting,
      ...runNotes(prepared.warnings, note),
    }, ranked, objective, wf);
    console.log(`\nresults: ${join(out, 'trials.jsonl')}, ${join(out, 'trials.csv')}; workbench recording: ${path}`);
    if (synthetic.length) console.log(`note: ${synthetic.join(', ')} ha${synthetic.length > 1 ? 've' : 's'} no real history here; those bars are SYNTHETIC.`);
    return stopped ? 130 : 0;
  } catch (err) {
    if (err instanceof ParamError || err instanceof QueueUnreachableError || err instanceof ConfigError || err instanceof PluginError || /--walk-forward/.test((err as Error).message)) return fail((err as Error).message);
    console.error(`optimize: ${(err as Error).message}`);
    return 1;
  } finally {
    await executor?.close();
  }
}

exitOnStrayErrors('optimize');
process.exitCode = await main();
