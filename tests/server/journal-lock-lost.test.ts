import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TestClient } from '../kit/server-kit.ts';
import { killAllServers, readJournal, recordedEvents, seqProblems, startServerProcess } from '../kit/server-process.ts';

// Issue 11: two processes must never write one account. When another running process takes
// the data dir's lock, this one stops journaling (and so trading) and says so; when the lock
// is free again it takes it back and goes on, with nothing lost or sent twice.

const root = mkdtempSync(join(tmpdir(), 'tradeloom-lock-'));
test.after(() => {
  killAllServers();
  rmSync(root, { recursive: true, force: true });
});

test('a lost lock stops journaling and new positions with a reason; the lock back, the held events go out in order', async () => {
  const dataDir = join(root, 'data');
  const config = join(root, 'bot.json');
  writeFileSync(config, JSON.stringify({ bot: { symbols: [{ symbol: 'USDCHF' }, { symbol: 'EURUSD' }], speed: 100 } }));
  const server = startServerProcess(['--port', '0', '--data-dir', dataDir, '--config', config]);
  const url = await server.listening;
  const client = await TestClient.connect(`${url.replace('http', 'ws')}/ws`);
  await client.next((m) => m.event_type === 'BAR');

  // Another live process "takes" the lock.
  const other = spawn('sleep', ['60']);
  const lockPath = join(dataDir, 'journal.lock');
  writeFileSync(lockPath, `${other.pid}\n`);
  const notice = await client.next((m) => m.event_type === 'ERROR' && m.seq === undefined && m.data.source === 'journal', 0, 30_000);
  assert.match(notice.data.error, new RegExp(`lock lost: .*held by process ${other.pid}`));
  const health = await fetch(`${url}/healthz`);
  assert.is(health.status, 503);
  assert.match((await health.json()).error, /lock lost/);

  // The other process ends: the lock is taken back and the held events go out.
  other.kill('SIGKILL');
  await new Promise((r) => other.once('exit', r));
  const failedAt = client.received.indexOf(notice);
  const recovered = await client.next((m) => m.event_type === 'BOT_STATUS' && /writes again/.test(m.data.reason), failedAt, 30_000);
  assert.is(readFileSync(lockPath, 'utf8').trim(), String(server.child.pid), 'the lock is ours again');
  assert.is((await fetch(`${url}/healthz`)).status, 200);
  const released = client.received.slice(failedAt + 1).filter((m) => m.seq !== undefined && m.seq <= recovered.seq);
  assert.is(released[0].event_type, 'ERROR');
  assert.not.ok(released.some((m) => m.event_type === 'TRADE_ENTRY'), 'no entry while the lock was lost');

  server.child.kill('SIGTERM');
  assert.is(await server.exit, 0);
  const seqs = client.received.filter((m) => m.seq !== undefined).map((m) => m.seq);
  const journal = readJournal(dataDir);
  assert.equal(seqProblems(seqs, Math.max(...seqs)).duplicated, []);
  assert.equal(seqProblems(recordedEvents(dataDir).map((e) => e.seq), journal.lastSeq), { missing: [], duplicated: [] });
});

test.run();
