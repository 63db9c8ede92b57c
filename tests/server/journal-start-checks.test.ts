import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { chmodSync, chownSync, copyFileSync, cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, truncateSync, writeFileSync, openSync, writeSync, closeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TestClient, type Json } from '../kit/server-kit.ts';
import { killAllServers, mountTmpfs, readJournal, recordedEvents, remount, seqProblems, startServerProcess, unmount } from '../kit/server-process.ts';

// Issue 11: a restart must never reuse a seq or silently forget trades. A journal that is
// missing, empty or behind the recordings (deleted, rolled back, its -wal removed) is refused
// with the files named and the choice given; `--new-epoch` accepts it with a new session id.
// A corrupt journal exits 2 with its path; a read-only one exits 2 and, once writable again,
// the account continues with nothing lost or duplicated.

const root = mkdtempSync(join(tmpdir(), 'tradeloom-startcheck-'));
const config = join(root, 'bot.json');
writeFileSync(config, JSON.stringify({ bot: { symbols: [{ symbol: 'USDCHF' }, { symbol: 'EURUSD' }, { symbol: 'XAUUSD' }], speed: 200 } }));
const mounts: string[] = [];

test.after(() => {
  killAllServers();
  for (const dir of mounts) unmount(dir);
  rmSync(root, { recursive: true, force: true });
});

/** Runs the paper bot on `dataDir` until `exits` trades closed (and `openToo`: one is open), then stops it with `signal`. */
async function runUntilTrades(dataDir: string, exits: number, signal: 'SIGTERM' | 'SIGKILL', extra: string[] = []): Promise<Json[]> {
  const server = startServerProcess(['--port', '0', '--data-dir', dataDir, '--config', config, ...extra]);
  const client = await TestClient.connect(`${(await server.listening).replace('http', 'ws')}/ws`);
  await new Promise<void>((resolve, reject) => {
    const guard = setTimeout(() => reject(new Error(`fewer than ${exits} exits in 120 s`)), 120_000);
    const check = () => {
      if (client.received.filter((m) => m.event_type === 'TRADE_EXIT').length >= exits) {
        clearTimeout(guard);
        resolve();
      }
    };
    client.ws.on('message', check);
    check();
  });
  server.child.kill(signal);
  const code = await server.exit;
  if (signal === 'SIGTERM') assert.is(code, 0);
  await client.closed;
  return client.received;
}

function start(dataDir: string, extra: string[] = [], env: NodeJS.ProcessEnv = {}, spawnAs?: number) {
  return startServerProcess(['--port', '0', '--data-dir', dataDir, '--config', config, ...extra], env, spawnAs);
}

function assertRefused(stderr: string, ...patterns: RegExp[]): void {
  for (const p of patterns) assert.match(stderr, p, `${p} in: ${stderr}`);
  assert.not.match(stderr, /SqliteError|\n\s+at /, 'a message, not a stack');
}

let baseline: string;
let rolledBackJournal: string;

test.before(async () => {
  // Two lives of one account: the journal copied after the first is a rolled-back journal.
  baseline = join(root, 'baseline');
  await runUntilTrades(baseline, 2, 'SIGTERM');
  rolledBackJournal = join(root, 'journal-after-first-life.sqlite');
  copyFileSync(join(baseline, 'journal.sqlite'), rolledBackJournal);
  await runUntilTrades(baseline, 2, 'SIGTERM');
});

function copyOf(name: string): string {
  const dir = join(root, name);
  cpSync(baseline, dir, { recursive: true });
  return dir;
}

test('a deleted journal is refused with the files named and the choice, and --new-epoch starts a new session with seq after the recordings', async () => {
  const dir = copyOf('deleted');
  const recordedMax = Math.max(...recordedEvents(dir).map((e) => e.seq));
  const oldSession = readJournal(dir).sessionId;
  for (const f of readdirSync(dir)) if (f.startsWith('journal.sqlite')) rmSync(join(dir, f));
  const refused = start(dir);
  assert.is(await refused.exit, 2);
  assertRefused(refused.stderr(), /journal\.sqlite is missing/, new RegExp(`seq ${recordedMax}`), /recordings\/\S+\.jsonl/, /--new-epoch/);
  assert.not.ok(existsSync(join(dir, 'journal.sqlite')), 'nothing created on a refusal');

  const accepted = start(dir, ['--new-epoch']);
  const client = await TestClient.connect(`${(await accepted.listening).replace('http', 'ws')}/ws`);
  const hello = await client.next((m) => m.type === 'connection_established');
  assert.ok(hello.last_seq > recordedMax, 'seq continues after the recordings');
  assert.is.not(hello.session_id, oldSession, 'a new session id: resuming clients see the break');
  assert.match(accepted.stderr(), new RegExp(`new epoch .*seq continues from ${recordedMax + 1}`));
  accepted.child.kill('SIGTERM');
  assert.is(await accepted.exit, 0);
  const recorded = recordedEvents(dir);
  const epoch = recorded.filter((e) => e.seq > recordedMax);
  assert.is(epoch[0].seq, recordedMax + 1);
  assert.is(epoch[0].session_id, hello.session_id);
  assert.equal(seqProblems(recorded.map((e) => e.seq), readJournal(dir).lastSeq), { missing: [], duplicated: [] }, 'no seq reused across the epochs');
});

