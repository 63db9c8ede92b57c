import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { PATTERNS, detectPatternMask, referencePatternMask, patternNames } from '../../../../plugins/lib/candlestick-patterns/index.ts';
import { barSeriesFrom, type Bar } from '../../../../engine/plugin-api.ts';
import { usdchfHistory } from '../../fixture-history.ts';

test('the fused one-pass detector equals the one-function-per-pattern definitions on every fixture bar (H1 and H4)', () => {
  for (const tf of ['H1', 'H4'] as const) {
    const s = usdchfHistory(tf);
    for (let i = 0; i < s.length; i++) {
      const fused = detectPatternMask(s, i), reference = referencePatternMask(s, i);
      if (fused !== reference) assert.unreachable(`${tf} bar ${i}: fused ${patternNames(fused)} vs reference ${patternNames(reference)}`);
    }
  }
});

test('the fused detector equals the definitions on 200,000 random candles with shadows and ties', () => {
  let seed = 12345;
  const rnd = () => ((seed = (seed * 1103515245 + 12345) >>> 0) / 2 ** 32);
  const tick = () => Math.round(rnd() * 20) / 10; // coarse prices make ties (doji, tweezers, equal opens) common
  const bars: Bar[] = [];
  let price = 10;
  for (let k = 0; k < 200_000; k++) {
    const o = price + (tick() - 1) / 2, c = o + (tick() - 1) * 1.5;
    bars.push({ time: k, open: o, close: c, high: Math.max(o, c) + (rnd() < 0.5 ? 0 : tick()), low: Math.min(o, c) - (rnd() < 0.5 ? 0 : tick()), volume: 0 });
    price = c;
  }
  const s = barSeriesFrom('RND', 'H1', bars);
  const seen = new Set<number>();
  for (let i = 0; i < s.length; i++) {
    const fused = detectPatternMask(s, i), reference = referencePatternMask(s, i);
    if (fused !== reference) assert.unreachable(`bar ${i}: fused ${patternNames(fused)} vs reference ${patternNames(reference)}`);
    for (let k = 0; k < PATTERNS.length; k++) if (fused & (1 << k)) seen.add(k);
  }
  assert.equal(PATTERNS.filter((_, k) => !seen.has(k)).map((p) => p.name), [], 'every pattern occurs in the random data');
});

test.run();
