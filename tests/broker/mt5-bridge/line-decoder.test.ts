import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { LineDecoder } from '../../../engine/broker/mt5-bridge/line-decoder.ts';

test('a line split across chunks comes out once, whole, when its newline arrives', () => {
  const d = new LineDecoder();
  assert.equal(d.push(Buffer.from('{"type":"ti')), []);
  assert.equal(d.push(Buffer.from('ck","bid":1')), []);
  assert.equal(d.push(Buffer.from('}\n')).map((l) => l.text), ['{"type":"tick","bid":1}']);
  assert.is(d.pendingText(), '');
});

test('several lines in one chunk come out in order with their line numbers, CRLF and blank lines tolerated', () => {
  const d = new LineDecoder();
  const lines = d.push(Buffer.from('a\r\n\nb\nc'));
  assert.equal(lines, [{ text: 'a', lineNumber: 1 }, { text: 'b', lineNumber: 3 }]);
  assert.equal(d.push(Buffer.from('\n')), [{ text: 'c', lineNumber: 4 }]);
});

test('a multi-byte UTF-8 character split between chunks is decoded intact', () => {
  const d = new LineDecoder();
  const bytes = Buffer.from('{"comment":"€ ok"}\n', 'utf8');
  const cut = bytes.indexOf(0xe2) + 1;
  assert.equal(d.push(bytes.subarray(0, cut)), []);
  assert.equal(d.push(bytes.subarray(cut)).map((l) => l.text), ['{"comment":"€ ok"}']);
});

test('a line longer than the limit is an error naming the line, not unbounded memory', () => {
  const d = new LineDecoder(16);
  d.push(Buffer.from('ok\n'));
  assert.throws(() => d.push(Buffer.from('x'.repeat(40))), /line 2 exceeds 16 bytes/);
});

test('a complete line over the limit, newline included in the same chunk, is refused too (issue 16 item 1)', () => {
  const d = new LineDecoder(1 << 20);
  const big = `{"type":"deals","deals":"${'x'.repeat(1_100_000)}"}\n`;
  assert.throws(() => d.push(Buffer.from(big)), /line 1 has 1100\d+ bytes, over the 1048576-byte limit/);
  assert.equal(d.push(Buffer.from('{"type":"heartbeat","t":1}\n')).map((l) => l.text), ['{"type":"heartbeat","t":1}']);
});

test.run();
