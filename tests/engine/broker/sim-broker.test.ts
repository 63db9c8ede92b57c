import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { SimBroker } from '../../../engine/broker/sim-broker.ts';
import { resolveSymbolSpec } from '../../../engine/model/symbol-spec.ts';
import { lotSize } from '../../../engine/governor/position-sizing.ts';
import { DEAL_ENTRY_OUT, DEAL_REASON_SL, DEAL_REASON_TP, ORDER_TYPE_BUY, ORDER_TYPE_SELL, TRADE_RETCODE, marketOrder, type Deal } from '../../../engine/model/mt5.ts';

const USDCHF = resolveSymbolSpec('USDCHF');
const T = Date.UTC(1999, 0, 4, 10);

function brokerAt(mid: number, config: ConstructorParameters<typeof SimBroker>[1] = {}) {
  const broker = new SimBroker([USDCHF], config);
  const exits: Deal[] = [];
  broker.deals$.subscribe((d) => d.entry === DEAL_ENTRY_OUT && exits.push(d));
  broker.setMid('USDCHF', T, mid);
  return { broker, exits };
}

test('a buy whose stop-loss normalises onto its entry price is refused for the stop (10016), not for the 0 lots that stop sizes to', () => {
  const { broker } = brokerAt(1.2);
  // The ask is 1.2001: a stop there is no distance at all, so sizing at execution gives 0 lots.
  const lots = lotSize(USDCHF, { balance: 10_000, riskPercent: 1, entryPrice: 1.2001, stopLoss: 1.2001, aggression: 1, accountCurrency: 'USD' });
  assert.is(lots, 0);
  const r = broker.orderSend(marketOrder({ symbol: 'USDCHF', volume: lots, type: ORDER_TYPE_BUY, sl: 1.2001 }));
  assert.is(r.retcode, TRADE_RETCODE.INVALID_STOPS);
  assert.match(r.comment, /stop-loss 1\.2001 is not below the bid 1\.1999/);
  // A valid stop with the same 0 lots is still a volume refusal.
  assert.is(broker.orderSend(marketOrder({ symbol: 'USDCHF', volume: 0, type: ORDER_TYPE_BUY, sl: 1.19 })).retcode, TRADE_RETCODE.INVALID_VOLUME);
});

test('a bid that rounds to 0.00 on the symbol\'s digits is no price: the order is refused (10015), not filled at 0', () => {
  const PENNY = resolveSymbolSpec('PENNY', { PENNY: { digits: 2, contractSize: 1, baseCurrency: 'PNY', profitCurrency: 'USD', volumeMin: 1, volumeStep: 1 } });
  const broker = new SimBroker([PENNY], { balance: 10_000 });
  broker.setMid('PENNY', T, 0.004);
  const r = broker.orderSend(marketOrder({ symbol: 'PENNY', volume: 1, type: ORDER_TYPE_BUY }));
  assert.is(r.retcode, TRADE_RETCODE.INVALID_PRICE);
  assert.match(r.comment, /the bid 0\.00 \(after spread and slippage\) is not a positive price/);
  broker.setMid('PENNY', T, 0.01);
  assert.is(broker.orderSend(marketOrder({ symbol: 'PENNY', volume: 1, type: ORDER_TYPE_BUY })).retcode, TRADE_RETCODE.DONE);
});

test('a stop exactly the stops level away is accepted, one point nearer is refused (the limit in the symbol\'s digits, not in doubles)', () => {
  const USDJPY = resolveSymbolSpec('USDJPY', { USDJPY: { stopsLevel: 10 } });
  let accepted = 0;
  let refused = 0;
  for (let i = 0; i < 500; i++) {
    const mid = Math.round((110 + i * 0.0137) * 1000) / 1000;
    for (const buy of [true, false]) {
      const broker = new SimBroker([USDJPY], { balance: 1e6 });
      broker.setMid('USDJPY', T, mid);
      const { bid, ask } = broker.symbolInfo('USDJPY')!;
      // 10 points = 0.010: buy stops at bid - 0.010, sell stops at ask + 0.010, to the 3 digits.
      const at = buy ? Math.round((bid - 0.01) * 1000) / 1000 : Math.round((ask + 0.01) * 1000) / 1000;
      const nearer = buy ? Math.round((at + 0.001) * 1000) / 1000 : Math.round((at - 0.001) * 1000) / 1000;
      const type = buy ? ORDER_TYPE_BUY : ORDER_TYPE_SELL;
      if (broker.orderSend(marketOrder({ symbol: 'USDJPY', volume: 0.1, type, sl: nearer })).retcode === TRADE_RETCODE.INVALID_STOPS) refused++;
      if (broker.orderSend(marketOrder({ symbol: 'USDJPY', volume: 0.1, type, sl: at })).retcode === TRADE_RETCODE.DONE) accepted++;
    }
  }
  assert.is(accepted, 1000);
  assert.is(refused, 1000);
  // The refusal names the limit on the stop's own side: below the bid for a buy, above the ask for a sell.
  const broker = new SimBroker([USDJPY], { balance: 1e6 });
  broker.setMid('USDJPY', T, 110);
  const sell = broker.orderSend(marketOrder({ symbol: 'USDJPY', volume: 0.1, type: ORDER_TYPE_SELL, sl: 110.015 }));
  assert.match(sell.comment, /sell stop-loss 110\.015 is not above the ask 110\.006 \+ 10 points it would close at/);
  const buy = broker.orderSend(marketOrder({ symbol: 'USDJPY', volume: 0.1, type: ORDER_TYPE_BUY, sl: 109.985 }));
  assert.match(buy.comment, /buy stop-loss 109\.985 is not below the bid 109\.994 - 10 points it would close at/);
});

