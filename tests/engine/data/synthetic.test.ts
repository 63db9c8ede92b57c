import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { FIXTURES_DIR } from '../../../engine/data/load-history.ts';
import { importPriceTicks } from '../../../engine/data/price-ticks.ts';
import { fitGarch11, measureReturnStats } from '../../../engine/data/return-stats.ts';
import { generateSyntheticTicks, syntheticProfile } from '../../../engine/data/synthetic.ts';
import { USDCHF_CALIBRATION as CAL } from '../../../engine/data/usdchf-calibration.ts';
import { ZonedTime } from '../../../engine/data/zoned-time.ts';

const year = { from: Date.UTC(2022, 0, 1), to: Date.UTC(2023, 0, 1) };
const prices = (s: ReturnType<typeof generateSyntheticTicks>) => Array.from(s.ticks.bid.subarray(0, s.ticks.length));

test('the same seed gives an identical series, a different seed a different one; all marked synthetic', () => {
  const a = generateSyntheticTicks({ symbol: 'EURUSD', seed: 7, ...year });
  const b = generateSyntheticTicks({ symbol: 'EURUSD', seed: 7, ...year });
  const c = generateSyntheticTicks({ symbol: 'EURUSD', seed: 8, ...year });
  assert.is(a.synthetic, true);
  assert.equal(prices(a), prices(b));
  assert.equal(Array.from(a.ticks.time.subarray(0, a.ticks.length)), Array.from(b.ticks.time.subarray(0, b.ticks.length)));
  assert.not.equal(prices(a).slice(0, 50), prices(c).slice(0, 50));
  assert.is(a.ticks.bid[0], 1.1, 'starts at the profile level');
  for (let i = 0; i < a.ticks.length; i++) assert.is(a.ticks.ask[i], a.ticks.bid[i]);
});

test('the calendar copies the real file: Monday 00:00 to Friday 23:30 Zurich time, weekends empty', () => {
  const s = generateSyntheticTicks({ symbol: 'XAUUSD', seed: 1, ...year });
  const zurich = new ZonedTime('Europe/Zurich');
  let weekendGaps = 0;
  for (let i = 0; i < s.ticks.length; i++) {
    const t = s.ticks.time[i];
    const local = new Date(t + zurich.offsetAt(t));
    assert.ok(local.getUTCDay() >= 1 && local.getUTCDay() <= 5, `weekday in Zurich at ${new Date(t).toISOString()}`);
    if (i > 0 && s.ticks.time[i] - s.ticks.time[i - 1] > 86_400_000) weekendGaps++;
  }
  assert.is(s.ticks.length, 260 * 48, '2022 has 260 weekdays');
  assert.is(weekendGaps, 51, '52 trading weeks (Jan 3 to Dec 30) with 51 weekends between them');
});

test('calibration: measured 30-minute volatility within 10 % of the target, with clustering, fat tails and seasonality', () => {
  for (const [symbol, seed] of [['EURUSD', 1], ['XAUUSD', 2], ['GBPUSDm', 3]] as const) {
    const s = generateSyntheticTicks({ symbol, seed, from: Date.UTC(2019, 0, 1), to: Date.UTC(2024, 0, 1) });
    const m = measureReturnStats(s.ticks.time, s.ticks.bid, s.ticks.length);
    const ratio = m.sigma30 / s.sigma30;
    assert.ok(ratio > 0.9 && ratio < 1.1, `${symbol}: measured/target sigma30 = ${ratio.toFixed(3)}`);
    assert.ok(Math.abs(m.weekendRatio - CAL.weekendRatio) < 0.1, `${symbol}: weekend ratio ${m.weekendRatio.toFixed(3)}`);
    assert.ok(m.squaredAutocorrelation > 0.05, `${symbol}: volatility clusters (r² autocorrelation ${m.squaredAutocorrelation.toFixed(3)})`);
    assert.ok(m.excessKurtosis > 3, `${symbol}: fat tails (excess kurtosis ${m.excessKurtosis.toFixed(1)})`);
    assert.ok(correlation(m.slotFactors, CAL.slotFactors) > 0.8, `${symbol}: intraday pattern follows USDCHF's`);
  }
  assert.ok(Math.abs(syntheticProfile('XAUUSD')!.annualVolatility - 0.15) < 1e-12);
});

