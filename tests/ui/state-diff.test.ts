import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { reduceAll } from '../../ui/src/core/reducer.ts';
import { initialState, type WorkbenchState } from '../../ui/src/core/state.ts';
import { parseRecording } from '../../ui/src/core/recording.ts';
import { applyPatch, diffState } from '../../ui/src/core/state-diff.ts';

// The live worker posts the page identity diffs of the reducer's state instead of the state:
// the page's mirror must always equal the worker's state, batch after batch, through a real
// recorded session (BAR floods, the 1000-entry log cap, trades, transitions).

const dir = join(import.meta.dirname, '../../fixtures/recordings');

for (const name of readdirSync(dir).filter((f) => f.endsWith('.jsonl'))) {
  test(`the page's mirror equals the worker's state at every batch of ${name.slice(0, 40)}…`, () => {
    const { events } = parseRecording(readFileSync(join(dir, name), 'utf8'), name);
    let state: WorkbenchState = initialState();
    let mirror: WorkbenchState = initialState();
    let batches = 0;
    for (let i = 0; i < events.length; i += 97) {
      const next = reduceAll(state, events.slice(i, i + 97));
      // What crosses postMessage is a structured clone of the patch.
      const patch = structuredClone(diffState(state, next));
      mirror = applyPatch(mirror, patch);
      state = next;
      batches++;
      if (batches % 5 === 0) assert.equal(mirror, state, `after ${i + 97} events`);
    }
    assert.equal(mirror, state);
    assert.ok(batches > 5);
  });
}

test('an unchanged state gives no patch, and unchanged slices keep their identity on the page', () => {
  const { events } = parseRecording(readFileSync(join(dir, readdirSync(dir).find((f) => f.includes('_paper_'))!), 'utf8'));
  const a = reduceAll(initialState(), events.slice(0, 200));
  assert.is(diffState(a, a), undefined);
  const b = reduceAll(a, events.slice(200, 201));
  const mirror = applyPatch(a, structuredClone(diffState(a, b)));
  const unchanged = (Object.keys(a) as (keyof WorkbenchState)[]).filter((k) => a[k] === b[k]);
  assert.ok(unchanged.length > 0);
  for (const k of unchanged) assert.ok(mirror[k] === a[k], `${String(k)} kept its identity`);
});

test.run();
