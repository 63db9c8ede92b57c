import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startTestServer, TestClient, type TestServer } from '../kit/server-kit.ts';

let t: TestServer;
test.before.each(async () => {
  t = await startTestServer();
});
test.after.each(async () => {
  await t.close();
});

test('each manual command gets a command_result saying whether it was done and why, and a COMMAND event with who, what, when', async () => {
  const client = await TestClient.connect(t.wsUrl);
  const hello = await client.next((m) => m.type === 'connection_established');
  const cases: [object, boolean, RegExp][] = [
    [{ type: 'start_bot', request_id: 1 }, true, /started/],
    [{ type: 'start_bot' }, false, /already running/],
    [{ type: 'pause_symbol', symbol: 'USDCHF' }, true, /paused/],
    [{ type: 'pause_symbol', symbol: 'NOPE' }, false, /unknown symbol/],
    [{ type: 'resume_symbol', symbol: 'USDCHF' }, true, /resumed/],
    [{ type: 'close_position', symbol: 'USDCHF' }, false, /no open position/],
    [{ type: 'run_backtest', symbol: 'USDCHF', timeframe: 'M30', strategy: 'sr-bounce' }, true, /backtest/],
    [{ type: 'stop_bot' }, true, /stopped/],
  ];
  for (const [message, ok, reason] of cases) {
    const mark = client.received.length;
    const result = await client.request(message, 'command_result');
    const command = (message as { type: string }).type;
    assert.is(result.command, command);
    assert.is(result.ok, ok, `${JSON.stringify(message)} ok`);
    assert.match(result.reason, reason);
    const audit = await client.next((m) => m.event_type === 'COMMAND' && m.data.command === command, mark);
    assert.is(audit.data.connection_id, hello.connection_id);
    assert.is(audit.data.ok, ok);
    assert.is(audit.data.reason, result.reason);
    assert.match(audit.timestamp, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}$/);
  }
  const first = await client.next((m) => m.type === 'command_result');
  assert.is(first.request_id, 1);
  t.bot.entry('EURUSD');
  const closed = await client.request({ type: 'close_position', symbol: 'EURUSD' }, 'command_result');
  assert.is(closed.ok, true);
  await client.next((m) => m.event_type === 'TRADE_EXIT');
  await client.close();
});

test('a backtest started by one client streams its events to every client', async () => {
  const a = await TestClient.connect(t.wsUrl);
  const b = await TestClient.connect(t.wsUrl);
  await a.request({ type: 'run_backtest', symbol: 'USDCHF', timeframe: 'M30' }, 'command_result');
  for (const c of [a, b]) {
    await c.next((m) => m.event_type === 'BACKTEST_COMPLETE');
    assert.equal(c.received.filter((m) => m.event_type?.startsWith('BACKTEST') || m.event_type === 'WEEKLY_SUMMARY').map((m) => m.event_type), ['BACKTEST_START', 'WEEKLY_SUMMARY', 'BACKTEST_COMPLETE']);
  }
  await a.close();
  await b.close();
});

const EVENT = (seq: number) => JSON.stringify({ timestamp: '2024-01-15T10:30:45.123000', session_id: 's', event_type: 'BOT_STATUS', level: 'INFO', data: { running: true, connected: true }, seq });

function writeRecording(name: string, lines: string[]): void {
  const dir = join(t.dataDir, 'recordings');
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, name), lines.join('\n') + '\n');
}

test('recordings are listed and fetched over the WebSocket; a torn line is reported with its number', async () => {
  writeRecording('20240115-103045_paper_aaaa-1.jsonl', [EVENT(1), EVENT(2), '{"torn']);
  writeRecording('20240116-090000_backtest_bbbb-2.jsonl', [EVENT(3)]);
  writeRecording('not-a-recording.txt', ['x']);
  const client = await TestClient.connect(t.wsUrl);
  const list = await client.request({ type: 'list_recordings' }, 'command_result');
  assert.is(list.ok, true);
  assert.equal(list.data.recordings.map((r: { name: string }) => r.name), ['20240116-090000_backtest_bbbb-2.jsonl', '20240115-103045_paper_aaaa-1.jsonl']);
  assert.equal([list.data.recordings[1].kind, list.data.recordings[1].session_id, list.data.recordings[1].started], ['paper', 'aaaa-1', '2024-01-15T10:30:45']);
  const got = await client.request({ type: 'get_recording', name: '20240115-103045_paper_aaaa-1.jsonl' }, 'command_result');
  assert.is(got.ok, true);
  assert.equal(got.data.events.map((e: { seq: number }) => e.seq), [1, 2]);
  assert.equal(got.data.errors.map((e: { line: number }) => e.line), [3]);
  const missing = await client.request({ type: 'get_recording', name: '../../etc/passwd' }, 'command_result');
  assert.is(missing.ok, false);
  assert.match(missing.reason, /no recording named/);
  await client.close();
});

