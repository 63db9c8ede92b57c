import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { linkSync, mkdtempSync, renameSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TestClient } from '../kit/server-kit.ts';
import { killAllServers, startServerProcess } from '../kit/server-process.ts';

// The journal file deleted (or replaced) under a running bot. SQLite keeps committing into the
// unlinked file, so every write "succeeded" and the bot traded on, while the next start would find
// no account, no positions and no week: a bot that cannot record what it does must stop opening
// positions and say so; writes resume if the same file is put back. Before: nothing noticed,
// /healthz said 200, entries went on.

const root = mkdtempSync(join(tmpdir(), 'tradeloom-deleted-'));
test.after(() => {
  killAllServers();
  rmSync(root, { recursive: true, force: true });
});

for (const how of ['deleted', 'replaced by another file'] as const) {
  test(`the journal ${how} while the bot runs: no new positions, ERROR, status and /healthz 503 say why`, async () => {
    const dataDir = join(root, how.split(' ')[0]);
    const config = join(root, 'bot.json');
    writeFileSync(config, JSON.stringify({ bot: { symbols: [{ symbol: 'USDCHF' }, { symbol: 'EURUSD' }, { symbol: 'XAUUSD' }], speed: 200 } }));
    const server = startServerProcess(['--port', '0', '--data-dir', dataDir, '--config', config]);
    const url = await server.listening;
    const client = await TestClient.connect(`${url.replace('http', 'ws')}/ws`);
    await client.next((m) => m.event_type === 'TRADE_ENTRY', 0, 60_000);
    const path = join(dataDir, 'journal.sqlite');
    if (how === 'deleted') unlinkSync(path);
    else {
      // Kept aside under another name (the same file), then another file put in its place at once.
      linkSync(path, `${path}.moved`);
      writeFileSync(`${path}.other`, '');
      renameSync(`${path}.other`, path);
    }
    const from = client.received.length;
    const notice = await client.next((m) => m.event_type === 'ERROR' && m.data.source === 'journal', from, 30_000);
    assert.match(notice.data.error, new RegExp(`journal cannot write: the journal file .*journal\\.sqlite was ${how} while the bot ran`));
    assert.match(notice.data.error, /No new positions are opened/);
    const health = await fetch(`${url}/healthz`);
    assert.is(health.status, 503);
    assert.match(((await health.json()) as { error: string }).error, new RegExp(`was ${how}`));
    const status = await client.request({ type: 'request_status' }, 'status');
    assert.match(status.error, new RegExp(`was ${how}`));
    // The replay goes on (200 bars a second) and nothing is sent unjournaled; it does not heal by
    // itself (a reopen would start an empty journal), so no entry follows however long it runs.
    const at = client.received.indexOf(notice);
    for (let held = 0; held < 50; ) {
      await new Promise((r) => setTimeout(r, 100));
      held = Number(/tradeloom_journal_held_events (\d+)/.exec(await (await fetch(`${url}/metrics`)).text())?.[1] ?? 0);
    }
    assert.not.ok(client.received.slice(at + 1).some((m) => m.seq !== undefined), 'nothing sequenced is sent');
    if (how !== 'deleted') {
      // The same file put back: the writes resume by themselves, the held events go out in order.
      renameSync(`${path}.moved`, path);
      await client.next((m) => m.event_type === 'BOT_STATUS' && /writes again/.test(m.data.reason), at, 30_000);
      assert.is((await fetch(`${url}/healthz`)).status, 200);
    }
    server.child.kill('SIGTERM');
    assert.is(await server.exit, 0, server.stderr().slice(-2000));
  });
}

test.run();
