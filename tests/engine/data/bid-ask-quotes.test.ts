import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { importBidAskQuotes } from '../../../engine/data/bid-ask-quotes.ts';
import { FIXTURES_DIR } from '../../../engine/data/load-history.ts';
import { encodeLines, utc } from '../../kit/data-builders.ts';

const header = 'XDATE,DELAY,CONTRIBUTOR,BID,ASK,FLAG';

test('rows out of time order are sorted stably and reported with their line', () => {
  const r = importBidAskQuotes(
    encodeLines([header, '199706011928,1,AAA,24.8,25,0', '199706011931,1,BBB,24.82,25.02,0', '199706011929,1,CCC,24.81,25.01,0', '199706011931,1,DDD,24.83,25.03,0']),
  );
  assert.equal(r.quotes.map((q) => q.contributor), ['AAA', 'CCC', 'BBB', 'DDD']);
  assert.equal(r.outOfOrder, [{ line: 4, time: utc('1997-06-01T19:29:00'), previousTime: utc('1997-06-01T19:31:00') }]);
  assert.is(r.quotes[1].line, 4);
  assert.equal(r.outliers, []);
});

test('crossed quotes, a zero ask and a price spike are flagged but kept', () => {
  const calm = Array.from({ length: 30 }, (_, i) => `1997060110${String(i).padStart(2, '0')},0,AAA,${(25 + (i % 3) * 0.01).toFixed(2)},${(25.1 + (i % 3) * 0.01).toFixed(2)},0`);
  const r = importBidAskQuotes(
    encodeLines([header, ...calm.slice(0, 10), '199706011010,0,SPK,28.05,28.06,0', ...calm.slice(11, 20), '199706011020,0,ZER,25.3,0,0', '199706011021,0,CRS,25.2,25.1,0', ...calm.slice(22)]),
  );
  assert.is(r.quotes.length, 30);
  assert.equal(
    r.outliers.map((o) => [o.line, r.quotes[o.index].contributor]),
    [[12, 'SPK'], [22, 'ZER'], [23, 'CRS']],
  );
  assert.match(r.outliers[0].reason, /sigma from its neighbours' median/);
  assert.match(r.outliers[1].reason, /non-positive ask/);
  assert.match(r.outliers[2].reason, /ask 25.1 below bid 25.2/);
});

test('the real USDTHB fixture: 2,984 quotes, one out-of-order row, the zero ask and the 28.05 spikes flagged', () => {
  const r = importBidAskQuotes(`${FIXTURES_DIR}usdthb_quotes.csv`);
  assert.is(r.quotes.length, 2984);
  assert.equal(r.skipped, []);
  assert.equal(r.outOfOrder.map((o) => o.line), [2363]);
  const flagged = new Set(r.outliers.map((o) => o.line));
  for (const line of [530, 638, 2788, 2862]) assert.ok(flagged.has(line), `line ${line} flagged`);
  assert.ok(r.outliers.length < 50, `only a handful of the 2,984 quotes flagged (got ${r.outliers.length})`);
  for (let i = 1; i < r.quotes.length; i++) assert.ok(r.quotes[i].time >= r.quotes[i - 1].time);
});

test('a malformed XDATE names file, line and column', () => {
  assert.throws(
    () => importBidAskQuotes(encodeLines([header, '1997060119,1,AAA,24.8,25,0']), { fileName: 'thb.csv' }),
    (e: Error) => e.message === 'thb.csv:2: column "XDATE": "1997060119" is not a time (YYYYMMDDhhmm)',
  );
});

test.run();
