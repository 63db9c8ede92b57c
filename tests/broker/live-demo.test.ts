import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { BrokerPort } from '../../engine/broker/broker-port.ts';
import { Mt5BridgeBroker } from '../../engine/broker/mt5-bridge/mt5-bridge-broker.ts';
import { MetaApiBroker } from '../../engine/broker/metaapi/metaapi-broker.ts';
import { metaApiSdkOpener } from '../../engine/broker/metaapi/metaapi-sdk-session.ts';
import { ORDER_TYPE_BUY, ORDER_TYPE_SELL, TRADE_RETCODE, marketOrder } from '../../engine/model/mt5.ts';

/**
 * Against a real DEMO account, only when asked:
 *   TRADELOOM_METAAPI_TOKEN + TRADELOOM_METAAPI_ACCOUNT   MetaApi (token, MetaApi account id)
 *   TRADELOOM_MT5_BRIDGE=1 + TRADELOOM_MT5_BRIDGE_SECRET   the EA in a running terminal
 *        (TRADELOOM_MT5_BRIDGE_PORT, default 5555; waits up to 120 s for the EA)
 *   TRADELOOM_LIVE_TRADE=1   also opens and closes 0.01 lot of TRADELOOM_LIVE_SYMBOL (default EURUSD)
 * Without them each test passes at once, printing why it did not run (uvu's own skip upsets
 * tests/run.mjs's failure count).
 */
const env = process.env;
const symbol = env.TRADELOOM_LIVE_SYMBOL || 'EURUSD';

async function exercise(broker: BrokerPort): Promise<void> {
  assert.is(broker.isConnected(), true);
  const account = await broker.accountInfo();
  console.log(`  ${broker.name}: login ${account.login} on ${account.server}, balance ${account.balance} ${account.currency}`);
  assert.ok(account.balance >= 0);
  const info = await broker.symbolInfo(symbol);
  assert.ok(info, `symbol ${symbol} not offered by the account`);
  console.log(`  ${symbol}: digits ${info!.digits}, volume ${info!.volume_min}..${info!.volume_max} step ${info!.volume_step}, bid ${info!.bid} ask ${info!.ask}`);
  const before = await broker.positionsGet();
  console.log(`  open positions: ${before.length}; deals in the last 7 days: ${(await broker.historyDealsGet(Date.now() - 7 * 86_400_000, Date.now() + 86_400_000)).length}`);
  if (env.TRADELOOM_LIVE_TRADE !== '1') { console.log('  (TRADELOOM_LIVE_TRADE not set: no order sent)'); return; }
  const open = await broker.orderSend(marketOrder({ symbol, volume: info!.volume_min, type: ORDER_TYPE_BUY, comment: 'tradeloom live test' }));
  console.log(`  buy: retcode ${open.retcode} ${open.comment} price ${open.price} order ${open.order} deal ${open.deal}`);
  assert.is(open.retcode, TRADE_RETCODE.DONE);
  // Times are UTC: the fill is stamped within minutes of this machine's UTC clock, not hours (the server's zone).
  const filled = (await broker.historyDealsGet(Date.now() - 86_400_000, Date.now() + 86_400_000)).find((d) => d.ticket === open.deal);
  assert.ok(filled, `deal ${open.deal} is in the history`);
  const offMinutes = Math.round((filled!.time - Date.now()) / 60_000);
  console.log(`  the fill's time ${new Date(filled!.time).toISOString()} is ${offMinutes} min from this machine's UTC clock`);
  assert.ok(Math.abs(offMinutes) < 15, `the fill is stamped ${offMinutes} min off UTC: a wrong server_offset_s (the terminal's time zone) or a wrong clock on this machine`);
  const mine = (await broker.positionsGet(symbol)).find((p) => !before.some((b) => b.ticket === p.ticket));
  assert.ok(mine, 'the new position is listed');
  const shut = await broker.orderSend(marketOrder({ symbol, volume: mine!.volume, type: ORDER_TYPE_SELL, position: mine!.ticket }));
  console.log(`  close: retcode ${shut.retcode} ${shut.comment} price ${shut.price}`);
  assert.is(shut.retcode, TRADE_RETCODE.DONE);
}

if (env.TRADELOOM_METAAPI_TOKEN && env.TRADELOOM_METAAPI_ACCOUNT) {
  test('live demo: MetaApi account answers account, symbol, positions and history (and trades if allowed)', async () => {
    const broker = await MetaApiBroker.connect(metaApiSdkOpener({ token: env.TRADELOOM_METAAPI_TOKEN!, accountId: env.TRADELOOM_METAAPI_ACCOUNT! }), { symbols: [symbol] });
    try { await exercise(broker); } finally { await broker.close(); }
  });
} else {
  test('live demo: MetaApi skipped without TRADELOOM_METAAPI_TOKEN and TRADELOOM_METAAPI_ACCOUNT', () => {
    console.log('live-demo: MetaApi test skipped: set TRADELOOM_METAAPI_TOKEN and TRADELOOM_METAAPI_ACCOUNT to run it against a demo account');
  });
}

if (env.TRADELOOM_MT5_BRIDGE === '1' && env.TRADELOOM_MT5_BRIDGE_SECRET) {
  test('live demo: the TradeloomBridge EA in a real terminal answers account, symbol, positions and history (and trades if allowed)', async () => {
    const broker = await Mt5BridgeBroker.listen({ secret: env.TRADELOOM_MT5_BRIDGE_SECRET!, port: Number(env.TRADELOOM_MT5_BRIDGE_PORT || 5555) });
    broker.problems$.subscribe((p) => console.log(`  ${p}`));
    try {
      console.log(`  waiting up to 120 s for the EA on 127.0.0.1:${broker.port}`);
      await broker.waitConnected(120_000);
      const session = broker.eaSession;
      console.log(`  ${session?.ea}: server_offset_s ${session?.serverOffsetS ?? 'not sent (an EA before 1.20: times are not converted to UTC)'}`);
      await exercise(broker);
    } finally { await broker.close(); }
  });
} else {
  test('live demo: MT5 bridge skipped without TRADELOOM_MT5_BRIDGE=1 and TRADELOOM_MT5_BRIDGE_SECRET', () => {
    console.log('live-demo: MT5 bridge test skipped: set TRADELOOM_MT5_BRIDGE=1 and TRADELOOM_MT5_BRIDGE_SECRET (and run the EA) to run it');
  });
}

test.run();
