import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { loadHistory } from '../../../engine/data/load-history.ts';
import { decodeOutcomes, encodeOutcomes, outcomeBytes, outcomeFromBytes } from '../../../engine/optimize/outcome-codec.ts';
import { oneSymbolSpec, resolveRun } from '../../../engine/optimize/run-spec.ts';
import { runTrial, type TrialOutcome } from '../../../engine/optimize/trial.ts';

/**
 * An outcome with its weekly returns as a plain array: decoded outcomes hold them as a view of
 * the packed doubles (no copy), so values are compared, not the container.
 */
const plain = (o: TrialOutcome) => ({ ...o, weeklyReturns: Array.from(o.weeklyReturns) });

const { series } = loadHistory({ symbol: 'USDCHF', timeframe: 'H4', from: '1997-01-01', to: '1998-12-31' });

test('real trial outcomes survive the packed form exactly, metric order included', async () => {
  const inputs = await resolveRun(oneSymbolSpec({ symbol: 'USDCHF', timeframe: 'H4' }), new Map([['USDCHF', series]]));
  const outcomes = [runTrial(inputs, { fast: 5, slow: 30 }), runTrial(inputs, { fast: 12, slow: 80 }), runTrial(inputs, { fast: 40, slow: 45 })];
  const back = decodeOutcomes(encodeOutcomes(outcomes));
  assert.ok(back.every((o) => o.weeklyReturns instanceof Float64Array), 'weekly returns are views of the packed doubles');
  assert.equal(back.map(plain), outcomes.map(plain));
  assert.equal(back.map((o) => JSON.stringify(plain(o))), outcomes.map((o) => JSON.stringify(plain(o))), 'same JSON text');
  assert.equal(plain(outcomeFromBytes(outcomeBytes(outcomes[1]))), plain(outcomes[1]));
});

test('nulls, NaN, infinities, -0 and an empty week list keep their values', () => {
  const odd: TrialOutcome = {
    metrics: { netProfit: -0, grossProfit: Infinity, grossLoss: -Infinity, profitFactor: null, expectedPayoff: NaN, sharpe: 0, sortino: 1e-300, recoveryFactor: null, maxDrawdown: 0, maxDrawdownPct: 0, trades: 0, winRate: 0, weeksWithinTarget: 0, weeksTotal: 0, finalBalance: 10_000 },
    weeklyReturns: [],
  };
  const [back] = decodeOutcomes(encodeOutcomes([odd]));
  assert.ok(Object.is(back.metrics.netProfit, -0));
  assert.ok(Number.isNaN(back.metrics.expectedPayoff));
  assert.equal(plain(back), plain(odd));
});

test('a result a JSON-storing worker left in Redis still reads; damaged bytes are a clear error', () => {
  const o: TrialOutcome = { metrics: { netProfit: 1, grossProfit: 2, grossLoss: -1, profitFactor: 2, expectedPayoff: 0.5, sharpe: 0.1, sortino: 0.2, recoveryFactor: 3, maxDrawdown: 1, maxDrawdownPct: 0.01, trades: 2, winRate: 0.5, weeksWithinTarget: 1, weeksTotal: 2, finalBalance: 10_001 }, weeklyReturns: [0.01, -0.02] };
  assert.equal(outcomeFromBytes(Buffer.from(JSON.stringify(o))), o);
  assert.throws(() => outcomeFromBytes(outcomeBytes(o).subarray(0, 20)), /damaged/);
  assert.throws(() => outcomeFromBytes(outcomeBytes(o).subarray(0, 8 * 18)), /damaged: 2 weekly returns/);
});

test.run();