test('the embedded USDCHF calibration matches what the fixture measures today', () => {
  const { ticks } = importPriceTicks(`${FIXTURES_DIR}usdchf_m30.csv`, { timezone: 'Europe/Zurich' });
  const m = measureReturnStats(ticks.time, ticks.bid, ticks.length);
  assert.ok(Math.abs(m.sigma30 / CAL.sigma30 - 1) < 0.001, `sigma30 ${m.sigma30}`);
  assert.ok(Math.abs(m.weekendRatio - CAL.weekendRatio) < 0.001);
  m.slotFactors.forEach((f, k) => assert.ok(Math.abs(f - CAL.slotFactors[k]) < 0.001, `slot ${k}`));
  m.weekdayFactors.forEach((f, k) => assert.ok(Math.abs(f - CAL.weekdayFactors[k]) < 0.001, `weekday ${k}`));
  // Deseasonalise and standardise exactly as the calibration did, then refit GARCH(1,1).
  const e: number[] = [];
  for (let i = 1; i < ticks.length; i++) {
    if (ticks.time[i] - ticks.time[i - 1] !== 1_800_000) continue;
    const slot = Math.floor((ticks.time[i - 1] % 86_400_000) / 1_800_000);
    const weekday = new Date(ticks.time[i - 1]).getUTCDay();
    e.push(Math.log(ticks.bid[i] / ticks.bid[i - 1]) / (m.sigma30 * m.slotFactors[slot] * m.weekdayFactors[weekday]));
  }
  const rms = Math.sqrt(e.reduce((s, x) => s + x * x, 0) / e.length);
  assert.equal(fitGarch11(Float64Array.from(e, (x) => x / rms)), CAL.garch);
});

test('before 1970 the series is prices, not NaN; a span over 200 years is refused before anything is generated', () => {
  // The half-hour of the day was taken with `%`, negative before 1970: every price was NaN.
  const s = generateSyntheticTicks({ symbol: 'GBPUSD', seed: 3, from: Date.UTC(1960, 0, 1), to: Date.UTC(1960, 2, 1) });
  assert.ok(s.ticks.length > 1000);
  assert.ok(prices(s).every((p) => Number.isFinite(p) && p > 0), 'every 1960 price finite and positive');
  assert.throws(() => generateSyntheticTicks({ symbol: 'GBPUSD', from: Date.parse('0001-01-01T00:00:00Z'), to: Date.parse('9999-12-31T00:00:00Z') }),
    /synthetic GBPUSD: 0001-01-01\.\.9999-12-31 is 9999 years; synthetic data spans at most 200 years/);
});

test('an unknown symbol is refused, broker suffixes are understood', () => {
  assert.throws(() => generateSyntheticTicks({ symbol: 'BTCXYZ' }), /no synthetic profile for symbol "BTCXYZ"/);
  assert.is(syntheticProfile('XAUUSDm')!.digits, 3, 'digits from the built-in XAUUSDm spec');
  assert.is(syntheticProfile('EURUSD.a')!.price, 1.1);
});

function correlation(a: readonly number[], b: readonly number[]): number {
  const n = a.length;
  const ma = a.reduce((s, x) => s + x, 0) / n;
  const mb = b.reduce((s, x) => s + x, 0) / n;
  let sab = 0, saa = 0, sbb = 0;
  for (let i = 0; i < n; i++) {
    sab += (a[i] - ma) * (b[i] - mb);
    saa += (a[i] - ma) ** 2;
    sbb += (b[i] - mb) ** 2;
  }
  return sab / Math.sqrt(saa * sbb);
}

test.run();
