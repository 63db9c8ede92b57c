import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { patternsSr, DEFAULT_PATTERNS_SR_CONFIG } from '../../../plugins/patterns-sr/index.ts';
import { runBacktest } from '../../../engine/backtest/backtest-runner.ts';
import { loadHistory } from '../../../engine/data/load-history.ts';
import type { TradeEntryData } from '../../../protocol/index.ts';
import { validateStrategyConfig } from '../../../engine/strategy/plugin-loader.ts';
import { detectPatterns } from '../../../plugins/lib/candlestick-patterns/index.ts';
import { candles, type Ohlc } from '../candles.ts';
import { signalsOver, strategyContext } from '../strategy-context.ts';

/** A range between 1.0000 and 1.0200 swung three times, then a dip to support. */
function rangeThenDip(last: Ohlc[]): Ohlc[] {
  const rows: Ohlc[] = [];
  const leg = (from: number, to: number) => {
    for (let k = 1; k <= 5; k++) {
      const o = from + ((to - from) * (k - 1)) / 5, c = from + ((to - from) * k) / 5;
      rows.push([o, Math.max(o, c) + 0.0002, Math.min(o, c) - 0.0002, c]);
    }
  };
  for (let swing = 0; swing < 3; swing++) { leg(1.0, 1.02); leg(1.02, 1.0); }
  leg(1.0, 1.015);
  leg(1.015, 1.0015);
  return [...rows, ...last];
}

test('a bullish engulfing at a twice-touched support buys with the stop below the level and names both', () => {
  const s = candles(rangeThenDip([[1.0015, 1.0018, 1.0003, 1.0005], [1.0004, 1.0042, 1.0002, 1.004]]));
  const ctx = strategyContext(patternsSr, s);
  const signals = signalsOver(patternsSr, ctx);
  assert.ok(signals.length >= 1, 'one signal');
  const { index, signal } = signals[signals.length - 1];
  assert.is(index, s.length - 1);
  assert.is(signal.direction, 'buy');
  assert.ok(signal.patterns?.includes('Bullish Engulfing'), String(signal.patterns));
  const support = signal.srLevels!.support!;
  assert.ok(Math.abs(support - 0.9998) < 0.0005, `support near 1.0000, got ${support}`);
  assert.ok(signal.stopLoss! < support, 'stop beyond the level');
  assert.ok(signal.takeProfit! > s.close[index]);
  assert.ok(signal.srLevels!.resistance! > 1.019, 'the range top is the resistance');
});

test('the same engulfing in the middle of the range, far from any level, gives no signal', () => {
  const rows = rangeThenDip([]).slice(0, -5);
  const s = candles([...rows, [1.0102, 1.0104, 1.0088, 1.009], [1.0088, 1.0125, 1.0086, 1.0122]]);
  assert.ok(detectPatterns(s, s.length - 1).includes('Bullish Engulfing'));
  const ctx = strategyContext(patternsSr, s);
  assert.equal(signalsOver(patternsSr, ctx).filter((x) => x.index >= s.length - 2), []);
});

test('an open trade is closed after maxBarsInTrade bars', () => {
  const s = candles(rangeThenDip([]));
  const ctx = strategyContext(patternsSr, s, { ...DEFAULT_PATTERNS_SR_CONFIG, maxBarsInTrade: 5 });
  ctx.position = { direction: 'buy', entryPrice: 1, lotSize: 1, stopLoss: 0.99, takeProfit: 1.02, entryTime: 0, entryIndex: s.length - 6 };
  ctx.index = s.length - 1;
  assert.equal(patternsSr.onBar!(ctx), { direction: 'close', reason: 'time exit after 5 bars' });
});

test('an unknown pattern name in the config is refused at start, naming it', () => {
  const config = validateStrategyConfig(patternsSr, { patterns: ['Bulish Engulfing'] });
  assert.throws(() => strategyContext(patternsSr, candles([]), config), /unknown candlestick pattern "Bulish Engulfing"/);
});

test('values with no meaning are refused naming the field (reviewer finding 6: rewardMultiple -1, maxBarsInTrade 2.5 and stopBufferAtr 0 were accepted)', () => {
  const refused: [Record<string, unknown>, RegExp][] = [
    [{ rewardMultiple: -1 }, /rewardMultiple: expected positive number, got -1/],
    [{ rewardMultiple: 0 }, /rewardMultiple: expected positive number, got 0/],
    [{ maxBarsInTrade: -5 }, /maxBarsInTrade: expected whole number, 0 or more, got -5/],
    [{ maxBarsInTrade: 2.5 }, /maxBarsInTrade: expected whole number, 0 or more, got 2.5/],
    [{ stopBufferAtr: 0 }, /stopBufferAtr: expected positive number, got 0/],
    [{ minLevelReward: 0 }, /minLevelReward: expected positive number/],
    [{ minTouches: 1.5 }, /minTouches: expected positive integer/],
    [{ minTouches: 0 }, /minTouches: expected positive integer/],
    [{ proximityAtr: -0.5 }, /proximityAtr: expected number, 0 or more/],
    [{ clusterToleranceAtr: -1 }, /clusterToleranceAtr: expected number, 0 or more/],
    [{ minStopAtr: -1 }, /minStopAtr: expected number, 0 or more/],
    [{ patterns: [] }, /patterns: expected non-empty list of pattern names/],
  ];
  for (const [config, message] of refused) assert.throws(() => validateStrategyConfig(patternsSr, config), message, JSON.stringify(config));
  // 0 keeps its documented meaning where it has one.
  for (const config of [{ maxBarsInTrade: 0 }, { minStopAtr: 0 }, { proximityAtr: 0 }, { clusterToleranceAtr: 0 }, DEFAULT_PATTERNS_SR_CONFIG]) validateStrategyConfig(patternsSr, config);
});

test('on USDCHF H1 1996-1999 (the training years) most weeks land in the 3-10 trade band and every entry names its pattern and level', () => {
  const { series } = loadHistory({ symbol: 'USDCHF', timeframe: 'H1', from: '1996-04-01', to: '1999-12-31' });
  const entries: TradeEntryData[] = [];
  const { complete } = runBacktest({ symbol: 'USDCHF', series, strategy: patternsSr, onEvent: (e) => { if (e.event_type === 'TRADE_ENTRY') entries.push(e.data as TradeEntryData); } });
  const m = complete.metrics!;
  assert.ok((m.weeks_within_target ?? 0) / (m.weeks_total ?? 1) >= 0.8, `${m.weeks_within_target}/${m.weeks_total} weeks within 3-10`);
  assert.ok(entries.length > 500);
  for (const e of entries) {
    assert.ok(e.patterns_detected.length > 0);
    if (e.direction === 'buy') assert.ok(e.sr_levels.support !== null && e.stop_loss < e.sr_levels.support);
    else assert.ok(e.sr_levels.resistance !== null && e.stop_loss > e.sr_levels.resistance);
  }
});

test.run();
