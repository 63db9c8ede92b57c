// npm run evaluate [-- --policy file.json --neutral-policy file.json | --retrain --seed 1] [--model bars|ticks] [--json]
// Walk-forward evaluation: the two RL policies trained on 1996-1999 (the shipped files, or
// retrained with --retrain: the plain objective and the direction-neutral one) against
// patterns-sr, the SMA(10/30) reference and buy-and-hold, all through
// the same BacktestRunner on the unseen test years 2000-2001 (the data ends 2001-03-30). The
// training years are shown too, so in-sample and out-of-sample can be compared.
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as t from 'io-ts';
import { loadHistory, runBacktest, type BacktestResult, type SimModel } from '../../../engine/research-api.ts';
import { defineStrategy, type Strategy } from '../../../engine/plugin-api.ts';
import { patternsSr } from '../../patterns-sr/index.ts';
import { smaCrossover } from '../../sma-crossover/index.ts';
import { DEFAULT_POLICY_PATH, createRlPolicyStrategy, readPolicyFile, type PolicyFile } from '../index.ts';
import { DEFAULT_TRAIN_OPTIONS, NEUTRAL_TRAIN_OPTIONS, trainPolicy } from '../training/evolution-strategies.ts';
import { numberArg, parseArgs, progress } from './cli-args.ts';

export const TRAIN_RANGE = { from: '1996-04-01', to: '1999-12-31' } as const;
export const TEST_RANGE = { from: '2000-01-01', to: '2001-12-31' } as const;
const BALANCE = 10_000;

/**
 * Buy on the first bar and hold to the end, sized to about 1x leverage through the engine's own
 * sizing (risk 50 % of the balance with the stop 50 % below the price); the governor's minimum
 * is off for it, since one trade is the whole idea.
 */
const buyAndHold = defineStrategy<Record<string, never>, { bought: boolean }>({
  id: 'buy-and-hold',
  description: 'Buys on the first bar and holds to the end (benchmark)',
  configCodec: t.type({}) as unknown as t.Type<Record<string, never>>,
  defaultConfig: {},
  initialState: () => ({ bought: false }),
  onBar(ctx) {
    if (ctx.state.bought) return;
    ctx.state.bought = true;
    return { direction: 'buy', stopLoss: ctx.bars.close[ctx.index] * 0.5, reason: 'buy and hold' };
  },
});

export interface EvaluationRow {
  readonly strategy: string;
  readonly period: string;
  readonly returnPct: number;
  readonly maxDrawdownPct: number;
  readonly sharpe: number;
  readonly trades: number;
  readonly weeksWithin: string;
}

/** Weeks with 3 to 10 trades, counted from the weekly stats (not the governor's own target, which buy-and-hold lowers). */
function weeksWithinBand(r: BacktestResult): string {
  const weeks = Object.values(r.complete.weekly_stats);
  return `${weeks.filter((w) => w.trades >= 3 && w.trades <= 10).length}/${weeks.length}`;
}

function row(name: string, period: string, r: BacktestResult): EvaluationRow {
  const m = r.complete.metrics!;
  return {
    strategy: name, period,
    returnPct: Math.round((r.complete.total_return / BALANCE) * 10_000) / 100,
    maxDrawdownPct: Math.round((m.max_drawdown_pct ?? 0) * 10_000) / 100,
    sharpe: Math.round((m.sharpe ?? 0) * 100) / 100,
    trades: r.complete.total_trades,
    weeksWithin: weeksWithinBand(r),
  };
}

/** The neutral policy shipped beside the default one. */
export const NEUTRAL_POLICY_PATH = DEFAULT_POLICY_PATH.replace(/\.json$/, '-neutral.json');

/**
 * Every strategy over the test and training years. `model`: how stops and targets are tested
 * inside a bar (the simulator's `model`): `bars` (the default) or `ticks` (each 30-minute sample).
 */
