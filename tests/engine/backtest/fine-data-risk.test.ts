import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadHistory } from '../../../engine/data/load-history.ts';
import { runBacktest } from '../../../engine/backtest/backtest-runner.ts';
import { smaCrossover } from '../../../plugins/sma-crossover/index.ts';
import { auditEvents } from '../../kit/recording-audit.ts';
import { makeTempDir } from '../../kit/data-builders.ts';
import { eventLog } from '../../kit/engine-builders.ts';

/**
 * The README's claim about realised risk: sized from the price the order is sent at, a stop-loss
 * exit loses its risk budget (balance × 1 % × multiplier), and what it loses beyond that is the
 * data's own gaps. On the shipped history (one price every 30 minutes) a stop the samples jump
 * through fills at the first sample past it, so its stop-loss exits lose a p90 of 1.34 budgets;
 * on 1-minute data, as MT5's tester uses, few stops gap and the realised risk is close to the
 * budget under either stop model. The data: a seeded random walk of 1-minute USDCHF prices,
 * weekdays only (the weekend stays a real gap), written as a `time,price` file and read by the
 * same importer as a user's file.
 */
const dir = makeTempDir('tradeloom-fine-risk-');

function oneMinuteWalk(): string {
  let seed = 12_345;
  const uniform = () => {
    seed = (seed * 1_103_515_245 + 12_345) % 2_147_483_648;
    return seed / 2_147_483_648;
  };
  const rows = ['time,price'];
  let price = 1.4;
  for (let t = Date.UTC(1998, 0, 5); t < Date.UTC(1998, 6, 1); t += 60_000) {
    const day = new Date(t).getUTCDay();
    if (day === 6 || day === 0 || (day === 5 && new Date(t).getUTCHours() >= 22)) continue;
    // About 1.2 pips a minute: 30-minute moves of the shipped history's size.
    price *= Math.exp(0.00012 * Math.sqrt(-2 * Math.log(uniform() + 1e-12)) * Math.cos(2 * Math.PI * uniform()));
    rows.push(`${new Date(t).toISOString().slice(0, 19)},${price.toFixed(5)}`);
  }
  const file = join(dir.path, 'usdchf-m1.csv');
  writeFileSync(file, rows.join('\n') + '\n');
  return file;
}

const file = oneMinuteWalk();

for (const model of ['bars', 'ticks'] as const) {
  test(`1-minute data, sma-crossover H1, model ${model}: stop-loss exits lose within 10 % of the risk budget at p90`, () => {
    const { series } = loadHistory({ symbol: 'USDCHF', timeframe: 'H1', file });
    const log = eventLog();
    runBacktest({ symbol: 'USDCHF', series, strategy: smaCrossover, broker: { model }, onEvent: log.push });
    const audit = auditEvents(log.events, 1);
    const stops = audit.stopLossRatios;
    assert.ok(stops.count >= 40, `a real sample of stop-loss exits (${stops.count})`);
    assert.ok(stops.p90 <= 1.1, `stop-loss loss / budget p90 ${stops.p90} (median ${stops.median}, max ${stops.max})`);
    assert.ok(stops.median >= 0.9, `sized to the budget, not under it: median ${stops.median}`);
    assert.is(audit.balanceBreaks, 0);
    assert.is(audit.noisyNumbers, 0, audit.firstNoisy ?? '');
  });
}

test.after(() => dir.remove());

test.run();
