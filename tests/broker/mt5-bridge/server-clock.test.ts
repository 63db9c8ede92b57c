import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { ServerClock, describeOffset, messageToServer, messageToUtc, serverToUtc, utcToServer } from '../../../engine/broker/mt5-bridge/server-clock.ts';
import type { EaMessage } from '../../../engine/broker/mt5-bridge/bridge-protocol.ts';
import type { Deal, Position } from '../../../engine/model/mt5.ts';

const HOUR = 3_600_000;
const UTC_FRIDAY_2130 = Date.UTC(2026, 0, 9, 21, 30);
const SERVER_FRIDAY_2330 = Date.UTC(2026, 0, 9, 23, 30); // the same instant on a UTC+2 server's clock
const U0 = Date.UTC(2026, 2, 2, 8);

const deal = (time: number): Deal => ({
  ticket: 7, order: 6, time, type: 1, entry: 1, magic: 0, position_id: 5, reason: 0, volume: 0.1, price: 1.1, commission: 0, swap: 0, profit: 3, symbol: 'EURUSD', comment: '',
});
const position = (time: number): Position => ({
  ticket: 5, time, type: 0, magic: 0, identifier: 5, volume: 0.1, price_open: 1.1, sl: 0, tp: 0, price_current: 1.1, swap: 0, profit: 0, symbol: 'EURUSD', comment: '',
});

test('a Friday 23:30 deal on a UTC+2 server clock is 21:30 UTC, and back again for a request bound', () => {
  assert.is(serverToUtc(SERVER_FRIDAY_2330, 7_200), UTC_FRIDAY_2130);
  assert.is(utcToServer(UTC_FRIDAY_2130, 7_200), SERVER_FRIDAY_2330);
  assert.is(serverToUtc(SERVER_FRIDAY_2330, 0), SERVER_FRIDAY_2330);
});

test('every time-carrying EA message is moved to UTC, in the live stream and in history replies, and nothing else changes', () => {
  const T = SERVER_FRIDAY_2330;
  const U = UTC_FRIDAY_2130;
  const bar = { time: T, open: 1, high: 2, low: 0.5, close: 1.5, volume: 9 };
  const cases: [EaMessage, EaMessage][] = [
    [{ type: 'tick', symbol: 'EURUSD', time: T, bid: 1, ask: 1.1, last: 0, volume: 0 }, { type: 'tick', symbol: 'EURUSD', time: U, bid: 1, ask: 1.1, last: 0, volume: 0 }],
    [{ type: 'bar', symbol: 'EURUSD', timeframe: 'M1', ...bar }, { type: 'bar', symbol: 'EURUSD', timeframe: 'M1', ...bar, time: U }],
    [{ type: 'deal', deal: deal(T) }, { type: 'deal', deal: deal(U) }],
    [{ type: 'deals', id: 'r1', deals: [deal(T), deal(T + HOUR)], total: 2 }, { type: 'deals', id: 'r1', deals: [deal(U), deal(U + HOUR)], total: 2 }],
    [{ type: 'positions', id: 'r2', positions: [position(T)] }, { type: 'positions', id: 'r2', positions: [position(U)] }],
    [{ type: 'found', id: 'r3', client_id: 'T12345678', deals: [deal(T)], positions: [position(T)], by: 'fallback' },
      { type: 'found', id: 'r3', client_id: 'T12345678', deals: [deal(U)], positions: [position(U)], by: 'fallback' }],
    [{ type: 'bars', id: 'r4', symbol: 'EURUSD', timeframe: 'M1', bars: [bar] }, { type: 'bars', id: 'r4', symbol: 'EURUSD', timeframe: 'M1', bars: [{ ...bar, time: U }] }],
  ];
  for (const [server, utc] of cases) {
    const frozen = JSON.stringify(server);
    assert.equal(messageToUtc(server, 7_200), utc, server.type);
    assert.is(JSON.stringify(server), frozen, `${server.type}: the received message is not modified`);
  }
  const heartbeat: EaMessage = { type: 'heartbeat', t: 123, server_offset_s: 7_200 };
  assert.equal(messageToUtc(heartbeat, 7_200), heartbeat, "the heartbeat's t is the EA's uptime, not a broker time");
});

