import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { TimeLimitError, timeLimited, withinTime } from '../../../engine/strategy/time-limit.ts';
import { smaCrossover } from '../../../plugins/sma-crossover/index.ts';
import type { Strategy } from '../../../engine/strategy/strategy.ts';

test('withinTime returns what the function returns and passes what it throws through unchanged', () => {
  assert.equal(withinTime(() => ({ a: [1, 2] }), 1_000, () => 'late'), { a: [1, 2] });
  const thrown = new RangeError('own');
  try {
    withinTime(() => { throw thrown; }, 1_000, () => 'late');
    assert.unreachable();
  } catch (err) {
    assert.is(err, thrown);
  }
});

test('a loop that never ends is stopped at the limit with a TimeLimitError, and the next call runs normally', () => {
  let spun = 0;
  try {
    withinTime(() => { for (;;) spun++; }, 50, () => 'onBar ran too long');
    assert.unreachable();
  } catch (err) {
    assert.instance(err, TimeLimitError);
    assert.is((err as Error).message, 'onBar ran too long');
  }
  assert.ok(spun > 0);
  assert.is(withinTime(() => 42, 50, () => 'late'), 42);
});

test('timeLimited keeps the plugin (id, config, hooks called on it) and names the hook it stopped', () => {
  const looping: Strategy = {
    kind: 'strategy', id: 'loops', description: 'd', defaultConfig: { n: 1 }, configCodec: smaCrossover.configCodec,
    onStart() { (this as unknown as { started: boolean }).started = true; },
    onBar() { for (;;); },
  } as unknown as Strategy;
  const limited = timeLimited(looping, 40);
  assert.is(limited.id, 'loops');
  assert.equal(limited.defaultConfig, { n: 1 });
  limited.onStart!({} as never);
  assert.is((looping as unknown as { started: boolean }).started, true, 'called on the plugin itself');
  assert.throws(() => limited.onBar!({} as never), (err: Error) => err instanceof TimeLimitError && /^onBar ran for more than 40 ms and was stopped/.test(err.message));
  // A frozen plugin (defineStrategy's) is wrapped, not written to.
  const frozen = timeLimited(smaCrossover, 1_000);
  assert.is(frozen.id, smaCrossover.id);
  assert.ok(frozen.onBar !== smaCrossover.onBar);
});

test.run();
