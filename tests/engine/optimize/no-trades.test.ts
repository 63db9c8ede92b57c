import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { resolveObjective, scoreOf } from '../../../engine/optimize/objectives.ts';
import { decodeOutcomes, encodeOutcomes } from '../../../engine/optimize/outcome-codec.ts';
import type { TrialMetrics } from '../../../engine/plugin-api.ts';
import { smaCrossover } from '../../../plugins/sma-crossover/index.ts';

// Reviewer finding 1: a trial with no trades scored 0 and beat every losing trial; a search
// whose winner never traded claimed a DSR probability.
const cli = (args: string[]) => spawnSync(process.execPath, ['--import', 'tsx', 'engine/cli/optimize.ts', '--symbol', 'USDCHF', '--timeframe', 'H4', ...args], { encoding: 'utf8' });

const losing: TrialMetrics = {
  netProfit: -1107, grossProfit: 1000, grossLoss: 2107, profitFactor: 0.47, expectedPayoff: -25, sharpe: -2.4, sortino: -2, recoveryFactor: -0.8,
  maxDrawdown: 1348, maxDrawdownPct: 0.13, trades: 44, winRate: 0.3, weeksWithinTarget: 0, weeksTotal: 14, finalBalance: 8893,
};
const flat: TrialMetrics = { ...losing, netProfit: 0, grossProfit: 0, grossLoss: 0, profitFactor: null, expectedPayoff: 0, sharpe: 0, sortino: 0, recoveryFactor: null, maxDrawdown: 0, maxDrawdownPct: 0, trades: 0, winRate: 0, finalBalance: 10_000 };

test('a trial without trades scores below a losing trial under every built-in objective', () => {
  for (const id of ['net-profit', 'profit-factor', 'sharpe', 'recovery-factor', 'expected-payoff', 'drawdown', 'weeks-in-band']) {
    const objective = resolveObjective(id, smaCrossover);
    assert.is(scoreOf(objective, flat), -Infinity, id);
    assert.ok(scoreOf(objective, losing) > -Infinity, id);
  }
});

test('outcomes carry the order refusals through the pool and queue layout; outcomes stored by older workers (no order figures) still decode', () => {
  const outcome = { metrics: { ...flat, ordersSent: 76, ordersRefused: 76, mainRefusal: 10019 }, weeklyReturns: [0, 0] };
  assert.equal(decodeOutcomes(encodeOutcomes([outcome, outcome])).map((o) => ({ ...o, weeklyReturns: [...o.weeklyReturns] })), [outcome, outcome]);
  // The layout before: null mask without the extended bit, 15 metrics, the week count, the weeks.
  const old = new Float64Array([0b10010000, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 14, 10_000, 1, 0.5]);
  const [decoded] = decodeOutcomes(old);
  assert.is(decoded.metrics.finalBalance, 10_000);
  assert.is(decoded.metrics.ordersRefused, undefined);
  assert.equal([...decoded.weeklyReturns], [0.5]);
});

test('a flat trial ranks below a losing one and is flagged "no trades" in the table (reviewer: slow=500 ranked #1 with 0 trades)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'tradeloom-opt-flat-'));
  try {
    const r = cli(['--from', '1998-01-01', '--to', '1998-03-31', '--param', 'fast=10', '--param', 'slow=12,500', '--workers', '0', '--out', dir]);
    assert.is(r.status, 0, r.stderr);
    assert.match(r.stdout, /^1 +10 +12 +-1107\.32 .* 44 +\d+\/14$/m);
    assert.match(r.stdout, /^2 +10 +500 +0\.00 .* 0 +0\/14 +no trades$/m);
    assert.match(r.stdout, /Note/);
    assert.match(r.stdout, /DSR \d\.\d{3}: after 2 trials/, 'the winner traded: its DSR is given');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('trials.csv leaves a no-trades trial\'s objective empty (it read 0) and appends a note column with the table\'s words (review 2, finding 6)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'tradeloom-opt-flat-csv-'));
  try {
    const r = cli(['--from', '1998-01-01', '--to', '1998-03-31', '--param', 'fast=10', '--param', 'slow=12,500', '--workers', '0', '--out', dir]);
    assert.is(r.status, 0, r.stderr);
    const [head, traded, flatRow] = readFileSync(join(dir, 'trials.csv'), 'utf8').trim().split('\n').map((line) => line.split(','));
    // The earlier columns keep their places; the new one comes last.
    assert.equal(head.slice(0, 5), ['rank', 'fast', 'slow', 'net-profit', 'netProfit']);
    assert.equal(head.slice(-2), ['id', 'note']);
    assert.equal(traded.slice(0, 3), ['1', '10', '12']);
    assert.is(Number(traded[3]), -1107.32);
    assert.is(traded[head.length - 1], '', 'a trial that traded has no note');
    assert.equal(flatRow.slice(0, 3), ['2', '10', '500']);
    assert.is(flatRow[3], '', 'no objective value for a trial that never traded');
    assert.is(flatRow[4], '0', 'its net profit metric is still 0');
    assert.is(flatRow[head.length - 1], 'no trades');
    const recording = JSON.parse(readFileSync(join(dir, 'optimisation.json'), 'utf8'));
    assert.is(recording.trials[1].score, null);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('when every order is refused each trial says why, the search says plainly that nothing traded, and DSR is n/a rather than "50 %"', () => {
  for (const workers of ['2', '0']) {
    const dir = mkdtempSync(join(tmpdir(), 'tradeloom-opt-refused-'));
    try {
      const r = cli(['--from', '1998-01-01', '--to', '1998-12-31', '--risk', '100', '--param', 'fast=5,10', '--param', 'slow=30,60', '--workers', workers, '--out', dir]);
      assert.is(r.status, 0, r.stderr);
      const flagged = r.stdout.match(/no trades: \d+ of \d+ orders refused, 10019 there is not enough money to complete the request/g) ?? [];
      assert.is(flagged.length, 4, r.stdout);
      assert.match(r.stdout, /none of the 4 trials made a trade: there is nothing to rank; in every one the broker refused the orders, mostly 10019 there is not enough money/);
      assert.match(r.stdout, /DSR n\/a: the winner made no trades \(no trial did\)/);
      assert.not.match(r.stdout, /DSR \d/);
      assert.not.match(r.stdout, /probability that its true Sharpe/);
      const recording = JSON.parse(readFileSync(join(dir, 'optimisation.json'), 'utf8'));
      assert.is(recording.overfitting.dsr, null);
      assert.is(recording.trials[0].metrics.mainRefusal, 10019);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }
});

test.run();