test('a deposit currency with more than 8 or fractional decimals is refused when the simulator is built, naming the setting', () => {
  for (const currencyDigits of [9, -1, 1.5]) {
    assert.throws(() => new SimBroker([resolveSymbolSpec('USDCHF')], { currencyDigits }), /currencyDigits .*0-8 decimals/);
  }
  assert.not.throws(() => new SimBroker([resolveSymbolSpec('USDCHF')], { currencyDigits: 0 }));
});

test('a market buy fills at the ask: mid plus half the 2-pip spread', () => {
  const { broker } = brokerAt(1.2);
  const r = broker.orderSend(marketOrder({ symbol: 'USDCHF', volume: 0.1, type: ORDER_TYPE_BUY }));
  assert.is(r.retcode, TRADE_RETCODE.DONE);
  assert.is(r.price, 1.2001);
  assert.is(r.bid, 1.1999);
  assert.is(r.ask, 1.2001);
});

test('when one bar touches both stop-loss and take-profit, the stop is taken', () => {
  const { broker, exits } = brokerAt(1.2);
  broker.orderSend(marketOrder({ symbol: 'USDCHF', volume: 0.1, type: ORDER_TYPE_BUY, sl: 1.195, tp: 1.205 }));
  broker.checkStops('USDCHF', T + 3_600_000, 1.2, 1.21, 1.19);
  assert.is(exits.length, 1);
  assert.is(exits[0].reason, DEAL_REASON_SL);
  assert.is(exits[0].price, 1.195);
});

test('a short whose bar reaches only the take-profit exits at it, on the ask side', () => {
  const { broker, exits } = brokerAt(1.2);
  broker.orderSend(marketOrder({ symbol: 'USDCHF', volume: 0.1, type: ORDER_TYPE_SELL, sl: 1.205, tp: 1.195 }));
  // The ask reaches 1.195 when the mid reaches 1.1949.
  broker.checkStops('USDCHF', T + 3_600_000, 1.2, 1.2004, 1.1949);
  assert.is(exits[0].reason, DEAL_REASON_TP);
  assert.is(exits[0].price, 1.195);
});

test('a bar that opens beyond the stop fills at the open, not at the stop', () => {
  const { broker, exits } = brokerAt(1.2);
  broker.orderSend(marketOrder({ symbol: 'USDCHF', volume: 0.1, type: ORDER_TYPE_BUY, sl: 1.195 }));
  broker.checkStops('USDCHF', T + 3_600_000, 1.19, 1.191, 1.188);
  assert.is(exits[0].price, 1.1899);
});

test('profit of a USDCHF trade is converted from CHF to the USD account at the exit rate, booked in cents', () => {
  const { broker, exits } = brokerAt(1.2);
  broker.orderSend(marketOrder({ symbol: 'USDCHF', volume: 1, type: ORDER_TYPE_BUY, tp: 1.21 }));
  broker.checkStops('USDCHF', T + 3_600_000, 1.2, 1.2102, 1.2);
  // (1.2100 - 1.2001) * 100,000 CHF = 990 CHF = 990 / 1.21 USD = 818.1818... -> 818.18 booked
  assert.is(exits[0].profit, 818.18);
  assert.is(broker.accountInfo().balance, 10_818.18);
});

test('rejections carry MT5 retcodes: invalid volume, invalid stops, no money, market closed', () => {
  const { broker } = brokerAt(1.2, { balance: 100 });
  const send = (fields: Partial<Parameters<typeof marketOrder>[0]>) =>
    broker.orderSend(marketOrder({ symbol: 'USDCHF', volume: 0.1, type: ORDER_TYPE_BUY, ...fields })).retcode;
  assert.is(send({ volume: 0.015 }), TRADE_RETCODE.INVALID_VOLUME);
  assert.is(send({ volume: 0.001 }), TRADE_RETCODE.INVALID_VOLUME);
  assert.is(send({ sl: 1.21 }), TRADE_RETCODE.INVALID_STOPS);
  assert.is(send({ tp: 1.19 }), TRADE_RETCODE.INVALID_STOPS);
  assert.is(send({ volume: 5 }), TRADE_RETCODE.NO_MONEY);
  broker.setMarketHours(() => false);
  assert.is(send({}), TRADE_RETCODE.MARKET_CLOSED);
});

