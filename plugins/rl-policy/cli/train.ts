// npm run train -- --symbol USDCHF --from 1996-04-01 --to 1999-12-31 --seed 1 [--generations 40
//   --population 16 --sigma 0.2 --learning-rate 0.1 --drawdown-penalty 0.5 --band-penalty 0 --mirror off|on --out file.json]
// Trains the rl-policy plugin's linear policy by evolution strategies over backtest episodes and
// saves a versioned policy file. Same arguments, same file, byte for byte.
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadHistory } from '../../../engine/research-api.ts';
import type { Timeframe } from '../../../engine/plugin-api.ts';
import { DEFAULT_TRAIN_OPTIONS, trainPolicy } from '../training/evolution-strategies.ts';
import { numberArg, parseArgs, progress } from './cli-args.ts';

const OPTIONS = ['symbol', 'timeframe', 'from', 'to', 'seed', 'generations', 'population', 'sigma', 'learning-rate', 'drawdown-penalty', 'band-penalty', 'mirror', 'out'];

export function main(argv: readonly string[]): string {
  const args = parseArgs(argv, OPTIONS);
  const symbol = args.symbol ?? 'USDCHF';
  const timeframe = (args.timeframe ?? 'H1') as Timeframe;
  const from = args.from ?? '1996-04-01';
  const to = args.to ?? '1999-12-31';
  const generations = numberArg(args, 'generations', DEFAULT_TRAIN_OPTIONS.generations);
  const { series, synthetic, source } = loadHistory({ symbol, timeframe, from, to });
  if (series.length === 0) throw new Error(`no ${symbol} ${timeframe} bars between ${from} and ${to}`);
  process.stderr.write(`training on ${series.length} ${symbol} ${timeframe} bars ${from}..${to} from ${source}${synthetic ? ' (synthetic)' : ''}\n`);
  const policy = trainPolicy({
    series, from, to,
    seed: numberArg(args, 'seed', 1),
    generations,
    population: numberArg(args, 'population', DEFAULT_TRAIN_OPTIONS.population),
    sigma: numberArg(args, 'sigma', DEFAULT_TRAIN_OPTIONS.sigma),
    learningRate: numberArg(args, 'learning-rate', DEFAULT_TRAIN_OPTIONS.learningRate),
    drawdownPenalty: numberArg(args, 'drawdown-penalty', DEFAULT_TRAIN_OPTIONS.drawdownPenalty),
    bandPenalty: numberArg(args, 'band-penalty', DEFAULT_TRAIN_OPTIONS.bandPenalty),
    mirror: mirrorArg(args.mirror),
    onGeneration: (g, mean, best) => progress('train', g, generations, `mean reward ${mean.toFixed(4)} best ${best.toFixed(4)}`),
  });
  const defaultOut = fileURLToPath(new URL(`../policies/${symbol.toLowerCase()}-${timeframe.toLowerCase()}.json`, import.meta.url));
  const out = args.out ? resolve(args.out) : defaultOut;
  mkdirSync(dirname(out), { recursive: true });
  writeFileSync(out, `${JSON.stringify(policy, null, 2)}\n`);
  process.stderr.write(`saved ${out} (final training reward ${policy.training.finalReward})\n`);
  return out;
}

function mirrorArg(value: string | undefined): boolean {
  if (value === 'on') return true;
  if (value === undefined || value === 'off') return false;
  throw new Error(`--mirror must be "on" or "off", got "${value}"`);
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  try {
    main(process.argv.slice(2));
  } catch (err) {
    process.stderr.write(`train: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
  }
}
