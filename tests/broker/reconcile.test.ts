import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { firstSyncSince, reconcile, splitByOwner, toRestored } from '../../engine/broker/reconcile.ts';
import { DEAL_ENTRY_IN, DEAL_ENTRY_OUT, DEAL_REASON_SL, DEAL_REASON_TP, POSITION_TYPE_BUY, POSITION_TYPE_SELL, type Deal, type Position } from '../../engine/model/mt5.ts';

const pos = (ticket: number, over: Partial<Position> = {}): Position => ({
  ticket, time: 1_000, type: POSITION_TYPE_BUY, magic: 0, identifier: ticket, volume: 0.1, price_open: 1.1, sl: 1.09, tp: 1.12,
  price_current: 1.1, swap: 0, profit: 0, symbol: 'EURUSD', comment: '', ...over,
});
const deal = (ticket: number, positionId: number, over: Partial<Deal> = {}): Deal => ({
  ticket, order: ticket, time: 5_000, type: 1, entry: DEAL_ENTRY_OUT, magic: 0, position_id: positionId, reason: DEAL_REASON_SL,
  volume: 0.1, price: 1.09, commission: -0.7, swap: 0, profit: -100, symbol: 'EURUSD', comment: '[sl]', ...over,
});

test('nothing changed while away gives a clean reconciliation listing the unchanged ids', () => {
  const r = reconcile([toRestored(pos(1))], { positions: [pos(1)], deals: [], since: 0, at: 10 });
  assert.is(r.clean, true);
  assert.equal(r.unchanged, [1]);
});

test('a journal position gone from the broker is closed with its exit price, profit and reason', () => {
  const r = reconcile([toRestored(pos(1))], { positions: [], deals: [deal(9, 1), deal(9, 1)], since: 0, at: 10 });
  assert.is(r.closed.length, 1);
  assert.equal({ ...r.closed[0]!, known: undefined, exitDeals: r.closed[0]!.exitDeals.length }, {
    known: undefined, exitDeals: 1, exitPrice: 1.09, exitTime: 5_000, profit: -100.7, reason: 'stop_loss',
  });
  assert.is(r.deals.length, 1, 'the duplicated deal is listed once');
});

test('partial exits are volume-weighted and the last exit gives the reason', () => {
  const r = reconcile([toRestored(pos(1, { volume: 0.3 }))], {
    positions: [], since: 0, at: 10,
    deals: [deal(8, 1, { volume: 0.1, price: 1.1, reason: 0, time: 4_000, profit: 0, commission: 0 }), deal(9, 1, { volume: 0.2, price: 1.12, reason: DEAL_REASON_TP, profit: 40, commission: 0 })],
  });
  assert.ok(Math.abs(r.closed[0]!.exitPrice! - (0.1 * 1.1 + 0.2 * 1.12) / 0.3) < 1e-12);
  assert.is(r.closed[0]!.reason, 'take_profit');
});

test('positions opened while away are the bot\'s only with its magic number: by hand (0) and another EA\'s are someone else\'s (review r3, F1)', () => {
  const r = reconcile([toRestored(pos(1, { magic: 77 }))], { positions: [pos(1, { magic: 77 }), pos(2, { magic: 77 }), pos(3), pos(4, { magic: 5 })], deals: [], since: 0, at: 10 });
  const { own, foreign } = splitByOwner(r.opened, 77);
  assert.equal(own.map((a) => a.restored.positionId), [2]);
  assert.equal(foreign.map((a) => [a.restored.positionId, a.position.magic]), [[3, 0], [4, 5]]);
});

test('a position closed before the window has no exit deals and is reported as closed with unknown price', () => {
  const r = reconcile([toRestored(pos(1))], { positions: [], deals: [], since: 0, at: 10 });
  assert.equal([r.closed[0]!.reason, r.closed[0]!.exitPrice, r.closed[0]!.exitTime], ['closed', null, null]);
});

test('the first reconciliation after a start reads 7 days back, or from a day before the earliest position the journal knows', () => {
  const now = Date.UTC(2026, 11, 1, 12, 0, 0);
  const day = 86_400_000;
  const at = (entryTime: number) => ({ symbol: 'EURUSD', positionId: 1, direction: 'buy' as const, lotSize: 0.1, entryPrice: 1.1, stopLoss: 0, takeProfit: 0, entryTime });
  assert.is(firstSyncSince([], now), now - 7 * day);
  assert.is(firstSyncSince([at(now - 2 * day)], now), now - 7 * day, 'a recent position: the week covers it');
  assert.is(firstSyncSince([at(now - 2 * day), at(now - 30 * day)], now), now - 31 * day, 'a month-old position: back to a day before it');
  assert.is(firstSyncSince([at(Number.NaN)], now), now - 7 * day, 'an unknown entry time does not widen it');
});

test('a broker position unknown to the journal is adopted with its entry deal, in the journal shape', () => {
  const p = pos(7, { type: POSITION_TYPE_SELL, symbol: 'USDJPY', price_open: 150, sl: 151, tp: 0, volume: 0.3 });
  const entry = deal(6, 7, { entry: DEAL_ENTRY_IN, reason: 0, symbol: 'USDJPY' });
  const r = reconcile([], { positions: [p], deals: [entry], since: 0, at: 10 });
  assert.equal(r.opened[0]!.restored, { symbol: 'USDJPY', positionId: 7, direction: 'sell', lotSize: 0.3, entryPrice: 150, stopLoss: 151, takeProfit: 0, entryTime: 1_000 });
  assert.is(r.opened[0]!.entryDeal?.ticket, 6);
});

test('positions the engine itself opened meanwhile are not adopted twice', () => {
  const r = reconcile([], { positions: [pos(3, { comment: 'Tabc12345 x' })], deals: [], since: 0, at: 10 }, (p) => p.comment.startsWith('Tabc12345'));
  assert.equal(r.opened, []);
  assert.is(r.clean, true);
});

test('a stop moved or a partial close while away is reported as changed, not as closed and reopened', () => {
  const r = reconcile([toRestored(pos(1))], { positions: [pos(1, { sl: 1.1, volume: 0.05 })], deals: [], since: 0, at: 10 });
  assert.equal(r.changed[0]!.changes, ['volume', 'sl']);
  assert.equal(r.closed, []);
  assert.equal(r.opened, []);
});

test('reconciling the same snapshot twice, after applying it, is clean (idempotent)', () => {
  const snapshot = { positions: [pos(2)], deals: [deal(9, 1)], since: 0, at: 10 };
  const first = reconcile([toRestored(pos(1))], snapshot);
  const journal = first.opened.map((o) => o.restored);
  assert.is(reconcile(journal, snapshot).clean, true);
});

test.run();
