import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadHistory } from '../../../engine/data/load-history.ts';
import { runBacktest } from '../../../engine/backtest/backtest-runner.ts';
import type { DecisionData } from '../../../protocol/index.ts';
import { createRlPolicyStrategy, readPolicyFile, rlPolicyStatus, ACTIONS, type PolicyFile, type RlPolicyState } from '../../../plugins/rl-policy/index.ts';
import { mirrorSeries, trainPolicy } from '../../../plugins/rl-policy/training/evolution-strategies.ts';
import { main as trainMain } from '../../../plugins/rl-policy/cli/train.ts';

const temp = mkdtempSync(join(tmpdir(), 'tradeloom-rl-'));
const { series } = loadHistory({ symbol: 'USDCHF', timeframe: 'H1', from: '1997-01-01', to: '1997-03-31' });
const tiny = (seed: number) => trainPolicy({ series, from: '1997-01-01', to: '1997-03-31', seed, generations: 2, population: 4, sigma: 0.2, learningRate: 0.1, drawdownPenalty: 0.5, bandPenalty: 0.5 });

/** Every decision (action index and four probabilities) of a backtest, plus its rl_action events. */
function decisionsOf(policy: PolicyFile) {
  const strategy = createRlPolicyStrategy(policy, { recordDecisions: true });
  let state: RlPolicyState | undefined;
  const wrapped = { ...strategy, initialState: (ctx: never) => (state = strategy.initialState!(ctx)) };
  const events: DecisionData[] = [];
  runBacktest({ symbol: 'USDCHF', series, strategy: wrapped, onEvent: (e) => { if (e.event_type === 'DECISION' && (e.data as DecisionData).decision === 'rl_action') events.push(e.data as DecisionData); } });
  return { log: state!.log!, events };
}

test('the trainer is reproducible: one seed gives identical weights, another seed different ones', () => {
  const a = tiny(7), b = tiny(7), c = tiny(8);
  assert.equal(a.weights, b.weights);
  assert.equal(a.training.history, b.training.history);
  assert.not.equal(a.weights, c.weights);
});

test('the mirrored training series reverses the drift and keeps every candle range', () => {
  const m = mirrorSeries(series);
  const last = series.length - 1;
  assert.ok(Math.abs((m.close[last] - m.close[0]) + (series.close[last] - series.close[0])) < 1e-12, 'opposite drift');
  for (let i = 0; i < series.length; i++) {
    assert.ok(Math.abs((m.high[i] - m.low[i]) - (series.high[i] - series.low[i])) < 1e-12);
    assert.ok(m.low[i] <= Math.min(m.open[i], m.close[i]) && m.high[i] >= Math.max(m.open[i], m.close[i]));
  }
  assert.is(trainPolicy({ series, from: '1997-01-01', to: '1997-03-31', seed: 3, generations: 1, population: 2, sigma: 0.2, learningRate: 0.1, drawdownPenalty: 0.5, bandPenalty: 0.5, mirror: true }).training.augmentation, 'mirror');
  assert.is(tiny(3).training.augmentation, undefined);
});

test('a trained policy saved to a file reloads to identical decisions and action values', () => {
  const policy = tiny(3);
  const path = join(temp, 'policy.json');
  writeFileSync(path, JSON.stringify(policy, null, 2));
  const reloaded = readPolicyFile(path);
  const before = decisionsOf(policy), after = decisionsOf(reloaded);
  assert.ok(before.log.length > 1000);
  assert.equal(after.log, before.log);
  assert.equal(after.events, before.events);
});

test('every policy choice is reported as DECISION rl_action with the action and each action probability', () => {
  const { log, events } = decisionsOf(tiny(3));
  assert.is(events.length, log.length / 5, 'one rl_action per decision');
  for (let k = 0; k < events.length; k++) {
    const e = events[k];
    assert.ok(ACTIONS.includes(e.action as never));
    assert.is(e.action, ACTIONS[log[5 * k]]);
    const values = e.action_values!;
    assert.equal(Object.keys(values), [...ACTIONS]);
    assert.ok(Math.abs(Object.values(values).reduce((s, v) => s + v, 0) - 1) < 1e-9);
  }
});

test('the train CLI writes a versioned policy file, byte-identical for the same arguments', () => {
  const args = ['--symbol', 'USDCHF', '--from', '1997-01-01', '--to', '1997-02-28', '--seed', '5', '--generations', '1', '--population', '2'];
  const a = trainMain([...args, '--out', join(temp, 'a.json')]);
  const b = trainMain([...args, '--out', join(temp, 'b.json')]);
  assert.is(readFileSync(a, 'utf8'), readFileSync(b, 'utf8'));
  const file = readPolicyFile(a);
  assert.is(file.version, 1);
  assert.is(file.training.seed, 5);
  assert.throws(() => trainMain(['--symbol']), /--symbol needs a value/);
});

test('a policy file for another observation layout is refused, naming the file and the mismatch', () => {
  const bad = { ...tiny(3), features: ['bias', 'something_else'] };
  const path = join(temp, 'bad.json');
  writeFileSync(path, JSON.stringify(bad));
  assert.throws(() => readPolicyFile(path), (err: Error) => err.message.startsWith(path) && /do not match this plugin's observation/.test(err.message));
  writeFileSync(path, '{"format":"tradeloom-rl-policy","version":2}');
  assert.throws(() => readPolicyFile(path), /not a valid policy file/);
});

test('the shipped USDCHF H1 policy loads, so rl_enabled can be true', () => {
  assert.ok(rlPolicyStatus.loaded, String(rlPolicyStatus.error));
});

test.after(() => rmSync(temp, { recursive: true, force: true }));

test.run();
