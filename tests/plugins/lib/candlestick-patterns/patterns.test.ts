import { test } from 'uvu';
import * as assert from 'uvu/assert';
import * as p from '../../../../plugins/lib/candlestick-patterns/index.ts';
import { candles, trend, type Ohlc } from '../../candles.ts';

/** Asserts that the last bar of `rows` completes exactly the named patterns. */
function expectPatterns(rows: Ohlc[], names: string[]): void {
  const s = candles(rows);
  assert.equal(p.detectPatterns(s, s.length - 1), names);
}

test('bearish candle covered by a larger bullish body is a Bullish Engulfing', () => {
  const s = candles([[10, 10.2, 8.8, 9], [8.9, 10.6, 8.8, 10.5]]);
  assert.ok(p.isBullishEngulfing(s, 1));
  assert.not.ok(p.isBearishEngulfing(s, 1));
  assert.not.ok(p.isBullishEngulfing(s, 0), 'needs a previous bar');
});

test('bullish candle covered by a larger bearish body is a Bearish Engulfing', () => {
  const s = candles([[9, 10.1, 8.9, 10], [10.1, 10.2, 8.5, 8.6]]);
  assert.ok(p.isBearishEngulfing(s, 1));
  assert.not.ok(p.isBullishEngulfing(s, 1));
});

test('engulfing needs the body to be strictly larger, not just equal', () => {
  const s = candles([[10, 10.1, 8.9, 9], [9, 10.1, 8.9, 10]]);
  assert.not.ok(p.isBullishEngulfing(s, 1));
});

test('hammer shape after a downtrend is a Hammer, after an uptrend a Hanging Man', () => {
  const hammer: Ohlc = [5.0, 5.22, 3.5, 5.2]; // body 0.2, lower shadow 1.5, upper 0.02
  expectPatterns([...trend('down', 5.5, 0.3), hammer], ['Hammer']);
  expectPatterns([...trend('up', 4.8, 0.3), hammer], ['Hanging Man']);
});

test('inverted hammer shape after a downtrend is an Inverted Hammer, after an uptrend a Shooting Star', () => {
  const inverted: Ohlc = [5.0, 6.7, 4.98, 5.2];
  expectPatterns([...trend('down', 5.5, 0.3), inverted], ['Inverted Hammer']);
  expectPatterns([...trend('up', 4.8, 0.3), inverted], ['Shooting Star']);
});

test('a hammer shape with no prior trend is neither hammer nor hanging man', () => {
  const s = candles([[5.0, 5.22, 3.5, 5.2]]);
  assert.ok(p.hasHammerShape(s, 0));
  assert.not.ok(p.isHammer(s, 0));
  assert.not.ok(p.isHangingMan(s, 0));
});

test('doji family: standard, dragonfly, gravestone and the four-price doji', () => {
  assert.ok(p.isStandardDoji(candles([[5, 6, 4, 5.05]]), 0));
  assert.ok(p.isDragonflyDoji(candles([[5.98, 6, 4, 6]]), 0));
  assert.ok(p.isGravestoneDoji(candles([[4.02, 6, 4, 4]]), 0));
  assert.ok(p.isDoji(candles([[5, 5, 5, 5]]), 0), 'four-price doji');
  assert.not.ok(p.isDoji(candles([[5, 6, 4, 5.5]]), 0), 'body 25% of range is not a doji');
  assert.not.ok(p.isStandardDoji(candles([[5.98, 6, 4, 6]]), 0), 'a dragonfly is not also a standard doji');
});

test('long bear, small star below its close, bull closing above the midpoint is a Morning Star', () => {
  const s = candles([[10, 10.1, 8.9, 9], [8.9, 9.0, 8.6, 8.8], [8.85, 9.8, 8.8, 9.7]]);
  assert.ok(p.isMorningStar(s, 2));
  assert.not.ok(p.isEveningStar(s, 2));
  const weak = candles([[10, 10.1, 8.9, 9], [8.9, 9.0, 8.6, 8.8], [8.85, 9.4, 8.8, 9.3]]);
  assert.not.ok(p.isMorningStar(weak, 2), 'third close below the first midpoint');
});