test('questions (list_recordings, get_backtest, list_optimisations, get_optimisation) are answered but not logged as COMMAND events; a command after them is', async () => {
  writeRecording('20240116-090000_backtest_bbbb-2.jsonl', [EVENT(3)]);
  const client = await TestClient.connect(t.wsUrl);
  const mark = client.received.length;
  for (let k = 0; k < 20; k++) assert.is((await client.request({ type: 'list_recordings' }, 'command_result')).ok, true);
  await client.request({ type: 'get_backtest', name: '20240116-090000_backtest_bbbb-2.jsonl' }, 'command_result');
  await client.request({ type: 'list_optimisations' }, 'command_result');
  await client.request({ type: 'get_optimisation', name: 'none' }, 'command_result');
  await client.request({ type: 'pause_symbol', symbol: 'USDCHF' }, 'command_result');
  await client.next((m) => m.event_type === 'COMMAND' && m.data.command === 'pause_symbol', mark);
  const logged = client.received.slice(mark).filter((m) => m.event_type === 'COMMAND').map((m) => m.data.command);
  assert.equal(logged, ['pause_symbol']);
  await client.close();
});

test('HTTP: /healthz, /metrics in Prometheus text, /recordings list and file, and a page saying how to build the UI', async () => {
  writeRecording('20240115-103045_paper_aaaa-1.jsonl', [EVENT(1)]);
  const client = await TestClient.connect(t.wsUrl);
  t.bot.init();
  t.bot.entry('USDCHF');
  await client.next((m) => m.event_type === 'TRADE_ENTRY');
  const health = await (await fetch(`${t.httpUrl}/healthz`)).json();
  assert.is(health.status, 'ok');
  const metrics = await (await fetch(`${t.httpUrl}/metrics`)).text();
  assert.match(metrics, /^tradeloom_ws_connections 1$/m);
  assert.match(metrics, /^tradeloom_events_total 2$/m);
  assert.match(metrics, /^tradeloom_events_per_second \d/m);
  assert.match(metrics, /^tradeloom_messages_dropped_total\{reason="debug_shed"\} 0$/m);
  assert.match(metrics, /^tradeloom_trades_total\{kind="entry"\} 1$/m);
  const list = await (await fetch(`${t.httpUrl}/recordings`)).json();
  assert.is(list.recordings.length, 1);
  const file = await fetch(`${t.httpUrl}/recordings/20240115-103045_paper_aaaa-1.jsonl`);
  assert.is(file.headers.get('content-type'), 'application/x-ndjson');
  assert.is(JSON.parse((await file.text()).trim()).seq, 1);
  assert.is((await fetch(`${t.httpUrl}/recordings/..%2F..%2Fjournal.sqlite`)).status, 404);
  const page = await (await fetch(`${t.httpUrl}/`)).text();
  assert.match(page, /npm run build/);
  await client.close();
});

test('the built UI is served at / when present, with the SPA shell for unknown paths and no escape from its folder', async () => {
  const ui = join(t.dataDir, 'ui');
  mkdirSync(join(ui, 'assets'), { recursive: true });
  writeFileSync(join(ui, 'index.html'), '<!doctype html><title>workbench</title>');
  writeFileSync(join(ui, 'assets', 'app.js'), 'console.log(1)');
  const u = await startTestServer({ uiDir: ui });
  assert.match(await (await fetch(`${u.httpUrl}/`)).text(), /workbench/);
  const js = await fetch(`${u.httpUrl}/assets/app.js`);
  assert.match(js.headers.get('content-type')!, /javascript/);
  assert.match(await (await fetch(`${u.httpUrl}/replay/some-view`)).text(), /workbench/);
  assert.is((await fetch(`${u.httpUrl}/assets/missing.js`)).status, 404);
  assert.is((await fetch(`${u.httpUrl}/..%2F..%2Fetc%2Fpasswd.js`)).status, 404);
  await u.close();
});

test.run();
