import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TestClient } from '../kit/server-kit.ts';
import { killAllServers, mountTmpfs, readJournal, recordedEvents, remount, seqProblems, startServerProcess, unmount } from '../kit/server-process.ts';

// The recording (JSONL) on a really full file system while the journal has room: the journal
// is authoritative, so trading goes on, but every client is told, once, that the recording
// cannot write, and again when it can. Before, only the server's log and /metrics knew.

const root = mkdtempSync(join(tmpdir(), 'tradeloom-recfull-'));
const dataDir = join(root, 'data');
const recordings = join(dataDir, 'recordings');
let mounted = false;

test.after(() => {
  killAllServers();
  if (mounted) unmount(recordings);
  rmSync(root, { recursive: true, force: true });
});

test('a full recordings disk: one ERROR (source recorder) to every client, trading and the journal go on, a notice when it writes again, and the recordings end up holding every journaled seq', async () => {
  mkdirSync(recordings, { recursive: true });
  if (!mountTmpfs(recordings, '256k')) {
    console.log('SKIPPED: mounting a tmpfs needs root; run the suite as root (CI does) to test a full disk');
    return;
  }
  mounted = true;
  const config = join(root, 'bot.json');
  writeFileSync(config, JSON.stringify({ bot: { symbols: [{ symbol: 'USDCHF' }, { symbol: 'EURUSD' }], speed: 400 } }));
  const server = startServerProcess(['--port', '0', '--data-dir', dataDir, '--config', config]);
  const url = await server.listening;
  const client = await TestClient.connect(`${url.replace('http', 'ws')}/ws`);

  const error = await client.next((m) => m.event_type === 'ERROR' && m.data.source === 'recorder', 0, 120_000).catch((err) => {
    throw new Error(`${err.message}; server: ${server.stderr().slice(-3000)}`);
  });
  assert.match(error.data.error, /recording cannot write: .*(ENOSPC|no space)/i);
  assert.match(error.data.error, /journal has every event/);
  assert.ok(typeof error.seq === 'number', 'the ERROR is an event of the log: journaled, replayed to a client that connects later');
  const failedAt = client.received.indexOf(error);

  // The journal is fine: sequenced events keep coming, and /healthz stays 200.
  await client.next((m) => m.seq !== undefined && m.seq > error.seq + 50, failedAt, 60_000);
  assert.is((await fetch(`${url}/healthz`)).status, 200, 'a recording failure does not stop the bot');
  assert.is(client.received.filter((m) => m.event_type === 'ERROR' && m.data.source === 'recorder').length, 1, 'said once per outage, not once per event');
  assert.match(await (await fetch(`${url}/metrics`)).text(), /tradeloom_sink_errors_total [1-9]/);

  // A client that resumes from before it gets the ERROR in the replay.
  const late = await TestClient.connect(`${url.replace('http', 'ws')}/ws`);
  await late.request({ type: 'resume', last_seq: error.seq - 1 }, 'resume_result');
  await late.next((m) => m.event_type === 'ERROR' && m.data.source === 'recorder' && m.seq === error.seq, 0, 30_000);
  late.close();

  remount(recordings, 'size=64m');
  const recovered = await client.next((m) => m.event_type === 'BOT_STATUS' && /recording writes again/.test(m.data.reason), failedAt, 60_000);
  assert.ok(recovered.seq > error.seq);

  server.child.kill('SIGTERM');
  assert.is(await server.exit, 0, `SIGTERM exits 0; stderr: ${server.stderr().slice(-2000)}`);
  await client.closed;
  const journal = readJournal(dataDir);
  const recorded = recordedEvents(dataDir);
  const problems = seqProblems(recorded.map((e) => e.seq), journal.lastSeq);
  assert.equal(problems, { missing: [], duplicated: [] }, 'the recording took the lines it held once it could write');
  assert.ok(recorded.some((e) => e.event_type === 'ERROR' && e.data.source === 'recorder'), 'the recording says when and why it stopped');
});

test.run();