test('long bull, small star above its close, bear closing below the midpoint is an Evening Star', () => {
  const s = candles([[9, 10.1, 8.9, 10], [10.1, 10.4, 10.0, 10.2], [10.15, 10.2, 9.2, 9.3]]);
  assert.ok(p.isEveningStar(s, 2));
});

test('smaller body inside the previous opposite body is a Harami', () => {
  assert.ok(p.isBullishHarami(candles([[10, 10.1, 8.9, 9], [9.2, 9.7, 9.1, 9.6]]), 1));
  assert.ok(p.isBearishHarami(candles([[9, 10.1, 8.9, 10], [9.8, 9.9, 9.3, 9.4]]), 1));
  assert.not.ok(p.isBullishHarami(candles([[10, 10.1, 8.9, 9], [8.8, 9.7, 8.7, 9.6]]), 1), 'opens below the body');
});

test('bull opening below a long bear close and closing past its midpoint is a Piercing Line', () => {
  assert.ok(p.isPiercingLine(candles([[10, 10.1, 8.9, 9], [8.8, 9.8, 8.7, 9.7]]), 1));
  assert.not.ok(p.isPiercingLine(candles([[10, 10.1, 8.9, 9], [8.8, 9.4, 8.7, 9.3]]), 1), 'below the midpoint');
});

test('bear opening above a long bull close and closing past its midpoint is a Dark Cloud Cover', () => {
  assert.ok(p.isDarkCloudCover(candles([[9, 10.1, 8.9, 10], [10.2, 10.3, 9.2, 9.3]]), 1));
});

test('three rising solid bulls each opening in the previous body are Three White Soldiers', () => {
  const s = candles([[9, 10.1, 8.95, 10], [9.8, 11, 9.7, 10.9], [10.7, 12, 10.6, 11.9]]);
  assert.ok(p.isThreeWhiteSoldiers(s, 2));
  const gap = candles([[9, 10.1, 8.95, 10], [10.5, 11.6, 10.4, 11.5], [11.3, 12.6, 11.2, 12.5]]);
  assert.not.ok(p.isThreeWhiteSoldiers(gap, 2), 'second opens above the first body');
});

test('three falling solid bears each opening in the previous body are Three Black Crows', () => {
  const s = candles([[12, 12.05, 10.9, 11], [11.2, 11.3, 10.1, 10.2], [10.3, 10.4, 9.1, 9.2]]);
  assert.ok(p.isThreeBlackCrows(s, 2));
});

test('matching highs after an uptrend are a Tweezer Top, matching lows after a downtrend a Tweezer Bottom', () => {
  expectPatterns([...trend('up', 9, 0.3), [9, 9.61, 8.95, 9.5], [9.5, 9.6, 8.95, 9.0]], ['Tweezer Top']);
  expectPatterns([...trend('down', 9, 0.3), [9, 9.05, 8.4, 8.5], [8.5, 9.0, 8.41, 9.0]], ['Tweezer Bottom']);
  const s = candles([...trend('up', 9, 0.3), [9, 9.8, 8.95, 9.5], [9.5, 9.6, 9.0, 9.3]]);
  assert.not.ok(p.isTweezerTop(s, s.length - 1), 'highs 0.2 apart are not a tweezer');
});

test('masks: bullish and bearish sets are disjoint and names round-trip through patternBit', () => {
  assert.is(p.BULLISH_MASK & p.BEARISH_MASK, 0);
  for (const def of p.PATTERNS) assert.equal(p.patternNames(p.patternBit(def.name)), [def.name]);
  assert.throws(() => p.patternBit('Bullish Engulfng'), /unknown candlestick pattern "Bullish Engulfng"/);
});

test('detection never reads past the bar it is asked about', () => {
  const rows: Ohlc[] = [[10, 10.2, 8.8, 9], [8.9, 10.6, 8.8, 10.5], [10.5, 10.6, 7, 7.1]];
  const full = candles(rows);
  const cut = candles(rows.slice(0, 2));
  assert.equal(p.detectPatterns(full, 1), p.detectPatterns(cut, 1));
});

test.run();
