import { parseArgs } from 'node:util';
import { writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import type { BacktestCompleteData, LogEvent } from '../../protocol/index.ts';
import { loadHistory } from '../data/load-history.ts';
import { isTimeframe, type BarSeries } from '../model/bar.ts';
import { runBacktest } from '../backtest/backtest-runner.ts';
import { loadBotHistoriesWithSpan, runPortfolioBacktest } from '../backtest/config-backtest.ts';
import { loadPlugins, PluginError } from '../strategy/plugin-loader.ts';
import { decodeParams, parseOverrides } from '../strategy/strategy-params.ts';
import { ConfigError, readConfigFile, resolveBot, type BotConfig } from '../config/index.ts';
import { Recorder } from '../recorder/recorder.ts';
import { renderHtmlReport } from '../report/html-report.ts';
import { formatSummary } from './summary-table.ts';
import { ProgressBar } from './progress-bar.ts';
import { specOverrides } from './spec-options.ts';
import { conversionProblem, resolveSymbolSpec } from '../model/symbol-spec.ts';
import { checkSeriesAgainstSpec, ticksProblem } from '../backtest/data-check.ts';
import { DEFAULT_GOVERNOR_CONFIG } from '../governor/governor-config.ts';
import { DEFAULT_SIM_BROKER_CONFIG } from '../broker/sim-broker.ts';
import { quietOnClosedOutput } from './closed-output.ts';
import { exitOnStrayErrors } from './stray-exit.ts';
import { accountFlag as number, checkWeekLimits, modelFlag } from './account-flags.ts';
import { checkRangeFlags, historyFlagError } from './history-flags.ts';
import { HistoryOptionError } from '../data/history-option-error.ts';

const USAGE = `usage: npm run backtest -- --symbol USDCHF --timeframe H1 [options]
       npm run backtest -- --config my-bot.json [--from DATE] [--to DATE] [options]
  --config FILE      run the bot's config as one portfolio: every symbol through one account and governor
  --symbol S         symbol (USDCHF is real history; others are synthetic and labelled so); with --config, only that one
  --timeframe TF     M1 | M5 | M15 | M30 | H1 | H4 | D1 (default H1); not finer than the data's bars
                     or rows (the shipped USDCHF history has a price every 30 minutes: M30 or coarser)
  --from DATE        first day, UTC (e.g. 1997-01-01)
  --to DATE          last day, UTC (inclusive)
  --file PATH        your own data: an MT5 bar or tick export, or a time,price file
  --timezone ZONE    IANA zone of the file's times (default UTC), e.g. Europe/Zurich
  --strategy ID      strategy plugin id (default sma-crossover; with --config the config's)
  --set NAME=VALUE   a strategy parameter, checked by the strategy's codec (repeatable); SYMBOL.NAME=VALUE for one symbol
  --plugin PATH      load another plugin folder or npm package (repeatable)
  --balance N        starting balance in USD (default 10000)
  --risk N           risk per trade, percent of balance (default 1)
  --min-trades N     weekly minimum (default 3)   --max-trades N  weekly maximum (default 10)
  --spread POINTS    spread override             --commission N  per lot per side, USD
  --leverage N       account leverage (default 100; margin, stop-out at 50 % margin level)
  --model M          how stops and targets are tested inside a bar: bars (default: over its range,
                     a level inside it fills at the level) or ticks (each tick or time,price sample
                     in order, filling at the first one at or beyond the level, as MT5's real ticks)
  --spec-file PATH   symbol specs as JSON, the config's symbolSpecs shape: {"AAPL": {"digits": 2, ...}}
  --spec FIELD=V     one field of --symbol's spec (repeatable): digits, contractSize, baseCurrency,
                     profitCurrency, tickSize, tickValueProfit, volumeMin/Step/Max, swapMode, swapLong, ...
  --record DIR       write the session's JSONL recording there (default var/recordings)
  --no-record        do not write a recording
  --bars             also record every bar (DEBUG BAR events) so a replay draws candles
  --report FILE      write the report as one self-contained HTML file (opens offline)
  --json             print BACKTEST_COMPLETE's data as JSON (and nothing else on stdout)`;

type Args = ReturnType<typeof parse>;

function parse(argv: string[]) {
  return parseArgs({
    args: argv,
    options: {
      config: { type: 'string' }, symbol: { type: 'string' }, timeframe: { type: 'string' }, from: { type: 'string' }, to: { type: 'string' },
      file: { type: 'string' }, timezone: { type: 'string' }, set: { type: 'string', multiple: true, default: [] },
      strategy: { type: 'string' }, plugin: { type: 'string', multiple: true, default: [] },
      balance: { type: 'string' }, risk: { type: 'string' },
      'min-trades': { type: 'string' }, 'max-trades': { type: 'string' }, spread: { type: 'string' }, commission: { type: 'string' },
      leverage: { type: 'string' }, 'spec-file': { type: 'string' }, spec: { type: 'string', multiple: true, default: [] }, model: { type: 'string' },
      record: { type: 'string', default: 'var/recordings' }, 'no-record': { type: 'boolean', default: false }, report: { type: 'string' },
      json: { type: 'boolean', default: false }, bars: { type: 'boolean', default: false }, help: { type: 'boolean', default: false },
    },
  }).values;
}

/** What a run needs, from either form: how to run it, and what to say about its data. */
interface Plan {
  readonly bars: number;
  readonly label: string;
  readonly balance: number;
  readonly sources: Record<string, string>;
  readonly synthetic: string[];
  /** Data that fits the spec with remarks (printed before the run). */
  readonly warnings: readonly string[];
  run(onEvent: (e: LogEvent) => void, onProgress: (done: number) => void, progressEvery: number, emitBars: boolean): { complete: BacktestCompleteData; bars: number };
}

/** `--config`: the bot's config (flags override its settings) as one portfolio. Everything is checked and loaded here, before any run. */
async function configPlan(args: Args): Promise<Plan> {
  const file = resolve(args.config!);
  const bot: BotConfig = { ...(readConfigFile(file).bot ?? {}) };
  const flag = <K extends keyof BotConfig>(key: K, value: BotConfig[K] | undefined) => { if (value !== undefined) bot[key] = value; };
  flag('balance', number('balance', args.balance));
  flag('riskPercent', number('risk', args.risk));
  const minTrades = number('min-trades', args['min-trades']);
  const maxTrades = number('max-trades', args['max-trades']);
  if (minTrades !== undefined || maxTrades !== undefined) {
    checkWeekLimits(minTrades, maxTrades, { min: bot.minTradesPerWeek ?? DEFAULT_GOVERNOR_CONFIG.minTradesPerWeek, max: bot.maxTradesPerWeek ?? DEFAULT_GOVERNOR_CONFIG.maxTradesPerWeek });
  }
  flag('minTradesPerWeek', minTrades);
  flag('maxTradesPerWeek', maxTrades);
  flag('strategy', args.strategy);
  flag('timeframe', args.timeframe);
  if (args.symbol) {
    const only = (bot.symbols ?? []).filter((s) => s.symbol === args.symbol);
    if (only.length === 0) throw new ConfigError(file, 'bot.symbols', `--symbol ${args.symbol} is not configured here (configured: ${(bot.symbols ?? []).map((s) => s.symbol).join(', ')})`);
    bot.symbols = only;
  }
  const spread = number('spread', args.spread);
  const commission = number('commission', args.commission);
  const leverage = number('leverage', args.leverage);
  if (args.spec!.length || args['spec-file']) {
    throw new ConfigError('command line', args['spec-file'] ? '--spec-file' : '--spec', 'with --config, declare symbol specs in the config file (bot.symbolSpecs)');
  }
  bot.broker = {
    ...bot.broker,
    ...(spread !== undefined ? { spreadPoints: Object.fromEntries((bot.symbols ?? []).map((s) => [s.symbol, spread])) } : {}),
    ...(commission !== undefined ? { commissionPerLot: commission } : {}),
    ...(leverage !== undefined ? { leverage } : {}),
  };
  const plugins = await loadPlugins([...(bot.plugins ?? []).map((p) => (p.startsWith('.') ? resolve(dirname(file), p) : p)), ...args.plugin!], { baseDir: dirname(file) });
  const strategies = new Map([...plugins].map(([id, p]) => [id, p.strategy]));
  const model = modelFlag(args.model);
  const fromConfig = resolveBot(bot, { where: file, baseDir: dirname(file), strategies }, parseOverrides(args.set!));
  const resolved = model === undefined ? fromConfig : { ...fromConfig, broker: { ...fromConfig.broker, model } };
  // The shared span, then every symbol's data checked against its spec (refused or warned) and,
  // under the config's own `bot.broker.model: "ticks"`, for ticks to walk; `--model` overrides
  // the config's and is checked here, so a refusal names the flag.
  const { histories, warnings } = loadBotHistoriesWithSpan(model === undefined ? fromConfig : { ...fromConfig, broker: { ...fromConfig.broker, model: 'bars' } }, { from: args.from, to: args.to });
  if (model === 'ticks') for (const [symbol, h] of histories) checkTicks(h.series, `${symbol}'s data (${h.source})`, 'command line', '--model');
  const all = [...histories.values()];
  return {
    bars: all.reduce((n, h) => n + h.series.length, 0),
    label: resolved.symbols.map((s) => `${s.symbol} ${s.timeframe}`).join(', '),
    balance: resolved.balance,
    sources: Object.fromEntries([...histories].map(([s, h]) => [s, h.source])),
    synthetic: [...histories].filter(([, h]) => h.synthetic).map(([s]) => s),
    warnings,
    run: (onEvent, onProgress, progressEvery, emitBars) => runPortfolioBacktest(resolved, { histories, warnings, from: args.from, to: args.to, onEvent, onProgress, progressEvery, emitBars }),
  };
}

/** `--symbol`: one symbol with the strategy's parameters from `--set`. */
async function symbolPlan(args: Args): Promise<Plan> {
  const timeframe = args.timeframe ?? 'H1';
  if (!isTimeframe(timeframe)) throw new ConfigError('command line', '', `--timeframe "${timeframe}" is not one of M1, M5, M15, M30, H1, H4, D1`);
  const symbol = args.symbol!;
  const plugins = await loadPlugins(args.plugin!, { baseDir: process.cwd() });
  const plugin = plugins.get(args.strategy ?? 'sma-crossover');
  if (!plugin) throw new ConfigError('command line', '--strategy', `unknown strategy "${args.strategy}"; loaded: ${[...plugins.keys()].join(', ')}`);
  const strategy = plugin.strategy;
  const overrides = parseOverrides(args.set!);
  for (const o of overrides) {
    if (o.symbol !== null && o.symbol !== symbol) throw new ConfigError('command line', `--set ${o.symbol}.${o.name}`, `this run has only ${symbol}`);
  }
  const strategyConfig = decodeParams(strategy, overrides.length ? [{
    where: 'command line', path: '--set', values: Object.fromEntries(overrides.map((o) => [o.name, o.value])),
    label: (key) => `--set ${overrides.find((o) => o.name === key)?.symbol ? `${symbol}.` : ''}${key}`,
  }] : []);
  let spec;
  try {
    spec = resolveSymbolSpec(symbol, specOverrides(symbol, args['spec-file'] ? resolve(args['spec-file']) : undefined, args.spec!));
  } catch (err) {
    const message = (err as Error).message;
    throw new ConfigError('command line', message.startsWith('unknown symbol') ? '--symbol' : '--spec', message);
  }
  const unconvertible = conversionProblem(spec, DEFAULT_SIM_BROKER_CONFIG.currency);
  if (unconvertible) throw new ConfigError('command line', '--spec', unconvertible);
  let history;
  try {
    history = loadHistory({ symbol, timeframe, from: args.from, to: args.to, ...(args.file ? { file: resolve(args.file) } : {}), ...(args.timezone ? { timezone: args.timezone } : {}) });
  } catch (err) {
    if (err instanceof HistoryOptionError) throw historyFlagError(err);
    throw new ConfigError('command line', args.file ? '--file' : '--symbol', (err as Error).message);
  }
  const { series, synthetic, source, fingerprint } = history;
  if (series.length === 0) throw new ConfigError('command line', '--from/--to', `no ${symbol} ${timeframe} bars between ${args.from ?? 'the start'} and ${args.to ?? 'the end'}`);
  const model = modelFlag(args.model);
  if (model === 'ticks') checkTicks(series, args.file ?? source, 'command line', '--model');
  const leverage = number('leverage', args.leverage);
  const check = checkSeriesAgainstSpec(series, spec, args.file ?? source);
  if (check.errors.length > 0) throw new DataMismatch(`the data does not fit ${spec.name}'s spec; nothing was run:\n  ${check.errors.join('\n  ')}`);
  const balance = number('balance', args.balance) ?? 10_000;
  const minTrades = number('min-trades', args['min-trades']);
  const maxTrades = number('max-trades', args['max-trades']);
  checkWeekLimits(minTrades, maxTrades, { min: DEFAULT_GOVERNOR_CONFIG.minTradesPerWeek, max: DEFAULT_GOVERNOR_CONFIG.maxTradesPerWeek });
  const spread = number('spread', args.spread);
  const commission = number('commission', args.commission);
  const riskPercent = number('risk', args.risk) ?? 1;
  return {
    bars: series.length, label: `${symbol} ${timeframe}`, balance, sources: { [symbol]: source }, synthetic: synthetic ? [symbol] : [],
    warnings: check.warnings,
    run: (onEvent, onProgress, progressEvery, emitBars) => runBacktest({
      symbol, spec, series, strategy, strategyConfig, balance, riskPercent, warnings: check.warnings, dataFingerprint: fingerprint,
      governor: { ...(minTrades !== undefined ? { minTradesPerWeek: minTrades } : {}), ...(maxTrades !== undefined ? { maxTradesPerWeek: maxTrades } : {}) },
      broker: {
        ...(spread !== undefined ? { spreadPoints: { [symbol]: spread } } : {}), ...(commission !== undefined ? { commissionPerLot: commission } : {}),
        ...(leverage !== undefined ? { leverage } : {}), ...(model !== undefined ? { model } : {}),
      },
      labels: { from: args.from, to: args.to }, emitBars, progressEvery, onProgress, onEvent,
    }),
  };
}

/** `--model ticks` needs bars built from ticks: an MT5 bar export has none to walk. */
function checkTicks(series: BarSeries, what: string, where: string, field: string): void {
  const problem = ticksProblem(series, what);
  if (problem) throw new ConfigError(where, field, problem);
}

async function main(argv: string[]): Promise<number> {
  let args: Args;
  try {
    args = parse(argv);
  } catch (err) {
    console.error(`backtest: ${(err as Error).message}\n${USAGE}`);
    return 2;
  }
  if (args.help) {
    console.log(USAGE);
    return 0;
  }
  if (!args.symbol && !args.config) {
    console.error(`backtest: --symbol or --config is required\n${USAGE}`);
    return 2;
  }
  let plan: Plan;
  try {
    // Every input is checked and every file loaded here: a bad one stops the run before it starts.
    checkRangeFlags(args.from, args.to);
    plan = args.config ? await configPlan(args) : await symbolPlan(args);
  } catch (err) {
    if (err instanceof ConfigError || err instanceof PluginError) {
      console.error(`backtest: ${err.message}`);
      return 2;
    }
    if (err instanceof DataMismatch) {
      console.error(`backtest: ${err.message}`);
      return 1;
    }
    throw err;
  }
  for (const warning of plan.warnings) console.error(`backtest: warning: ${warning}`);
  const progress = !args.json && process.stderr.isTTY ? new ProgressBar(plan.bars, plan.label) : null;
  const recording: { current: Recorder | null } = { current: null };
  let result;
  try {
    result = plan.run((event) => {
      if (args['no-record']) return;
      if (!recording.current && event.event_type === 'BACKTEST_START') {
        recording.current = new Recorder({ dir: resolve(args.record!), kind: 'backtest', sessionId: event.session_id, batch: 512 });
      }
      recording.current?.record(event);
    }, (done) => progress?.update(done), Math.max(1000, Math.floor(plan.bars / 200)), args.bars && !args['no-record']);
  } finally {
    // A run that failed part way still leaves its recording whole: its ERROR and BACKTEST_COMPLETE
    // (with `error`) are the last lines of it.
    progress?.done();
    recording.current?.close();
  }
  if (args.report) writeFileSync(resolve(args.report), renderHtmlReport(result.complete, { sources: plan.sources, synthetic: plan.synthetic }));
  // A strategy that threw parked its symbol part way: the run finished, but not as configured.
  const faults = result.complete.faults ?? [];
  for (const f of faults) console.error(`backtest: ${f.error} (at ${f.time}); ${f.symbol} traded no more after it`);
  const status = faults.length ? 1 : 0;
  if (args.json) {
    process.stdout.write(`${JSON.stringify(result.complete, null, 2)}\n`);
    return status;
  }
  console.log(formatSummary(result.complete, { balance: plan.balance, source: Object.values(plan.sources).join(', '), synthetic: plan.synthetic.length > 0, bars: result.bars }));
  if (recording.current) console.log(`recording: ${recording.current.path}`);
  if (args.report) console.log(`report: ${resolve(args.report)}`);
  if (plan.synthetic.length) console.log(`note: ${plan.synthetic.join(', ')} ha${plan.synthetic.length > 1 ? 've' : 's'} no real history here; those bars are SYNTHETIC.`);
  return status;
}

/** Prices that do not fit the symbol's spec (digits, tick size): the run is refused, exit 1. */
class DataMismatch extends Error {}

quietOnClosedOutput();
exitOnStrayErrors('backtest');
process.exitCode = await main(process.argv.slice(2)).catch((err: Error) => {
  console.error(`backtest: ${err.message}`);
  return 1;
});