test('an emptied journal and a rolled-back journal are refused, naming how far each got', async () => {
  const emptied = copyOf('emptied');
  for (const f of readdirSync(emptied)) if (f.startsWith('journal.sqlite-')) rmSync(join(emptied, f));
  truncateSync(join(emptied, 'journal.sqlite'), 0);
  const a = start(emptied);
  assert.is(await a.exit, 2);
  assertRefused(a.stderr(), /journal\.sqlite is empty/, /--new-epoch/);

  const rolled = copyOf('rolled-back');
  const before = readJournal(rolled).lastSeq;
  copyFileSync(rolledBackJournal, join(rolled, 'journal.sqlite'));
  const oldSeq = readJournal(rolled).lastSeq;
  assert.ok(oldSeq < before);
  const b = start(rolled);
  assert.is(await b.exit, 2);
  assertRefused(b.stderr(), new RegExp(`ends at seq ${oldSeq}`), /rolled back/, new RegExp(`reuse seq ${oldSeq + 1}\\.\\.${before}`), /--new-epoch/);
});

test('a journal whose -wal was deleted after a kill -9 is refused', async () => {
  const dir = copyOf('wal');
  await runUntilTrades(dir, 2, 'SIGKILL');
  assert.ok(existsSync(join(dir, 'journal.sqlite-wal')), 'the kill left a WAL');
  rmSync(join(dir, 'journal.sqlite-wal'));
  rmSync(join(dir, 'journal.sqlite-shm'), { force: true });
  const p = start(dir);
  assert.is(await p.exit, 2);
  assertRefused(p.stderr(), /rolled back/, /-wal/);
});

test('a corrupt journal exits 2 with its path and what to do, no stack', async () => {
  const dir = copyOf('corrupt');
  const fd = openSync(join(dir, 'journal.sqlite'), 'r+');
  writeSync(fd, Buffer.alloc(4096, 0x5a), 0, 4096, 0);
  closeSync(fd);
  const p = start(dir);
  assert.is(await p.exit, 2);
  assertRefused(p.stderr(), new RegExp(`${join(dir, 'journal.sqlite').replaceAll('/', '\\/')} cannot be opened`), /restore it from a backup/, /--new-epoch/);
});

test('a read-only journal file exits 2 naming it; made writable, the account continues with no trade lost or duplicated', async () => {
  if (process.getuid?.() !== 0) {
    console.log('SKIPPED: needs root to run the server as another user (root writes read-only files)');
    return;
  }
  const dir = copyOf('read-only-file');
  const before = readJournal(dir);
  // Root ignores file modes: the server runs as nobody, the owner of the data dir.
  const chownAll = (path: string) => {
    chownSync(path, 65534, 65534);
    for (const f of readdirSync(path, { withFileTypes: true })) (f.isDirectory() ? chownAll : (p: string) => chownSync(p, 65534, 65534))(join(path, f.name));
  };
  chownAll(dir);
  chmodSync(root, 0o755);
  chmodSync(config, 0o644);
  chmodSync(join(dir, 'journal.sqlite'), 0o444);
  const refused = start(dir, [], {}, 65534);
  assert.is(await refused.exit, 2);
  assertRefused(refused.stderr(), /journal\.sqlite cannot be (written|opened)/, /readonly|read-only/i, /writable/);

  // As the message says: the file and its -wal and -shm (SQLite gives them the file's mode).
  for (const f of readdirSync(dir)) if (f.startsWith('journal.sqlite')) chmodSync(join(dir, f), 0o644);
  const seen = await runAs(dir, 65534);
  const after = readJournal(dir);
  assert.ok(after.lastSeq > before.lastSeq);
  assert.ok(seen.filter((m) => m.seq !== undefined).every((m) => m.seq > before.lastSeq), 'no seq reused');
  assertContinuous(dir, before.closed.length);
});

test('a read-only data dir (a read-only mount) exits 2 naming it; remounted writable, the account continues', async () => {
  const dir = join(root, 'ro-mount');
  mkdirSync(dir);
  if (!mountTmpfs(dir, '64m')) {
    console.log('SKIPPED: mounting a file system needs root');
    return;
  }
  mounts.push(dir);
  cpSync(baseline, dir, { recursive: true });
  const before = readJournal(dir);
  remount(dir, 'ro');
  const refused = start(dir);
  assert.is(await refused.exit, 2);
  assertRefused(refused.stderr(), new RegExp(`${dir.replaceAll('/', '\\/')}`), /read-only|writable/);
  remount(dir, 'rw');
  await runUntilTrades(dir, 1, 'SIGTERM');
  assertContinuous(dir, before.closed.length);
});

async function runAs(dir: string, uid: number): Promise<Json[]> {
  const server = start(dir, [], {}, uid);
  const client = await TestClient.connect(`${(await server.listening).replace('http', 'ws')}/ws`);
  await client.next((m) => m.event_type === 'TRADE_EXIT', 0, 120_000);
  server.child.kill('SIGTERM');
  assert.is(await server.exit, 0);
  await client.closed;
  return client.received;
}

/** The journal and the recordings agree: every seq once, every closed trade once, none lost. */
function assertContinuous(dir: string, closedBefore: number): void {
  const journal = readJournal(dir);
  const recorded = recordedEvents(dir);
  assert.equal(seqProblems(recorded.map((e) => e.seq), journal.lastSeq), { missing: [], duplicated: [] });
  const exits = recorded.filter((e) => e.event_type === 'TRADE_EXIT');
  assert.is(new Set(exits.map((e) => e.data.position_id)).size, exits.length, 'no trade closed twice');
  assert.is(journal.closed.length, exits.length, 'the journal has every recorded exit');
  assert.ok(journal.closed.length > closedBefore, 'trading went on');
  // The balance runs on: each exit starts from the previous one's balance.
  assert.is(journal.balance, exits.at(-1)!.data.balance_after);
}

test.run();
