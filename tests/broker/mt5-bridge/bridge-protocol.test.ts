import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { readFileSync } from 'node:fs';
import { EA_MESSAGE_CODECS, decodeEaLine } from '../../../engine/broker/mt5-bridge/bridge-protocol.ts';
import { authDigest, digestMatches } from '../../../engine/broker/mt5-bridge/bridge-auth.ts';
import { clientIdOf, commentWithClientId, commentWithoutClientId, newClientOrderId } from '../../../engine/broker/mt5-bridge/client-order-id.ts';
import { ORDER_TYPE_BUY, ORDER_TYPE_SELL, marketOrder } from '../../../engine/model/mt5.ts';
import { bridgeRig } from './bridge-harness.ts';

const doc = readFileSync(new URL('../../../engine/broker/mt5-bridge/PROTOCOL.md', import.meta.url), 'utf8');

test('PROTOCOL.md documents every message type the engine accepts from the EA and every one it sends', () => {
  for (const type of Object.keys(EA_MESSAGE_CODECS)) assert.ok(doc.includes(`"type":"${type}"`), `EA message "${type}" missing from PROTOCOL.md`);
  for (const type of ['challenge', 'welcome', 'reject', 'order', 'symbol_get', 'account_get', 'positions_get', 'deals_get', 'lookup', 'history']) {
    assert.ok(doc.includes(`"type":"${type}"`), `engine message "${type}" missing from PROTOCOL.md`);
  }
});

test('every message the engine sends the EA is flat (strings and numbers only), as the EA parser requires', async () => {
  const rig = await bridgeRig();
  try {
    rig.ea.tick('EURUSD', 1, 1.1, 1.10012);
    await rig.broker.orderSend(marketOrder({ symbol: 'EURUSD', volume: 0.1, type: ORDER_TYPE_BUY, comment: 'has "quotes" and \\ backslash' }));
    const [p] = await rig.broker.positionsGet();
    await rig.broker.orderSend(marketOrder({ symbol: 'EURUSD', volume: 0.1, type: ORDER_TYPE_SELL, position: p!.ticket }));
    await rig.broker.accountInfo();
    await rig.broker.symbolInfo('EURUSD');
    await rig.broker.historyDealsGet(0, 10);
    const types = new Set(rig.ea.received.map((m) => m.type));
    for (const t of ['challenge', 'welcome', 'order', 'positions_get', 'account_get', 'symbol_get', 'deals_get']) assert.ok(types.has(t), t);
    for (const m of rig.ea.received) {
      for (const [k, v] of Object.entries(m)) assert.ok(typeof v === 'string' || typeof v === 'number', `${m.type}.${k} is ${typeof v}`);
    }
  } finally { await rig.dispose(); }
});

test('a valid EA line decodes; a missing field is named with its path', () => {
  const ok = decodeEaLine('{"type":"heartbeat","t":5}', 3);
  assert.ok(ok.ok);
  const bad = decodeEaLine('{"type":"order_result","id":"r1","client_id":"T1","result":{"retcode":10009}}', 7);
  assert.not.ok(bad.ok);
  if (!bad.ok) {
    assert.match(bad.error, /^EA line 7: invalid "order_result" message/);
    assert.match(bad.error, /result.*deal|deal.*result/);
  }
});

test('auth digests match only for the right secret, and the secret is not the digest', () => {
  const digest = authDigest('abc', 'secret-123');
  assert.ok(digestMatches('abc', 'secret-123', digest));
  assert.ok(digestMatches('abc', 'secret-123', digest.toUpperCase()));
  assert.not.ok(digestMatches('abc', 'secret-124', digest));
  assert.not.ok(digestMatches('abd', 'secret-123', digest));
  assert.not.ok(digest.includes('secret'));
});

test('client order ids lead the MT5 comment, survive its 31-character cut and are found again', () => {
  const id = newClientOrderId();
  assert.match(id, /^T[0-9a-z]{8}$/);
  const comment = commentWithClientId(id, 'a very long strategy comment that MT5 will cut');
  assert.is(comment.length, 31);
  assert.is(clientIdOf(comment), id);
  assert.is(commentWithoutClientId(commentWithClientId(id, 'entry')), 'entry');
  assert.is(clientIdOf('[sl]'), null);
  assert.is(clientIdOf(''), null);
});

test.run();
