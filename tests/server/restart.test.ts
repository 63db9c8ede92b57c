import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseTimestamp } from '../../protocol/index.ts';
import { listRecordings, readRecording } from '../../engine/server/recordings.ts';
import { weekStartOf } from '../../engine/time/trading-week.ts';
import { TestClient, type Json } from '../kit/server-kit.ts';

// The real `npm start` job with the real paper bot, killed hard mid-session and restarted on
// the same data dir: nothing closed is lost, and the account and the weekly count are intact.

const children = new Set<ChildProcess>();
let dir: string;

function startServer(config: string): Promise<{ child: ChildProcess; wsUrl: string; stderr: () => string }> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'engine/cli/start.ts', '--port', '0', '--data-dir', dir, '--config', config], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.add(child);
  child.once('exit', () => children.delete(child));
  let err = '';
  child.stderr!.on('data', (d) => (err += d));
  return new Promise((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (d) => {
      out += d;
      const m = /^listening on (http:\/\/\S+)$/m.exec(out);
      if (m) resolve({ child, wsUrl: `${m[1].replace('http', 'ws')}/ws`, stderr: () => err });
    });
    child.once('exit', (code) => reject(new Error(`server exited with ${code} before listening: ${err}`)));
  });
}

function exited(child: ChildProcess): Promise<number | null> {
  return child.exitCode !== null ? Promise.resolve(child.exitCode) : new Promise((r) => child.once('exit', (code) => r(code)));
}

test.before(() => {
  dir = mkdtempSync(join(tmpdir(), 'tradeloom-restart-'));
});
test.after(() => {
  for (const child of children) child.kill('SIGKILL');
  rmSync(dir, { recursive: true, force: true });
});

test('after kill -9 mid-session and a restart, no closed trade is lost and balance, open positions and trades_this_week are restored', async () => {
  const bot = { symbols: [{ symbol: 'USDCHF' }, { symbol: 'EURUSD' }, { symbol: 'XAUUSD' }], speed: 200, maxTradesPerWeek: 10 };
  const trading = join(dir, 'running.json');
  const held = join(dir, 'held.json');
  writeFileSync(trading, JSON.stringify({ bot }));
  // Held: not trading until start_bot, then slow enough that no bar lands before we look.
  writeFileSync(held, JSON.stringify({ bot: { ...bot, autoStart: false, speed: 0.5 } }));

  // First life: trade until some trades have closed and a position is open, then SIGKILL.
  const first = await startServer(trading);
  const client = await TestClient.connect(first.wsUrl);
  const open = new Map<string, Json>();
  let exits = 0;
  await new Promise<void>((resolve, reject) => {
    const guard = setTimeout(() => reject(new Error(`no closed trade with a position open after 120 s (${exits} exits)`)), 120_000);
    client.ws.on('message', (data) => {
      const m = JSON.parse(data.toString()) as Json;
      if (m.event_type === 'TRADE_ENTRY') open.set(m.data.symbol, m);
      if (m.event_type === 'TRADE_EXIT') {
        open.delete(m.data.symbol);
        exits++;
      }
      if (exits >= 3 && open.size > 0) {
        clearTimeout(guard);
        resolve();
      }
    });
  });
  first.child.kill('SIGKILL');
  await exited(first.child);
  const seenExits = client.received.filter((m) => m.event_type === 'TRADE_EXIT');
  await client.closed;

  // What was written before the kill: the recording (written, like the journal, before broadcast).
  const recordingDir = join(dir, 'recordings');
  const [recording] = listRecordings(recordingDir);
  const recorded = readRecording(recordingDir, recording.name)!;
  assert.ok(recorded.errors.length <= 1, 'at most a torn last line');
  const events = recorded.events as Json[];
  const recordedExits = events.filter((e) => e.event_type === 'TRADE_EXIT');
  for (const exit of seenExits) {
    assert.ok(recordedExits.some((e) => e.seq === exit.seq && e.data.position_id === exit.data.position_id), `exit ${exit.seq} was recorded`);
  }
  const entries = events.filter((e) => e.event_type === 'TRADE_ENTRY');
  const stillOpen = entries.filter((e) => !recordedExits.some((x) => x.data.position_id === e.data.position_id));
  assert.ok(stillOpen.length > 0, 'killed with a position open');
  const lastEntry = entries.at(-1)!;
  const lastBar = events.filter((e) => e.event_type === 'BAR').at(-1)!;
  const sameWeek = weekStartOf(parseTimestamp(lastBar.data.time)) === weekStartOf(parseTimestamp(lastEntry.data.time ?? lastEntry.timestamp));
  const lastSeq = events.at(-1)!.seq;

  // Second life, held (not trading), so the restored state can be read as it was restored.
  const second = await startServer(held);
  assert.match(second.stderr(), /continuing session/);
  const after = await TestClient.connect(second.wsUrl);
  const hello = await after.next((m) => m.type === 'connection_established');
  assert.ok(hello.last_seq >= lastSeq, `seq continues after ${lastSeq} (now ${hello.last_seq})`);
  // A client of the killed process resumes from the journal's copy of the last events.
  const resumed = await after.request({ type: 'resume', last_seq: lastSeq - 5 }, 'resume_result');
  assert.equal([resumed.ok, resumed.gap], [true, false], 'no gap across the restart');
  await after.next((m) => m.seq === lastSeq);
  assert.equal(after.received.filter((m) => m.event_type && m.seq <= lastSeq).map((m) => m.seq), [lastSeq - 4, lastSeq - 3, lastSeq - 2, lastSeq - 1, lastSeq]);
  const status = await after.request({ type: 'request_status' }, 'status');
  assert.is(status.balance, recordedExits.at(-1)!.data.balance_after, 'balance is the last closed trade\'s balance_after');
  assert.is(status.trades_this_week, sameWeek ? lastEntry.data.trades_this_week : 0, 'weekly count intact');
  assert.is(status.last_trade_time, lastEntry.data.time ?? null);
  const expectedPositions = stillOpen.map((e) => [e.data.symbol, e.data.direction, e.data.price, e.data.lot_size]).sort();

  // The paper bot takes its restored positions over when it starts; the feed's first bar is
  // two seconds away at this speed, so the status right after start shows them as restored.
  const started = await after.request({ type: 'start_bot' }, 'command_result');
  assert.is(started.ok, true);
  const running = await after.request({ type: 'request_status' }, 'status');
  const positions = (running.symbols as Json[]).filter((s) => s.position).map((s) => [s.symbol, s.position.direction, s.position.entry_price, s.position.lot_size]);
  assert.equal(positions.sort(), expectedPositions, 'open positions restored');
  assert.is(running.trades_this_week, status.trades_this_week);
  const init = await after.next((m) => m.event_type === 'BOT_INITIALIZATION');
  assert.ok(init.seq > lastSeq);
  assert.is(init.session_id, lastEntry.session_id, 'the restart continues the session');

  // And a clean shutdown exits 0.
  second.child.kill('SIGTERM');
  assert.is(await exited(second.child), 0);
  await after.closed;
});

test.run();
