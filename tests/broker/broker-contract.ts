import * as assert from 'uvu/assert';
import type { Test } from 'uvu';
import type { BrokerPort } from '../../engine/broker/broker-port.ts';
import {
  DEAL_ENTRY_IN, DEAL_ENTRY_OUT, DEAL_TYPE_BUY, DEAL_TYPE_SELL, ORDER_TYPE_BUY, ORDER_TYPE_SELL, POSITION_TYPE_BUY,
  POSITION_TYPE_SELL, TRADE_ACTION_PENDING, TRADE_RETCODE, marketOrder, type Deal,
} from '../../engine/model/mt5.ts';

/** A broker set up for one contract test, with EURUSD and USDJPY tradable and 10 000 USD balance. */
export interface BrokerHarness {
  readonly broker: BrokerPort;
  /** Moves the market; later fills happen at this quote. */
  setQuote(symbol: string, time: number, bid: number, ask: number): void | Promise<void>;
  /** Makes the venue refuse the next order with `retcode` (absent where the venue cannot be scripted). */
  rejectNext?(retcode: number): void;
  /** Puts `count` old deals (closed round trips) before `beforeMs` straight into the venue's history; absent: the test trades them. */
  seedHistory?(count: number, beforeMs: number): void;
  /** The venue fills the next order only after the adapter's request timeout (absent where fills are synchronous). */
  lateNextFill?(): void;
  /** The venue restarts (the EA or the SDK session loses its memory; the account keeps its state); resolves when connected again. */
  restart?(): Promise<void>;
  dispose(): Promise<void>;
}

const T0 = Date.UTC(2026, 0, 5, 10, 0, 0);
const MINUTE = 60_000;
const close = (a: number, b: number) => Math.abs(a - b) < 1e-9;

/** Collects deals$ from now on; `until` waits (bounded) for one that matches. */
function dealRecorder(broker: BrokerPort) {
  const deals: Deal[] = [];
  const sub = broker.deals$.subscribe((d) => deals.push(d));
  return {
    deals,
    async until(match: (d: Deal) => boolean, what: string): Promise<Deal> {
      for (let i = 0; i < 400; i++) {
        const found = deals.find(match);
        if (found) return found;
        await new Promise((r) => setTimeout(r, 5));
      }
      throw new Error(`no deal on deals$ for ${what}; saw ${JSON.stringify(deals)}`);
    },
    stop: () => sub.unsubscribe(),
  };
}

/**
 * The broker port contract: MT5's semantics that every adapter (SimBroker, the MT5 bridge,
 * MetaApi) must show to the engine. Registers the same tests on `test` for any factory.
 */