test('request bounds go out on the server clock; history "to 0" keeps meaning "up to the last closed bar"', () => {
  assert.equal(messageToServer({ type: 'deals_get', id: 'r1', from: U0, to: U0 + HOUR, offset: 0, limit: 500 }, 10_800),
    { type: 'deals_get', id: 'r1', from: U0 + 3 * HOUR, to: U0 + 4 * HOUR, offset: 0, limit: 500 });
  assert.equal(messageToServer({ type: 'history', id: 'r2', symbol: 'EURUSD', timeframe: 'M1', from: U0, to: 0, limit: 500 }, 10_800),
    { type: 'history', id: 'r2', symbol: 'EURUSD', timeframe: 'M1', from: U0 + 3 * HOUR, to: 0, limit: 500 });
  const lookup = messageToServer({ type: 'lookup', id: 'r3', client_id: 'T12345678', from: U0, symbol: 'EURUSD', magic: 1, volume: 0.1, order_type: 0, position: 0 }, 10_800);
  assert.is((lookup as { from: number }).from, U0 + 3 * HOUR);
});
test('the clock takes the hello offset, logs a DST change once, and refuses an impossible offset naming it', () => {
  const log: string[] = [];
  const clock = new ServerClock((t) => log.push(t));
  clock.startSession(10_800, 'TradeloomBridge 1.20');
  assert.is(clock.offsetS, 10_800);
  assert.equal(log, []);
  clock.update(10_800, 'heartbeat');
  clock.update(7_200, 'heartbeat');
  clock.update(7_200, 'heartbeat');
  assert.is(clock.offsetS, 7_200);
  assert.is(log.length, 1);
  assert.match(log[0]!, /from UTC\+3 to UTC\+2/);
  clock.update(90_000, 'heartbeat');
  assert.is(clock.offsetS, 7_200, 'a bad report is ignored');
  assert.match(log[1]!, /"server_offset_s" in the heartbeat: 90000 s is beyond/);
});

test('an EA without an offset: one warning naming the missing field and the consequence, times taken as UTC, and a fresh tick says what it suggests', () => {
  const log: string[] = [];
  const now = Date.UTC(2026, 0, 9, 12, 0, 0);
  const clock = new ServerClock((t) => log.push(t), () => now);
  clock.startSession(undefined, 'TradeloomBridge 1.10');
  clock.startSession(undefined, 'TradeloomBridge 1.10'); // a reconnection: not warned again
  assert.is(log.length, 1);
  assert.match(log[0]!, /sends no "server_offset_s".*older than TradeloomBridge 1\.20/);
  assert.match(log[0]!, /taken as UTC \(offset 0\).*hours off/);
  const stale: EaMessage = { type: 'tick', symbol: 'EURUSD', time: now - 40 * 60_000 + 7_200_000, bid: 1, ask: 1, last: 0, volume: 0 };
  assert.equal(clock.toUtc(stale), stale, 'offset 0: unchanged');
  assert.is(log.length, 1, 'a tick 40 minutes off a whole quarter hour is stale: no hint from it');
  const fresh: EaMessage = { type: 'tick', symbol: 'EURUSD', time: now + 7_200_000 + 800, bid: 1, ask: 1, last: 0, volume: 0 };
  assert.equal(clock.toUtc(fresh), fresh, 'the hint is not applied');
  clock.toUtc(fresh);
  assert.is(log.length, 2);
  assert.match(log[1]!, /stamped 2 h ahead of this machine's UTC clock: the trade server is probably at UTC\+2.*NOT corrected/);
});

test('offsets read as time zones in the log', () => {
  assert.equal([describeOffset(0), describeOffset(7_200), describeOffset(-12_600), describeOffset(20_700)], ['UTC', 'UTC+2', 'UTC-3:30', 'UTC+5:45']);
});

test.run();
