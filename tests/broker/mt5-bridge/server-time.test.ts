import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { firstValueFrom, timeout } from 'rxjs';
import { ORDER_TYPE_BUY, ORDER_TYPE_SELL, TRADE_RETCODE, marketOrder, type Deal } from '../../../engine/model/mt5.ts';
import type { RestoredPosition } from '../../../engine/model/restored-state.ts';
import type { LiveBar, LiveTick } from '../../../engine/broker/live-broker-port.ts';
import { toRestored } from '../../../engine/broker/reconcile.ts';
import { bridgeRig } from './bridge-harness.ts';

// The terminal stamps deals, positions, ticks and bars on the trade server's clock (here UTC+2 or
// UTC+3, as most brokers); the fake EA sends them as is, like TradeloomBridge.mq5, and reports the
// offset. Everything the broker hands the engine must be UTC.
const HOUR = 3_600_000;
const MINUTE = 60_000;
const UTC = Date.UTC(2026, 0, 9, 21, 30); // Friday 21:30 UTC
const SERVER = UTC + 2 * HOUR; // Friday 23:30 on a UTC+2 server
const until = async (cond: () => boolean, what: string) => {
  for (let i = 0; i < 1000; i++) { if (cond()) return; await new Promise((r) => setTimeout(r, 5)); }
  throw new Error(`timed out waiting for ${what}`);
};
const buy = (symbol = 'EURUSD') => marketOrder({ symbol, volume: 0.1, type: ORDER_TYPE_BUY });

test('UTC+2 server: a deal, its position, ticks and closed bars reach the engine in UTC, and a history window asked in UTC finds the deal', async () => {
  const rig = await bridgeRig({ serverOffsetS: 7_200 });
  try {
    const deals: Deal[] = [];
    const ticks: LiveTick[] = [];
    const bars: LiveBar[] = [];
    rig.broker.deals$.subscribe((d) => deals.push(d));
    rig.broker.ticks$.subscribe((t) => ticks.push(t));
    rig.broker.bars$.subscribe((b) => bars.push(b));
    rig.ea.tick('EURUSD', SERVER, 1.1, 1.10012);
    rig.ea.bar('EURUSD', 'M1', { time: SERVER - MINUTE, open: 1.1, high: 1.1002, low: 1.0999, close: 1.1, volume: 5 });
    const result = await rig.broker.orderSend(buy());
    assert.is(result.retcode, TRADE_RETCODE.DONE);
    await until(() => deals.length === 1 && bars.length === 1, 'the deal and the bar');
    assert.is(rig.terminal.deals[0]!.time, SERVER, 'the terminal stamped it on its own clock');
    assert.is(deals[0]!.time, UTC);
    assert.is(ticks[0]!.time, UTC);
    assert.is(bars[0]!.bar.time, UTC - MINUTE);
    assert.is((await rig.broker.positionsGet())[0]!.time, UTC);
    const history = await rig.broker.historyDealsGet(UTC - MINUTE, UTC + MINUTE);
    assert.equal(history.map((d) => [d.ticket, d.time]), [[result.deal, UTC]]);
    const ask = rig.ea.received.find((m) => m.type === 'deals_get')!;
    assert.equal([ask.from, ask.to], [SERVER - MINUTE, SERVER + MINUTE], 'the EA filters on the server clock');
    assert.equal(rig.problems.filter((p) => /offset|UTC/.test(p)), [], 'a reported offset warns about nothing');
  } finally { await rig.dispose(); }
});

test('a DST change mid-session (UTC+3 to UTC+2) converts later deals with the new offset; earlier ones keep theirs', async () => {
  const rig = await bridgeRig({ serverOffsetS: 10_800 });
  try {
    const deals: Deal[] = [];
    rig.broker.deals$.subscribe((d) => deals.push(d));
    const before = Date.UTC(2026, 9, 23, 20, 0); // Friday 20:00 UTC, 23:00 on the server in summer time
    rig.ea.tick('EURUSD', before + 3 * HOUR, 1.1, 1.10012);
    await rig.broker.orderSend(buy());
    await until(() => deals.length === 1, 'the first deal');
    rig.ea.changeServerOffset(7_200); // the server leaves summer time over the weekend
    const after = Date.UTC(2026, 9, 25, 22, 0); // Sunday 22:00 UTC, Monday 00:00 on the server
    rig.ea.tick('EURUSD', after + 2 * HOUR, 1.1, 1.10012);
    await rig.broker.orderSend(buy());
    await until(() => deals.length === 2, 'the second deal');
    assert.equal(deals.map((d) => d.time), [before, after]);
    assert.ok(rig.problems.some((p) => /clock moved from UTC\+3 to UTC\+2/.test(p)), rig.problems.join('\n'));
  } finally { await rig.dispose(); }
});