export function brokerContract(test: Test, make: () => Promise<BrokerHarness>): void {
  const withHarness = (name: string, body: (h: BrokerHarness) => Promise<void>) =>
    test(name, async () => {
      const h = await make();
      try {
        await h.setQuote('EURUSD', T0, 1.1, 1.10012);
        await h.setQuote('USDJPY', T0, 150, 150.012);
        await body(h);
      } finally {
        await h.dispose();
      }
    });

  withHarness('contract: reports a name and is connected once set up', async ({ broker }) => {
    assert.ok(['sim', 'mt5-bridge', 'metaapi'].includes(broker.name), broker.name);
    assert.is(broker.isConnected(), true);
  });

  withHarness('contract: accountInfo gives the balance, equity and currency', async ({ broker }) => {
    const info = await broker.accountInfo();
    assert.is(info.currency, 'USD');
    assert.ok(close(info.balance, 10_000), `balance ${info.balance}`);
    assert.ok(close(info.equity, 10_000), `equity ${info.equity}`);
    assert.is(typeof info.leverage, 'number');
  });

  withHarness('contract: symbolInfo describes a known symbol and is null for an unknown one', async ({ broker }) => {
    const info = await broker.symbolInfo('EURUSD');
    assert.ok(info);
    assert.is(info!.name, 'EURUSD');
    assert.is(info!.digits, 5);
    assert.ok(close(info!.point, 0.00001));
    assert.ok(close(info!.volume_min, 0.01) && close(info!.volume_step, 0.01));
    assert.is(info!.trade_contract_size, 100_000);
    assert.is(await broker.symbolInfo('NOPE'), null);
  });

  withHarness('contract: a market buy fills at the ask, opens a position with its SL/TP and publishes one entry deal', async ({ broker }) => {
    const rec = dealRecorder(broker);
    const result = await broker.orderSend(marketOrder({ symbol: 'EURUSD', volume: 0.1, type: ORDER_TYPE_BUY, sl: 1.095, tp: 1.11, magic: 77 }));
    assert.is(result.retcode, TRADE_RETCODE.DONE, result.comment);
    assert.ok(close(result.price, 1.10012), `price ${result.price}`);
    assert.ok(close(result.volume, 0.1));
    assert.ok(result.deal > 0 && result.order > 0);
    const positions = await broker.positionsGet();
    assert.is(positions.length, 1);
    const p = positions[0]!;
    assert.is(p.type, POSITION_TYPE_BUY);
    assert.is(p.symbol, 'EURUSD');
    assert.ok(close(p.volume, 0.1) && close(p.price_open, 1.10012) && close(p.sl, 1.095) && close(p.tp, 1.11));
    const entry = await rec.until((d) => d.entry === DEAL_ENTRY_IN, 'the entry');
    assert.is(entry.type, DEAL_TYPE_BUY);
    assert.is(entry.position_id, p.identifier);
    assert.ok(close(entry.price, 1.10012));
    rec.stop();
  });

  withHarness('contract: a market sell fills at the bid and opens a sell position', async ({ broker }) => {
    const result = await broker.orderSend(marketOrder({ symbol: 'USDJPY', volume: 0.2, type: ORDER_TYPE_SELL }));
    assert.is(result.retcode, TRADE_RETCODE.DONE, result.comment);
    assert.ok(close(result.price, 150), `price ${result.price}`);
    const [p] = await broker.positionsGet('USDJPY');
    assert.is(p?.type, POSITION_TYPE_SELL);
  });

  withHarness('contract: closing a position with an opposite deal removes it and publishes an exit deal', async (h) => {
    const { broker } = h;
    const rec = dealRecorder(broker);
    const open = await broker.orderSend(marketOrder({ symbol: 'EURUSD', volume: 0.1, type: ORDER_TYPE_BUY }));
    assert.is(open.retcode, TRADE_RETCODE.DONE, open.comment);
    const [p] = await broker.positionsGet();
    await h.setQuote('EURUSD', T0 + MINUTE, 1.102, 1.10212);
    const shut = await broker.orderSend(marketOrder({ symbol: 'EURUSD', volume: 0.1, type: ORDER_TYPE_SELL, position: p!.ticket }));
    assert.is(shut.retcode, TRADE_RETCODE.DONE, shut.comment);
    assert.ok(close(shut.price, 1.102), `close price ${shut.price}`);
    assert.equal(await broker.positionsGet(), []);
    const exit = await rec.until((d) => d.entry === DEAL_ENTRY_OUT, 'the exit');
    assert.is(exit.type, DEAL_TYPE_SELL);
    assert.is(exit.position_id, p!.identifier);
    assert.ok(exit.profit > 0, `profit ${exit.profit}`);
    rec.stop();
  });

  withHarness('contract: an invalid volume comes back as retcode 10014 (INVALID_VOLUME), not as an exception', async ({ broker }) => {
    const result = await broker.orderSend(marketOrder({ symbol: 'EURUSD', volume: 0.001, type: ORDER_TYPE_BUY }));
    assert.is(result.retcode, TRADE_RETCODE.INVALID_VOLUME, result.comment);
    assert.equal(await broker.positionsGet(), []);
  });

  withHarness('contract: closing an unknown position comes back as a failed TradeResult, not as an exception', async ({ broker }) => {
    const result = await broker.orderSend(marketOrder({ symbol: 'EURUSD', volume: 0.1, type: ORDER_TYPE_SELL, position: 987_654_321 }));
    assert.is.not(result.retcode, TRADE_RETCODE.DONE);
    assert.is(result.deal, 0);
  });

  withHarness('contract: a pending-order action is refused with a TradeResult, not as an exception', async ({ broker }) => {
    const result = await broker.orderSend(marketOrder({ symbol: 'EURUSD', volume: 0.1, type: ORDER_TYPE_BUY, action: TRADE_ACTION_PENDING, price: 1.09 }));
    assert.is.not(result.retcode, TRADE_RETCODE.DONE);
    assert.is(result.deal, 0);
    assert.equal(await broker.positionsGet(), []);
  });

  withHarness('contract: positionsGet(symbol) returns only that symbol', async ({ broker }) => {
    await broker.orderSend(marketOrder({ symbol: 'EURUSD', volume: 0.1, type: ORDER_TYPE_BUY }));
    await broker.orderSend(marketOrder({ symbol: 'USDJPY', volume: 0.1, type: ORDER_TYPE_SELL }));
    assert.equal((await broker.positionsGet('USDJPY')).map((p) => p.symbol), ['USDJPY']);
    assert.is((await broker.positionsGet()).length, 2);
  });

  withHarness('contract: historyDealsGet returns the deals inside the range and none outside', async (h) => {
    const { broker } = h;
    await broker.orderSend(marketOrder({ symbol: 'EURUSD', volume: 0.1, type: ORDER_TYPE_BUY }));
    await h.setQuote('EURUSD', T0 + 10 * MINUTE, 1.101, 1.10112);
    await broker.orderSend(marketOrder({ symbol: 'EURUSD', volume: 0.2, type: ORDER_TYPE_BUY }));
    const all = await broker.historyDealsGet(T0 - MINUTE, T0 + 11 * MINUTE);
    assert.is(all.length, 2);
    const late = await broker.historyDealsGet(T0 + 5 * MINUTE, T0 + 11 * MINUTE);
    assert.is(late.length, 1);
    assert.ok(close(late[0]!.volume, 0.2));
  });

  withHarness('contract: a refused order is returned with the venue\'s retcode and opens nothing', async (h) => {
    if (!h.rejectNext) {
      console.log(`  (${h.broker.name}: venue cannot be scripted to refuse; covered by the invalid-volume test)`);
      return;
    }
    h.rejectNext(TRADE_RETCODE.NO_MONEY);
    const result = await h.broker.orderSend(marketOrder({ symbol: 'EURUSD', volume: 0.1, type: ORDER_TYPE_BUY }));
    assert.is(result.retcode, TRADE_RETCODE.NO_MONEY);
    assert.equal(await h.broker.positionsGet(), []);
  });

  withHarness('contract: historyDealsGet returns every deal of a long history (2,400 deals: several pages on every venue)', async (h) => {
    const { broker } = h;
    if (h.seedHistory) h.seedHistory(2_400, T0);
    else {
      for (let i = 0; i < 1_200; i++) {
        await h.setQuote('EURUSD', T0 - (1_200 - i) * MINUTE, 1.1, 1.10012);
        const open = await broker.orderSend(marketOrder({ symbol: 'EURUSD', volume: 0.01, type: ORDER_TYPE_BUY }));
        await broker.orderSend(marketOrder({ symbol: 'EURUSD', volume: 0.01, type: ORDER_TYPE_SELL, position: open.order }));
      }
      await h.setQuote('EURUSD', T0, 1.1, 1.10012);
    }
    const all = await broker.historyDealsGet(T0 - 2_401 * MINUTE, T0);
    assert.is(all.length, 2_400);
    assert.is(new Set(all.map((d) => d.ticket)).size, 2_400);
  });

  withHarness('contract: an order whose fill comes after the request timeout is answered DONE, once, never with a retryable failure', async (h) => {
    if (!h.lateNextFill) {
      console.log(`  (${h.broker.name}: fills are synchronous, no late fill possible)`);
      return;
    }
    h.lateNextFill();
    const result = await h.broker.orderSend(marketOrder({ symbol: 'EURUSD', volume: 0.1, type: ORDER_TYPE_BUY }));
    assert.is(result.retcode, TRADE_RETCODE.DONE, result.comment);
    assert.is((await h.broker.positionsGet()).length, 1);
  });

  withHarness('contract: after the venue restarts, positions and history are intact and a close fills once with one exit deal', async (h) => {
    if (!h.restart) {
      console.log(`  (${h.broker.name}: nothing to restart)`);
      return;
    }
    const { broker } = h;
    const rec = dealRecorder(broker);
    const open = await broker.orderSend(marketOrder({ symbol: 'EURUSD', volume: 0.1, type: ORDER_TYPE_BUY }));
    assert.is(open.retcode, TRADE_RETCODE.DONE, open.comment);
    await h.restart();
    assert.is(broker.isConnected(), true);
    const [p] = await broker.positionsGet();
    assert.ok(p && close(p.volume, 0.1));
    await h.setQuote('EURUSD', T0 + MINUTE, 1.102, 1.10212);
    const shut = await broker.orderSend(marketOrder({ symbol: 'EURUSD', volume: 0.1, type: ORDER_TYPE_SELL, position: p!.ticket }));
    assert.is(shut.retcode, TRADE_RETCODE.DONE, shut.comment);
    assert.equal(await broker.positionsGet(), []);
    await rec.until((d) => d.entry === DEAL_ENTRY_OUT, 'the exit');
    assert.is((await broker.historyDealsGet(T0 - MINUTE, T0 + 2 * MINUTE)).length, 2);
    assert.is(rec.deals.filter((d) => d.entry === DEAL_ENTRY_OUT).length, 1);
    rec.stop();
  });

  withHarness('contract: deals$ publishes each deal exactly once', async ({ broker }) => {
    const rec = dealRecorder(broker);
    const open = await broker.orderSend(marketOrder({ symbol: 'EURUSD', volume: 0.1, type: ORDER_TYPE_BUY }));
    const [p] = await broker.positionsGet();
    await broker.orderSend(marketOrder({ symbol: 'EURUSD', volume: 0.1, type: ORDER_TYPE_SELL, position: p!.ticket }));
    await rec.until((d) => d.entry === DEAL_ENTRY_OUT, 'the exit');
    await new Promise((r) => setTimeout(r, 30));
    const tickets = rec.deals.map((d) => d.ticket);
    assert.is(new Set(tickets).size, tickets.length, `duplicates in ${tickets}`);
    assert.is(tickets.length, 2);
    assert.ok(open.deal > 0);
    rec.stop();
  });
}
