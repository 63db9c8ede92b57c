import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { isValidVolume, lotSize, roundVolume } from '../../../engine/governor/position-sizing.ts';
import { resolveSymbolSpec } from '../../../engine/model/symbol-spec.ts';
import { SimBroker } from '../../../engine/broker/sim-broker.ts';
import { DEAL_ENTRY_OUT, ORDER_TYPE_BUY, marketOrder, type Deal } from '../../../engine/model/mt5.ts';

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

test('an override of a built-in spec moves the fields derived from it: a stop filled at its price loses the budget, not five times it', () => {
  // EURUSD with a tick of 0.00005: the tick value follows (0.00005 x 100,000 = 5 USD). 1 % of
  // 10,000 USD with a stop 100 pips (0.0100) under 1.1000: loss per lot 0.0100 x 100,000 = 1,000
  // USD, so 0.10 lots; hit at its price the stop books -100.00. (The built-in tick value of 1 USD
  // had been kept: 0.50 lots, -500.00.)
  const spec = { ...resolveSymbolSpec('EURUSD', { EURUSD: { tickSize: 0.00005 } }), spreadPoints: 0 };
  assert.is(spec.tickValueProfit, 5);
  const lots = lotSize(spec, { balance: 10_000, riskPercent: 1, entryPrice: 1.1, stopLoss: 1.09, aggression: 1, accountCurrency: 'USD' });
  assert.is(lots, 0.1);
  const broker = new SimBroker([spec]);
  const exits: Deal[] = [];
  broker.deals$.subscribe((d) => d.entry === DEAL_ENTRY_OUT && exits.push(d));
  const t = Date.UTC(2024, 0, 8, 1);
  broker.setMid('EURUSD', t, 1.1);
  broker.orderSend(marketOrder({ symbol: 'EURUSD', volume: lots, type: ORDER_TYPE_BUY, sl: 1.09 }));
  broker.checkStops('EURUSD', t + 3_600_000, 1.1, 1.1001, 1.08);
  assert.is(exits[0].price, 1.09);
  assert.is(exits[0].profit, -100);
  // New digits give a new point and tick, and the tick value follows them.
  const three = resolveSymbolSpec('EURUSD', { EURUSD: { digits: 3 } });
  assert.equal([three.point, three.tickSize, three.tickValueProfit], [0.001, 0.001, 100]);
});

test('a tick value that disagrees with tick size x contract size is refused, naming the fields', () => {
  assert.throws(() => resolveSymbolSpec('EURUSD', { EURUSD: { tickValueProfit: 0.2 } }),
    /symbol spec "EURUSD": field "tickValueProfit" \(0\.2\) disagrees with tickSize x contractSize \(0\.00001 x 100000 = 1\)/);
  assert.throws(() => resolveSymbolSpec('ACME', { ACME: { digits: 2, contractSize: 1, baseCurrency: 'ACME', profitCurrency: 'USD', tickValueProfit: 1 } }),
    /field "tickValueProfit" \(1\) disagrees with tickSize x contractSize \(0\.01 x 1 = 0\.01\)/);
  // Given consistently, it is accepted.
  assert.is(resolveSymbolSpec('ACME', { ACME: { digits: 2, contractSize: 1, baseCurrency: 'ACME', profitCurrency: 'USD', tickValueProfit: 0.01 } }).tickValueProfit, 0.01);
});

test('reviewer finding 4: volume limits crossed or off the step grid are refused when the spec is resolved, naming the fields', () => {
  assert.throws(() => resolveSymbolSpec('USDCHF', { USDCHF: { volumeMin: 5, volumeMax: 1 } }),
    /symbol spec "USDCHF": field "volumeMin" \(5\) is above "volumeMax" \(1\): no volume could be traded/);
  assert.throws(() => resolveSymbolSpec('USDCHF', { USDCHF: { volumeStep: 0.3 } }),
    /symbol spec "USDCHF": field "volumeMin" \(0\.01\) is not a whole number of "volumeStep" \(0\.3\) steps/);
  assert.throws(() => resolveSymbolSpec('USDCHF', { USDCHF: { volumeStep: 0.3, volumeMin: 0.3 } }),
    /field "volumeMax" \(100\) is not a whole number of "volumeStep" \(0\.3\) steps/);
  assert.throws(() => resolveSymbolSpec('ACME', { ACME: { digits: 2, contractSize: 1, baseCurrency: 'ACME', profitCurrency: 'USD', volumeStep: 1 } }),
    /symbol spec "ACME": field "volumeMin" \(0\.01\) is not a whole number of "volumeStep" \(1\) steps/);
});

test('on a valid spec every volume sizing gives is one the simulator accepts (limits on the grid, float steps included)', () => {
  const specs = [
    resolveSymbolSpec('USDCHF'),
    resolveSymbolSpec('USDCHF', { USDCHF: { volumeStep: 0.3, volumeMin: 0.3, volumeMax: 30 } }),
    resolveSymbolSpec('USDCHF', { USDCHF: { volumeStep: 0.1, volumeMin: 0.7, volumeMax: 2.3 } }),
    resolveSymbolSpec('ACME', { ACME: { digits: 2, contractSize: 1, baseCurrency: 'ACME', profitCurrency: 'USD', volumeStep: 1, volumeMin: 1, volumeMax: 500 } }),
  ];
  for (const spec of specs) {
    for (let v = 0.001; v < 1000; v *= 1.037) {
      const lots = roundVolume(spec, v);
      assert.ok(isValidVolume(spec, lots), `${spec.volumeMin}/${spec.volumeStep}/${spec.volumeMax}: ${v} sized to ${lots}`);
    }
  }
});

test('an unknown symbol names itself and how to add it', () => {
  assert.throws(() => resolveSymbolSpec('DOGEUSD'), /unknown symbol "DOGEUSD".*"bot\.symbolSpecs\.DOGEUSD".*--spec/);
});

test.run();