test('an EA before 1.20 (no server_offset_s): one warning naming the field and the consequence, times passed as they come (offset 0)', async () => {
  const rig = await bridgeRig({ serverOffsetS: null });
  try {
    const deals: Deal[] = [];
    rig.broker.deals$.subscribe((d) => deals.push(d));
    rig.ea.tick('EURUSD', SERVER, 1.1, 1.10012);
    await rig.broker.orderSend(buy());
    await until(() => deals.length === 1, 'the deal');
    assert.is(deals[0]!.time, SERVER);
    await rig.ea.restart();
    await rig.broker.waitConnected(3_000);
    const warnings = rig.problems.filter((p) => p.includes('server_offset_s'));
    assert.is(warnings.length, 1, rig.problems.join('\n'));
    assert.match(warnings[0]!, /sends no "server_offset_s".*older than TradeloomBridge 1\.20/);
    assert.match(warnings[0]!, /taken as UTC \(offset 0\).*TRADE_EXIT timestamps.*hours off/);
  } finally { await rig.dispose(); }
});

test('UTC+2 server: a stop hit while the engine was away comes in the reconnect reconciliation with its exit time in UTC', async () => {
  const journal: RestoredPosition[] = [];
  const rig = await bridgeRig({ serverOffsetS: 7_200 }, { knownPositions: () => journal });
  try {
    const now = Date.now();
    rig.ea.tick('EURUSD', now + 2 * HOUR, 1.1, 1.10012);
    assert.is((await rig.broker.orderSend(marketOrder({ symbol: 'EURUSD', volume: 0.1, type: ORDER_TYPE_BUY, sl: 1.095 }))).retcode, TRADE_RETCODE.DONE);
    const [p] = await rig.broker.positionsGet();
    assert.is(p!.time, now, 'the position opened at the UTC instant of the tick');
    journal.push(toRestored(p!));
    rig.ea.disconnect();
    await rig.connection(false);
    const stopAt = now + 90_000;
    rig.terminal.hitStop(p!.ticket, 1.095, stopAt + 2 * HOUR);
    const report = firstValueFrom(rig.broker.reconciliation$.pipe(timeout(5_000)));
    await rig.ea.connect();
    const r = await report;
    assert.is(r.closed.length, 1);
    assert.is(r.closed[0]!.reason, 'stop_loss');
    assert.is(r.closed[0]!.exitTime, stopAt);
  } finally { await rig.dispose(); }
});

test('UTC+2 server: bars closed while the EA was away are asked from the server-clock time after the last one and published in UTC, each once', async () => {
  const rig = await bridgeRig({ serverOffsetS: 7_200 });
  const bars: LiveBar[] = [];
  rig.broker.bars$.subscribe((b) => bars.push(b));
  const bar = (i: number) => ({ time: SERVER + i * MINUTE, open: 1.1, high: 1.1002, low: 1.0998, close: 1.1, volume: 10 + i });
  try {
    rig.ea.bar('EURUSD', 'M1', bar(0));
    await until(() => bars.length === 1, 'the first bar');
    rig.ea.disconnect();
    await rig.connection(false);
    for (const i of [1, 2]) rig.terminal.closeBar('EURUSD', 'M1', bar(i));
    await rig.ea.connect();
    rig.ea.bar('EURUSD', 'M1', bar(2)); // sent again after reconnecting
    rig.ea.bar('EURUSD', 'M1', bar(3));
    await until(() => bars.length >= 4, 'four bars');
    await new Promise((r) => setTimeout(r, 30));
    assert.equal(bars.map((b) => b.bar.time), [0, 1, 2, 3].map((i) => UTC + i * MINUTE));
    assert.is(rig.ea.received.find((m) => m.type === 'history')!.from, SERVER + 1);
  } finally { await rig.dispose(); }
});

test.run();
