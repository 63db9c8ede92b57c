import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { SYMBOL_STATES, SYMBOL_TRANSITIONS } from '../../protocol/index.ts';
import { layoutMachine, wrapLabel } from '../../ui/src/features/state-machine/elk-layout.ts';

type Box = { x: number; y: number; width: number; height: number };
const overlap = (a: Box, b: Box) => a.x < b.x + b.width && b.x < a.x + a.width && a.y < b.y + b.height && b.y < a.y + a.height;

test('ELK lays out the symbol machine with every transition labelled and no label on another label or a state', async () => {
  const layout = await layoutMachine(SYMBOL_STATES, SYMBOL_TRANSITIONS);
  assert.equal(layout.nodes.map((n) => n.id).sort(), [...SYMBOL_STATES].sort());
  const pairs = new Set(SYMBOL_TRANSITIONS.map((t) => `${t.from}->${t.to}`));
  assert.is(layout.edges.length, pairs.size);
  for (const t of SYMBOL_TRANSITIONS) {
    const edge = layout.edges.find((e) => e.from === t.from && e.to === t.to)!;
    assert.ok(edge.label.text.includes(t.label), `${t.event} labelled`);
    assert.ok(edge.d.startsWith('M '), `${t.from}->${t.to} routed`);
  }
  const labels = layout.edges.map((e) => e.label);
  for (let i = 0; i < labels.length; i++) {
    for (let j = i + 1; j < labels.length; j++) assert.not.ok(overlap(labels[i], labels[j]), `"${labels[i].text}" overlaps "${labels[j].text}"`);
    for (const n of layout.nodes) assert.not.ok(overlap(labels[i], n), `"${labels[i].text}" overlaps state ${n.id}`);
  }
  for (let i = 0; i < layout.nodes.length; i++) for (let j = i + 1; j < layout.nodes.length; j++) assert.not.ok(overlap(layout.nodes[i], layout.nodes[j]));
});

test('long labels wrap at word boundaries', () => {
  assert.equal(wrapLabel('reversal refused at weekly max'), ['reversal', 'refused at', 'weekly max']);
  assert.equal(wrapLabel('stop'), ['stop']);
});

test.run();
