import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { evaluate, main, NEUTRAL_POLICY_PATH } from '../../../plugins/rl-policy/cli/evaluate.ts';
import { DEFAULT_POLICY_PATH, readPolicyFile } from '../../../plugins/rl-policy/index.ts';

// What the plugins README says of the shipped policies: on the default model they gain in the
// test years; under --model ticks (the same bars and features, every stop and target filled at
// the sample that crossed it) both lose, while the SMA reference still gains.
test('npm run evaluate -- --model ticks: the shipped policies lose in the test years where the default model shows gains; the SMA reference gains under both', () => {
  const policy = readPolicyFile(DEFAULT_POLICY_PATH);
  const neutral = readPolicyFile(NEUTRAL_POLICY_PATH);
  const testYears = (model: 'bars' | 'ticks') => new Map(evaluate(policy, neutral, model).filter((r) => r.period.startsWith('test')).map((r) => [r.strategy, r.returnPct]));
  const bars = testYears('bars');
  const ticks = testYears('ticks');
  for (const name of ['rl-policy (shipped: plain objective)', 'rl-policy (direction-neutral objective)']) {
    assert.ok(bars.get(name)! > 0, `${name} gains under bars: ${bars.get(name)} %`);
    assert.ok(ticks.get(name)! < -50, `${name} loses under ticks: ${ticks.get(name)} %`);
  }
  assert.ok(bars.get('sma-crossover (reference)')! > 0 && ticks.get('sma-crossover (reference)')! > 0);
  assert.throws(() => main(['--model', 'tick']), /--model "tick" is not bars or ticks/);
});

test.run();
