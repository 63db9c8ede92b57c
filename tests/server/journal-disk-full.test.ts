import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TestClient, type Json } from '../kit/server-kit.ts';
import { killAllServers, mountTmpfs, readJournal, recordedEvents, remount, seqProblems, startServerProcess, unmount } from '../kit/server-process.ts';

// Issue 11: the journal on a really full file system (a 2 MB tmpfs). The bot must stop opening
// positions, say so on every channel, send nothing it has not journaled, resume by itself when
// there is room again, exit 0 on SIGTERM while full, and lose or duplicate no trade.

const root = mkdtempSync(join(tmpdir(), 'tradeloom-full-'));
const dataDir = join(root, 'data');
let mounted = false;

test.after(() => {
  killAllServers();
  if (mounted) unmount(dataDir);
  rmSync(root, { recursive: true, force: true });
});

async function get(url: string): Promise<{ status: number; text: string }> {
  const res = await fetch(url);
  return { status: res.status, text: await res.text() };
}

async function until<T>(what: string, probe: () => Promise<T | null | undefined | false> | T | null | undefined | false, timeoutMs = 60_000): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

test('on a full disk: no new positions, ERROR + status + /healthz 503 + metric, recovery by itself, SIGTERM exits 0, and no trade lost or duplicated after restart', async () => {
  const { mkdirSync } = await import('node:fs');
  mkdirSync(dataDir);
  if (!mountTmpfs(dataDir, '2m')) {
    console.log('SKIPPED: mounting a tmpfs needs root; run the suite as root (CI does) to test a full disk');
    return;
  }
  mounted = true;
  const config = join(root, 'bot.json');
  writeFileSync(config, JSON.stringify({ bot: { symbols: [{ symbol: 'USDCHF' }, { symbol: 'EURUSD' }, { symbol: 'XAUUSD' }], speed: 200 } }));
  const first = startServerProcess(['--port', '0', '--data-dir', dataDir, '--config', config]);
  const url = await first.listening;
  const client = await TestClient.connect(`${url.replace('http', 'ws')}/ws`);

  // The replay fills the 2 MB by itself (journal and recordings): the journal stops taking writes.
  const notice = await client.next((m) => m.event_type === 'ERROR' && m.seq === undefined && m.data.source === 'journal', 0, 120_000);
  assert.match(notice.data.error, /journal cannot write: .*(full|FULL)/);
  assert.match(notice.data.error, /No new positions/);
  const failedAt = client.received.indexOf(notice);
  const lastSeenSeq = Math.max(...client.received.slice(0, failedAt).filter((m) => m.seq !== undefined).map((m) => m.seq));

  const health = await get(`${url}/healthz`);
  assert.is(health.status, 503, 'healthz says the bot is not healthy');
  assert.match(JSON.parse(health.text).error, /journal cannot write/);
  const status = await client.request({ type: 'request_status' }, 'status');
  assert.match(status.error, /journal cannot write/);
  // Events keep coming from the replay and are held, not sent.
  await until('events held while the disk is full', async () => /tradeloom_journal_held_events ([1-9]\d+)/.exec((await get(`${url}/metrics`)).text));
  const metrics = (await get(`${url}/metrics`)).text;
  assert.match(metrics, /tradeloom_journal_ok 0/);
  assert.match(metrics, /tradeloom_journal_failures_total 1/);
  assert.not.ok(client.received.slice(failedAt + 1).some((m) => m.seq !== undefined), 'nothing sequenced is sent while the journal cannot write');

  // Room again: the held events go out in order, then new positions are allowed again.
  remount(dataDir, 'size=8m');
  const recovered = await client.next((m) => m.event_type === 'BOT_STATUS' && /writes again/.test(m.data.reason), failedAt, 60_000).catch((err) => {
    throw new Error(`${err.message}; server: ${first.stderr().slice(-3000)}`);
  });
  assert.is((await get(`${url}/healthz`)).status, 200);
  const released = client.received.slice(failedAt + 1).filter((m) => m.seq !== undefined && m.seq < recovered.seq);
  assert.ok(released.length > 0, 'the held events were sent');
  assert.is(released[0].seq, lastSeenSeq + 1, 'the held events continue the sequence without a gap');
  assert.is(released[0].event_type, 'ERROR', 'the journal records when and why it stopped');
  assert.not.ok(released.some((m) => m.event_type === 'TRADE_ENTRY'), 'no position was opened while the journal could not write');

  // It fills up again; SIGTERM while full still closes cleanly.
  await client.next((m) => m.event_type === 'ERROR' && m.seq === undefined && m.data.source === 'journal', client.received.indexOf(recovered), 120_000);
  first.child.kill('SIGTERM');
  assert.is(await first.exit, 0, `SIGTERM on a full disk exits 0; stderr: ${first.stderr().slice(-2000)}`);
  await client.closed;

  // Every event a client saw is journaled; after a restart with room, nothing is lost or reused.
  remount(dataDir, 'size=64m');
  const seen = client.received.filter((m) => m.seq !== undefined);
  const seqs = seen.map((m) => m.seq);
  assert.equal(seqProblems(seqs, Math.max(...seqs)).duplicated, [], 'no seq sent twice');
  assert.equal(seqProblems(seqs, Math.max(...seqs)).missing.filter((s) => s > seqs[0]), [], 'no seq skipped');
  const journal = readJournal(dataDir);
  assert.ok(journal.lastSeq >= Math.max(...seqs), 'the journal holds every seq a client saw');
  const exitsSeen = seen.filter((m) => m.event_type === 'TRADE_EXIT');
  assert.ok(exitsSeen.length > 0, 'trades closed during the run');
  for (const exit of exitsSeen) {
    assert.ok(journal.closed.some((t) => t.exitSeq === exit.seq && t.positionId === exit.data.position_id), `exit #${exit.data.position_id} (seq ${exit.seq}) is journaled`);
  }

  const second = startServerProcess(['--port', '0', '--data-dir', dataDir, '--config', config]);
  const again = await TestClient.connect(`${(await second.listening).replace('http', 'ws')}/ws`);
  const hello = await again.next((m) => m.type === 'connection_established');
  assert.is(hello.last_seq >= journal.lastSeq, true, 'seq continues after the journal');
  const next = await again.next((m) => m.seq !== undefined, 0, 30_000);
  assert.ok(next.seq > journal.lastSeq, 'no seq reused after the restart');
  second.child.kill('SIGTERM');
  assert.is(await second.exit, 0);
  const after = readJournal(dataDir);
  const recorded = recordedEvents(dataDir);
  const problems = seqProblems(recorded.map((e) => e.seq), after.lastSeq);
  assert.equal(problems, { missing: [], duplicated: [] }, 'the recordings hold every journaled seq once');
  const recordedExits = recorded.filter((e) => e.event_type === 'TRADE_EXIT');
  assert.is(new Set(recordedExits.map((e) => e.data.position_id)).size, recordedExits.length, 'no trade closed twice');
  assert.is(after.closed.length, recordedExits.length, 'every recorded exit is journaled');
});

test.run();
