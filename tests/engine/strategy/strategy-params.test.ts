import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { defineStrategy, t } from '../../../engine/plugin-api.ts';
import { paramFields } from '../../../engine/strategy/strategy-params.ts';
import { patternsSr } from '../../../plugins/patterns-sr/index.ts';

const Positive = t.refinement(t.number, (n) => n > 0, 'positive number');

test('paramFields describes each declared parameter: its codec type, a form kind, the default and the plugin\'s words', () => {
  const strategy = defineStrategy({
    id: 'demo', description: 'demo',
    configCodec: t.intersection([t.type({ period: Positive, on: t.boolean }), t.partial({ label: t.string, levels: t.array(t.number) })]),
    defaultConfig: { period: 14, on: true, label: 'x', levels: [1, 2] },
    paramDescriptions: { period: 'Bars in the average' },
  });
  assert.equal(paramFields(strategy), [
    { name: 'period', type: 'positive number', kind: 'number', default: 14, description: 'Bars in the average' },
    { name: 'on', type: 'boolean', kind: 'boolean', default: true },
    { name: 'label', type: 'string', kind: 'string', default: 'x' },
    { name: 'levels', type: 'Array<number>', kind: 'json', default: [1, 2] },
  ]);
});

test('every parameter of the shipped patterns-sr strategy has a description', () => {
  const fields = paramFields(patternsSr);
  assert.ok(fields.length > 5);
  for (const f of fields) assert.ok((f.description ?? '').length > 10, `${f.name} described`);
});

test.run();