export function evaluate(policy: PolicyFile, neutral: PolicyFile, model: SimModel = 'bars'): EvaluationRow[] {
  for (const p of [policy, neutral]) {
    if (p.training.to >= TEST_RANGE.from) {
      throw new Error(`a policy was trained up to ${p.training.to}, which overlaps the test years from ${TEST_RANGE.from}: retrain with --retrain`);
    }
  }
  const entries: [string, Strategy, object][] = [
    ['rl-policy (shipped: plain objective)', createRlPolicyStrategy(policy), {}],
    ['rl-policy (direction-neutral objective)', createRlPolicyStrategy(neutral), {}],
    ['patterns-sr', patternsSr, {}],
    ['sma-crossover (reference)', smaCrossover, {}],
    ['buy-and-hold', buyAndHold, { riskPercent: 50, governor: { minTradesPerWeek: 0 } }],
  ];
  const rows: EvaluationRow[] = [];
  for (const [period, range] of [['test 2000-01..2001-03', TEST_RANGE], ['train 1996-04..1999-12', TRAIN_RANGE]] as const) {
    const { series } = loadHistory({ symbol: 'USDCHF', timeframe: 'H1', ...range });
    for (const [name, strategy, extra] of entries) {
      rows.push(row(name, period, runBacktest({ symbol: 'USDCHF', series, strategy, balance: BALANCE, ...(model === 'ticks' ? { broker: { model } } : {}), ...extra })));
    }
  }
  return rows;
}

export function evaluationTable(rows: readonly EvaluationRow[]): string {
  return [
    '| period | strategy | return | max drawdown | Sharpe | trades | weeks within 3-10 |',
    '| --- | --- | ---: | ---: | ---: | ---: | ---: |',
    ...rows.map((r) => `| ${r.period} | ${r.strategy} | ${r.returnPct.toFixed(2)}% | ${r.maxDrawdownPct.toFixed(2)}% | ${r.sharpe.toFixed(2)} | ${r.trades} | ${r.weeksWithin} |`),
  ].join('\n');
}

export function main(argv: readonly string[]): string {
  const flags: string[] = argv.filter((a) => a === '--retrain' || a === '--json');
  const args = parseArgs(argv.filter((a) => !flags.includes(a)), ['policy', 'neutral-policy', 'seed', 'generations', 'model']);
  const model = args.model ?? 'bars';
  if (model !== 'bars' && model !== 'ticks') throw new Error(`--model "${model}" is not bars or ticks`);
  let policy: PolicyFile;
  let neutral: PolicyFile;
  if (flags.includes('--retrain')) {
    const generations = numberArg(args, 'generations', DEFAULT_TRAIN_OPTIONS.generations);
    const { series } = loadHistory({ symbol: 'USDCHF', timeframe: 'H1', ...TRAIN_RANGE });
    const seed = numberArg(args, 'seed', 1);
    [policy, neutral] = [DEFAULT_TRAIN_OPTIONS, NEUTRAL_TRAIN_OPTIONS].map((options, k) => trainPolicy({
      ...options, series, ...TRAIN_RANGE, seed, generations,
      onGeneration: (g, mean) => progress(k === 0 ? 'train (plain)' : 'train (neutral)', g, generations, `mean reward ${mean.toFixed(4)}`),
    }));
  } else {
    policy = readPolicyFile(args.policy ? resolve(args.policy) : DEFAULT_POLICY_PATH);
    neutral = readPolicyFile(args['neutral-policy'] ? resolve(args['neutral-policy']) : NEUTRAL_POLICY_PATH);
  }
  const rows = evaluate(policy, neutral, model);
  const text = flags.includes('--json') ? JSON.stringify(rows, null, 2) : evaluationTable(rows);
  process.stdout.write(`${text}\n`);
  return text;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  try {
    main(process.argv.slice(2));
  } catch (err) {
    process.stderr.write(`evaluate: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
  }
}
