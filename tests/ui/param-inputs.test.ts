import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { ParamField } from '../../protocol/index.ts';
import { initialInputs, paramValues } from '../../ui/src/features/backtests/param-inputs.ts';

const FIELDS: ParamField[] = [
  { name: 'fast', type: 'positive integer', kind: 'number', default: 10 },
  { name: 'trail', type: 'boolean', kind: 'boolean', default: false },
  { name: 'label', type: 'string', kind: 'string', default: 'x' },
  { name: 'patterns', type: 'Array<string>', kind: 'json', default: ['Hammer'] },
];

test('fields start at the bot\'s own values where it has them, else at the codec\'s defaults', () => {
  assert.equal(initialInputs(FIELDS), { fast: '10', trail: 'false', label: 'x', patterns: '["Hammer"]' });
  assert.equal(initialInputs(FIELDS, { fast: 12, patterns: [] }), { fast: '12', trail: 'false', label: 'x', patterns: '[]' });
});

test('the inputs become typed values; a value the codec may refuse (0, 2.5) is still sent for the server to judge', () => {
  const r = paramValues(FIELDS, { fast: '0', trail: 'true', label: ' a ', patterns: '["Hammer","Doji"]' });
  assert.equal(r, { ok: true, values: { fast: 0, trail: true, label: ' a ', patterns: ['Hammer', 'Doji'] } });
  assert.equal(paramValues(FIELDS, { ...initialInputs(FIELDS), fast: '2.5' }), { ok: true, values: { fast: 2.5, trail: false, label: 'x', patterns: ['Hammer'] } });
});

test('an empty number or JSON that does not parse is caught before sending, naming the field', () => {
  assert.equal(paramValues(FIELDS, { ...initialInputs(FIELDS), fast: '' }), { ok: false, field: 'fast', error: 'fast: enter a number (positive integer)' });
  assert.equal(paramValues(FIELDS, { ...initialInputs(FIELDS), patterns: '[Hammer' }), { ok: false, field: 'patterns', error: 'patterns: not valid JSON (Array<string>)' });
});

test.run();
