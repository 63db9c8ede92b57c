import { parseArgs } from 'node:util';
import { resolve } from 'node:path';
import { loadHistory } from '../data/load-history.ts';
import { isTimeframe } from '../model/bar.ts';
import { runBacktest } from '../backtest/backtest-runner.ts';
import { loadPlugins, validateStrategyConfig } from '../strategy/plugin-loader.ts';
import { Recorder } from '../recorder/recorder.ts';
import { formatSummary } from './summary-table.ts';
import { ProgressBar } from './progress-bar.ts';
import { specOverrides, type SpecOverrides } from './spec-options.ts';
import { resolveSymbolSpec, type SymbolSpec } from '../model/symbol-spec.ts';
import { checkSeriesAgainstSpec } from '../backtest/data-check.ts';
import { quietOnClosedOutput } from './closed-output.ts';

const USAGE = `usage: npm run backtest -- --symbol USDCHF --timeframe H1 [options]
  --symbol S         symbol (USDCHF is real history; others are synthetic and labelled so)
  --timeframe TF     M30 | H1 | H4 | D1 (default H1)
  --from DATE        first day, UTC (e.g. 1997-01-01)
  --to DATE          last day, UTC (inclusive)
  --file PATH        your own data: an MT5 bar or tick export, or a time,price file
  --timezone ZONE    IANA zone of the file's times (default UTC), e.g. Europe/Zurich
  --strategy ID      strategy plugin id (default sma-crossover)
  --plugin PATH      load another plugin folder or npm package (repeatable)
  --balance N        starting balance in USD (default 10000)
  --risk N           risk per trade, percent of balance (default 1)
  --min-trades N     weekly minimum (default 3)   --max-trades N  weekly maximum (default 10)
  --spread POINTS    spread override             --commission N  per lot per side, USD
  --leverage N       account leverage (default 100; margin, stop-out at 50 % margin level)
  --spec-file PATH   symbol specs as JSON, the config's symbolSpecs shape: {"AAPL": {"digits": 2, ...}}
  --spec FIELD=V     one field of --symbol's spec (repeatable): digits, contractSize, baseCurrency,
                     profitCurrency, tickSize, tickValueProfit, volumeMin/Step/Max, swapMode, swapLong, ...
  --record DIR       write the session's JSONL recording there (default var/recordings)
  --no-record        do not write a recording
  --bars             also record every bar (DEBUG BAR events) so a replay draws candles
  --json             print BACKTEST_COMPLETE's data as JSON (and nothing else on stdout)`;

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
        leverage: { type: 'string' }, 'spec-file': { type: 'string' }, spec: { type: 'string', multiple: true, default: [] },
        record: { type: 'string', default: 'var/recordings' }, 'no-record': { type: 'boolean', default: false },
        json: { type: 'boolean', default: false }, bars: { type: 'boolean', default: false }, help: { type: 'boolean', default: false },
      },
    }).values;
  } catch (err) {
    console.error(`backtest: ${(err as Error).message}\n${USAGE}`);
    return 2;
  }
  if (args.help) {
    console.log(USAGE);
    return 0;
  }
  const fail = (message: string) => {
    console.error(`backtest: ${message}\n${USAGE}`);
    return 2;
  };
  if (!args.symbol) return fail('--symbol is required');
  const timeframe = args.timeframe!;
  if (!isTimeframe(timeframe)) return fail(`--timeframe "${timeframe}" is not one of M1, M5, M15, M30, H1, H4, D1`);
  const number = (name: string, raw: string | undefined) => {
    if (raw === undefined) return undefined;
    const value = Number(raw);
    if (!Number.isFinite(value)) throw new Error(`--${name} "${raw}" is not a number`);
    return value;
  };

  let spec: SymbolSpec;
  let leverage: number | undefined;
  try {
    const overrides: SpecOverrides = specOverrides(args.symbol, args['spec-file'] ? resolve(args['spec-file']) : undefined, args.spec!);
    spec = resolveSymbolSpec(args.symbol, overrides);
    leverage = number('leverage', args.leverage);
    if (leverage !== undefined && !(leverage > 0)) throw new Error(`--leverage "${args.leverage}" must be greater than 0`);
  } catch (err) {
    return fail((err as Error).message);
  }

  try {
    const balance = number('balance', args.balance)!;
    const plugins = await loadPlugins(args.plugin!, { baseDir: process.cwd() });
    const plugin = plugins.get(args.strategy!);
    if (!plugin) return fail(`unknown strategy "${args.strategy}"; loaded: ${[...plugins.keys()].join(', ')}`);
    const strategy = plugin.strategy;
    const { series, synthetic, source } = loadHistory({
      symbol: args.symbol, timeframe, from: args.from, to: args.to,
      ...(args.file ? { file: resolve(args.file) } : {}), ...(args.timezone ? { timezone: args.timezone } : {}),
    });
    if (series.length === 0) return fail(`no ${args.symbol} ${timeframe} bars between ${args.from ?? 'the start'} and ${args.to ?? 'the end'}`);
    const check = checkSeriesAgainstSpec(series, spec, args.file ?? source);
    for (const warning of check.warnings) console.error(`backtest: warning: ${warning}`);
    if (check.errors.length > 0) {
      console.error(`backtest: the data does not fit ${spec.name}'s spec; nothing was run:\n  ${check.errors.join('\n  ')}`);
      return 1;
    }
    const minTrades = number('min-trades', args['min-trades']);
    const maxTrades = number('max-trades', args['max-trades']);
    const spread = number('spread', args.spread);
    const commission = number('commission', args.commission);

    const progress = !args.json && process.stderr.isTTY ? new ProgressBar(series.length, `${args.symbol} ${timeframe}`) : null;
    const recording: { current: Recorder | null } = { current: null };
    const result = runBacktest({
      symbol: args.symbol,
      spec,
      series,
      warnings: check.warnings,
      strategy,
      strategyConfig: validateStrategyConfig(strategy, strategy.defaultConfig),
      balance,
      riskPercent: number('risk', args.risk),
      governor: {
        ...(minTrades !== undefined ? { minTradesPerWeek: minTrades } : {}),
        ...(maxTrades !== undefined ? { maxTradesPerWeek: maxTrades } : {}),
      },
      broker: {
        ...(spread !== undefined ? { spreadPoints: { [args.symbol]: spread } } : {}),
        ...(commission !== undefined ? { commissionPerLot: commission } : {}),
        ...(leverage !== undefined ? { leverage } : {}),
      },
      labels: { from: args.from, to: args.to },
      emitBars: args.bars && !args['no-record'],
      progressEvery: Math.max(1000, Math.floor(series.length / 200)),
      onProgress: (done) => progress?.update(done),
      onEvent: (event) => {
        if (args['no-record']) return;
        if (!recording.current && event.event_type === 'BACKTEST_START') {
          recording.current = new Recorder({ dir: resolve(args.record!), kind: 'backtest', sessionId: event.session_id, batch: 512 });
        }
        recording.current?.record(event);
      },
    });
    progress?.done();
    recording.current?.close();
    if (args.json) {
      process.stdout.write(`${JSON.stringify(result.complete, null, 2)}\n`);
    } else {
      console.log(formatSummary(result.complete, { balance, source, synthetic, bars: result.bars }));
      if (recording.current) console.log(`recording: ${recording.current.path}`);
      if (synthetic) console.log(`note: ${args.symbol} has no real history here; these bars are SYNTHETIC (${source}).`);
    }
    return 0;
  } catch (err) {
    console.error(`backtest: ${(err as Error).message}`);
    return 1;
  }
}

quietOnClosedOutput();
process.exitCode = await main();