test('an order whose margin equals the free margin to the cent is filled: the check is in cents, not in doubles', () => {
  // EURUSD (USD account): 1 lot at an ask of 1.1 with leverage 100 needs 1 x 100,000 x 1.1 / 100
  // = 1,100.00 of margin (1100.0000000000002 in doubles). A balance of 1,100.00 covers it; one
  // cent less does not (10019).
  const EURUSD = { ...resolveSymbolSpec('EURUSD'), spreadPoints: 0 };
  for (const [balance, retcode] of [[1_100, TRADE_RETCODE.DONE], [1_099.99, TRADE_RETCODE.NO_MONEY]] as const) {
    const broker = new SimBroker([EURUSD], { balance, leverage: 100 });
    broker.setMid('EURUSD', T, 1.1);
    const r = broker.orderSend(marketOrder({ symbol: 'EURUSD', volume: 1, type: ORDER_TYPE_BUY }));
    assert.is(r.retcode, retcode, `balance ${balance}: ${r.comment}`);
    if (retcode === TRADE_RETCODE.NO_MONEY) assert.match(r.comment, /margin 1100\.00 > free 1099\.99/);
  }
});

test('an account left without free margin by a gap (balance below zero) refuses every entry with 10019, not 10014 for its 0 lots', () => {
  const { broker, exits } = brokerAt(1.2, { balance: 1_000 });
  broker.orderSend(marketOrder({ symbol: 'USDCHF', volume: 0.5, type: ORDER_TYPE_BUY, sl: 1.19 }));
  // The next bar opens at 1.1000, far through the stop: the long closes at the bid 1.0999.
  broker.checkStops('USDCHF', T + 3_600_000, 1.1, 1.101, 1.098);
  assert.is(exits[0].price, 1.0999);
  assert.ok(broker.accountInfo().balance < 0, `balance ${broker.accountInfo().balance}`);
  for (const volume of [0, 0.01]) {
    const r = broker.orderSend(marketOrder({ symbol: 'USDCHF', volume, type: ORDER_TYPE_BUY }));
    assert.is(r.retcode, TRADE_RETCODE.NO_MONEY, `${volume} lots: ${r.comment}`);
    assert.match(r.comment, /free margin -\d+\.\d\d/);
  }
});

test('commission is charged per lot on entry and on exit', () => {
  const { broker } = brokerAt(1.2, { commissionPerLot: 3.5 });
  const r = broker.orderSend(marketOrder({ symbol: 'USDCHF', volume: 2, type: ORDER_TYPE_BUY }));
  assert.is(broker.accountInfo().balance, 10_000 - 7);
  broker.orderSend(marketOrder({ symbol: 'USDCHF', volume: 2, type: ORDER_TYPE_SELL, position: r.order }));
  // The spread: 0.0002 × 200,000 CHF = 40 CHF / 1.1999 = 33.336... USD, booked as -33.34.
  assert.is(broker.accountInfo().balance, 9_952.66);
});

test('midAtEquity inverts the equity of a sole position: long and short, CHF profit (divided) and USD profit (as is)', () => {
  for (const symbol of ['USDCHF', 'EURUSD']) {
    for (const type of [ORDER_TYPE_BUY, ORDER_TYPE_SELL]) {
      const broker = new SimBroker([resolveSymbolSpec(symbol)]);
      broker.setMid(symbol, T, 1.2);
      broker.orderSend(marketOrder({ symbol, volume: 0.5, type }));
      const book = broker.bookOf(symbol);
      for (const mid of [1.1, 1.19, 1.2, 1.23, 1.5]) {
        broker.setMid(symbol, T, mid);
        const solved = broker.midAtEquity(book, broker.equity());
        assert.ok(Math.abs(solved - mid) < 1e-12, `${symbol} ${type === ORDER_TYPE_BUY ? 'long' : 'short'} at ${mid}: solved ${solved}`);
      }
      // A gain or loss no price can give lies beyond every price, on its own side: a
      // USD-profit position gains or loses at most its value as the price goes to 0; a
      // CHF-profit one, valued in USD, at most its size as the price grows without bound.
      const direction = type === ORDER_TYPE_BUY ? 1 : -1;
      const gain = direction * broker.midAtEquity(book, 1e12);
      const loss = direction * broker.midAtEquity(book, -1e12);
      const divided = symbol === 'USDCHF';
      if (divided === (direction === 1)) assert.is(gain, Number.POSITIVE_INFINITY, `${symbol} ${direction} unreachable gain`);
      else assert.ok(Number.isFinite(gain), `${symbol} ${direction} reachable gain`);
      if (divided === (direction === -1)) assert.is(loss, Number.NEGATIVE_INFINITY, `${symbol} ${direction} unreachable loss`);
      else assert.ok(Number.isFinite(loss), `${symbol} ${direction} reachable loss`);
    }
  }
  assert.ok(Number.isNaN(new SimBroker([USDCHF]).midAtEquity(new SimBroker([USDCHF]).bookOf('USDCHF'), 10_000)), 'no position: NaN');
});

test.run();
