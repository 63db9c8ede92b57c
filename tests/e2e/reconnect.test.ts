import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { launchBrowser, offlineStatusText, openWorkbench, pageConnection, pageState, removeDir, startEngineServer, waitFor } from '../kit/browser.ts';

test('a server killed and restarted is survived: the page reconnects and misses no event', async () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'tradeloom-e2e-restart-'));
  const browser = await launchBrowser();
  let server = await startEngineServer({ dataDir });
  try {
    const page = await openWorkbench(browser, server.url);
    await waitFor('events before the kill', async () => (await pageState(page, (s) => s.eventsSeen)) >= 3, 60_000);
    const before = await pageState(page, (s) => s.lastSeq);
    await server.stop('SIGKILL');
    // Offline is shown plainly, with the countdown to the next attempt.
    // Offline is shown plainly, with the countdown to the next attempt.
    assert.match(await offlineStatusText(page), /Offline — reconnecting in \d+s/);
    server = await startEngineServer({ dataDir, port: server.port });
    await waitFor('the page to reconnect', async () => (await pageConnection(page)).phase === 'open', 60_000);
    await waitFor('events after the restart', async () => (await pageState(page, (s) => s.lastSeq)) > before + 3, 60_000);
    const seqs = await pageState(page, (s) => s.log.map((e) => e.event.seq ?? -1));
    const holes = seqs.filter((seq, i) => i > 0 && seq !== seqs[i - 1] + 1).map((seq, i) => `${seqs[seqs.indexOf(seq) - 1]}→${seq}#${i}`);
    assert.equal(holes, [], `seq holes in the page's log: ${holes.join(', ')}`);
    assert.ok(seqs.includes(before) && seqs.includes(before + 1), 'the log runs across the restart');
  } finally {
    await browser.close();
    await server.stop();
    removeDir(dataDir);
  }
});

test.run();
