import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { fuzzyScore, rankByQuery } from '../../ui/src/platform/fuzzy.ts';

const LABELS = ['Bot: Start Bot', 'Bot: Stop Bot ⚠', 'View: Toggle Light / Dark Theme', 'View: Toggle Panel', 'View: Close Editor', 'Dashboards: Open Trades (positions, closed trades, profit)'];

test('words in any order find the command: "toggle theme", "bot stop", "theme toggle"', () => {
  assert.is(rankByQuery(LABELS, 'toggle theme', (l) => l)[0], 'View: Toggle Light / Dark Theme');
  assert.is(rankByQuery(LABELS, 'theme toggle', (l) => l)[0], 'View: Toggle Light / Dark Theme');
  assert.is(rankByQuery(LABELS, 'bot stop', (l) => l)[0], 'Bot: Stop Bot ⚠');
});

test('an exact substring ranks above scattered words, and letters in order still match', () => {
  assert.is(rankByQuery(LABELS, 'close', (l) => l)[0], 'View: Close Editor');
  assert.is(rankByQuery(LABELS, 'tglpnl', (l) => l)[0], 'View: Toggle Panel');
  assert.is(fuzzyScore('xyz', 'View: Toggle Panel'), null);
});

test('an empty query keeps the given order (recently used first) and equal scores keep it too', () => {
  assert.equal(rankByQuery(LABELS, '  ', (l) => l), LABELS);
  assert.equal(rankByQuery(['B: x bot', 'A: x bot'], 'bot', (l) => l), ['B: x bot', 'A: x bot']);
});

test.run();
