import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { killAllServers } from '../kit/server-process.ts';
import { runChaos } from './kill-rounds.ts';

// A short `npm run chaos` (issue 11): three kill -9 at random moments of a fast paper replay.

const root = mkdtempSync(join(tmpdir(), 'tradeloom-chaos-test-'));
test.after(() => {
  killAllServers();
  rmSync(root, { recursive: true, force: true });
});

test('three kill -9 at random moments lose no seq, no closed trade, no balance, weekly count or open position', async () => {
  const report = await runChaos({ rounds: 3, speed: 400, dataDir: join(root, 'data'), minKillMs: 300, maxKillMs: 2500, seed: Date.now() % 1e9, log: () => undefined });
  assert.equal(report.missingSeqs, [], 'no seq missing from the recordings');
  assert.equal(report.duplicatedSeqs, [], 'no seq recorded twice');
  assert.is(report.lostTrades, 0, 'every exit a client saw is journaled');
  assert.is(report.duplicatedTrades, 0);
  assert.equal(report.balanceBreaks, []);
  assert.equal(report.weeklyCountBreaks, []);
  assert.equal(report.positionBreaks, []);
  assert.ok(report.closedTrades > 0, 'trades closed during the rounds');
  assert.ok(report.ok);
});

test.run();
