import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { DealHistory } from '../../../engine/broker/deal-history.ts';
import { SimBroker } from '../../../engine/broker/sim-broker.ts';
import { barSeriesFrom } from '../../../engine/model/bar.ts';
import { resolveSymbolSpec } from '../../../engine/model/symbol-spec.ts';
import { DEAL_ENTRY_OUT, DEAL_REASON_SL, ORDER_TYPE_BUY, ORDER_TYPE_SELL, marketOrder, type Deal } from '../../../engine/model/mt5.ts';

const T = Date.UTC(1999, 0, 4, 10);
const HOUR = 3_600_000;

function deal(k: number, comment: string): Deal {
  return {
    ticket: 100 + k, order: 200 + k, time: T + k * HOUR, type: k % 2, entry: k % 2, magic: 7, position_id: 300 + k, reason: 3,
    volume: 0.01 * (k + 1), price: 1.2 + k / 1e4, commission: -0.5, swap: 0, profit: k * 1.25, symbol: k % 3 === 0 ? 'XAUUSD' : 'USDCHF', comment,
  };
}

test('the deal history returns every field of the deals it holds, in order, including empty comments', () => {
  const history = new DealHistory(10);
  const deals = [0, 1, 2, 3, 4].map((k) => deal(k, k === 2 ? '' : k % 2 ? 'Stop loss hit' : 'tradeloom sma'));
  for (const d of deals) history.add(d);
  assert.equal(history.between(0, Number.MAX_SAFE_INTEGER), deals);
  assert.equal(history.between(T + HOUR, T + 3 * HOUR), deals.slice(1, 4), 'both ends of the range are inclusive');
});

test('past its limit the deal history keeps exactly the newest deals, across growth and wrap-around', () => {
  const history = new DealHistory(1_500); // grows past its first 1,024 slots, then wraps
  const deals = Array.from({ length: 4_000 }, (_, k) => deal(k, `comment ${k % 5}`));
  for (const d of deals) history.add(d);
  assert.is(history.size, 1_500);
  assert.equal(history.between(0, Number.MAX_SAFE_INTEGER), deals.slice(-1_500));
});

test('the simulator answers historyDealsGet from the ring, and a stop hit is found among the skipped bars', () => {
  const spec = resolveSymbolSpec('USDCHF');
  const sim = new SimBroker([spec], { historyLimit: 4 });
  const book = sim.bookOf('USDCHF');
  sim.setMid('USDCHF', T, 1.2);
  sim.orderSend(marketOrder({ symbol: 'USDCHF', volume: 0.1, type: ORDER_TYPE_BUY, sl: 1.195, tp: 1.21 }));
  // Bars inside the stop/target band are skipped by the prefilter; the fourth reaches the stop exactly.
  const bars = barSeriesFrom('USDCHF', 'H1', [
    { time: T + HOUR, open: 1.2, high: 1.203, low: 1.198, close: 1.2, volume: 1 },
    { time: T + 2 * HOUR, open: 1.2, high: 1.2089, low: 1.1962, close: 1.2, volume: 1 },
    { time: T + 3 * HOUR, open: 1.2, high: 1.2, low: 1.1952, close: 1.1955, volume: 1 },
    { time: T + 4 * HOUR, open: 1.1955, high: 1.1955, low: 1.1951, close: 1.1952, volume: 1 },
  ]);
  const exits: Deal[] = [];
  sim.onDeal((d) => d.entry === DEAL_ENTRY_OUT && exits.push(d));
  for (let i = 0; i < 3; i++) sim.checkStopsAt(book, bars, i, HOUR);
  assert.is(exits.length, 0, 'the bid low (low - 1 pip) stays above the stop for three bars');
  sim.checkStopsAt(book, bars, 3, HOUR);
  assert.is(exits.length, 1, 'bid low 1.1950 <= stop 1.1950');
  assert.is(exits[0].reason, DEAL_REASON_SL);
  assert.is(exits[0].price, 1.195);
  sim.setMid('USDCHF', T + 5 * HOUR, 1.2);
  sim.orderSend(marketOrder({ symbol: 'USDCHF', volume: 0.1, type: ORDER_TYPE_SELL }));
  const all = sim.historyDealsGet(0, Number.MAX_SAFE_INTEGER);
  assert.is(all.length, 3);
  assert.equal(all.map((d) => d.comment), ['', 'Stop loss hit', '']);
});

test('a simulator keeping no history (a backtest\'s own) still books and reports every deal; historyDealsGet answers none', () => {
  const spec = resolveSymbolSpec('USDCHF');
  const kept = new SimBroker([spec], { historyLimit: 1_024 });
  const none = new SimBroker([spec], { historyLimit: 0 });
  const told: Deal[][] = [[], []];
  [kept, none].forEach((sim, k) => {
    sim.onDeal((d) => void told[k].push({ ...d }));
    sim.setMid('USDCHF', T, 1.2);
    sim.orderSend(marketOrder({ symbol: 'USDCHF', volume: 0.1, type: ORDER_TYPE_BUY }));
    sim.setMid('USDCHF', T + HOUR, 1.2037);
    sim.orderSend(marketOrder({ symbol: 'USDCHF', volume: 0.1, type: ORDER_TYPE_SELL, position: sim.positionsGet()[0].ticket }));
  });
  assert.is(told[1].length, 2);
  assert.equal(told[1], told[0], 'the same deals, field for field');
  assert.is(none.accountInfo().balance, kept.accountInfo().balance);
  assert.is(kept.historyDealsGet(0, Number.MAX_SAFE_INTEGER).length, 2);
  assert.equal(none.historyDealsGet(0, Number.MAX_SAFE_INTEGER), []);
});

test('a deal-history limit that is neither 0 nor a count is refused by name, not read as "keep none"', () => {
  const spec = resolveSymbolSpec('USDCHF');
  for (const limit of [-1, 0.5, 1.5, 100.25, Number.NaN, Number.NEGATIVE_INFINITY]) {
    assert.throws(() => new SimBroker([spec], { historyLimit: limit }), /historyLimit must be 0 \(keep no deals\) or a whole number of deals, at least 1, got/, `limit ${limit}`);
  }
});

test.run();
