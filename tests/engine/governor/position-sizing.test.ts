import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { lotSize, roundVolume } from '../../../engine/governor/position-sizing.ts';
import { resolveSymbolSpec } from '../../../engine/model/symbol-spec.ts';

test('USDCHF: 1 % of 10,000 USD with a 50-pip stop below 1.2000 is 0.23 lots (computed by hand)', () => {
  // Loss per lot = 0.0050 × 100,000 CHF = 500 CHF, booked at the stop's rate: 500 / 1.195 =
  // 418.41 USD; 100 / 418.41 = 0.239 -> 0.23 (0.24 lots would lose 100.42 USD at the stop).
  const lots = lotSize(resolveSymbolSpec('USDCHF'), { balance: 10_000, riskPercent: 1, entryPrice: 1.2, stopLoss: 1.195, aggression: 1, accountCurrency: 'USD' });
  assert.is(lots, 0.23);
});

test('XAUUSD: 2 % of 10,000 USD with a 12.50 USD stop is 0.16 lots (computed by hand)', () => {
  // Loss per lot = 12.50 USD × 100 oz = 1,250 USD; 200 / 1,250 = 0.16.
  const spec = resolveSymbolSpec('XAUUSD');
  assert.is(lotSize(spec, { balance: 10_000, riskPercent: 2, entryPrice: 1900, stopLoss: 1887.5, aggression: 1, accountCurrency: 'USD' }), 0.16);
  const micro = resolveSymbolSpec('XAUUSDm');
  assert.is(lotSize(micro, { balance: 10_000, riskPercent: 2, entryPrice: 1900, stopLoss: 1887.5, aggression: 1, accountCurrency: 'USD' }), 0.16);
});

test('aggression multiplies the risk, and the result rounds down to the volume step', () => {
  // 130 / 418.41 = 0.3107 -> 0.31
  const lots = lotSize(resolveSymbolSpec('USDCHF'), { balance: 10_000, riskPercent: 1, entryPrice: 1.2, stopLoss: 1.195, aggression: 1.3, accountCurrency: 'USD' });
  assert.is(lots, 0.31);
});

test('volumes clamp to the symbol minimum and maximum', () => {
  const spec = resolveSymbolSpec('EURUSD');
  assert.is(roundVolume(spec, 0.004), 0.01);
  assert.is(roundVolume(spec, 1234), 100);
  assert.is(roundVolume(spec, 0.129999), 0.12);
});

test('an unknown symbol names itself and how to add it', () => {
  assert.throws(() => resolveSymbolSpec('DOGEUSD'), /unknown symbol "DOGEUSD".*symbols\.DOGEUSD/);
});

test.run();
