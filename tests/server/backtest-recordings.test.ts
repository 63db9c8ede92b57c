import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { appendFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runBacktest } from '../../engine/backtest/backtest-runner.ts';
import { loadHistory } from '../../engine/data/load-history.ts';
import { Recorder } from '../../engine/recorder/recorder.ts';
import { smaCrossover } from '../../plugins/sma-crossover/index.ts';
import { throwingPlugin } from '../../fixtures/plugins/throwing-plugin/index.ts';
import { startTestServer, TestClient } from '../kit/server-kit.ts';

/** A real backtest recorded as the server records one: its events in a `backtest` JSONL file. */
function recordRun(dir: string, fast: number, startedAt: number): { name: string; sessionId: string; total: number } {
  const { series } = loadHistory({ symbol: 'USDCHF', timeframe: 'H4', from: '1998-01-01', to: '1998-12-31' });
  const recorder = new Recorder({ dir, kind: 'backtest', sessionId: `run-${fast}`, startedAt });
  const { sessionId, complete } = runBacktest({
    symbol: 'USDCHF', series, strategy: smaCrossover, strategyConfig: { fast, slow: 30, stopLossPoints: 500, takeProfitPoints: 1000 },
    labels: { from: '1998-01-01', to: '1998-12-31' }, onEvent: (e) => recorder.record(e),
  });
  recorder.close();
  return { name: recorder.name, sessionId, total: complete.total_trades };
}

test('list_recordings says what each recorded backtest ran and how it ended; get_backtest returns its start and results only', async () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'tradeloom-bt-rec-'));
  const dir = join(dataDir, 'recordings');
  mkdirSync(dir);
  const a = recordRun(dir, 5, Date.UTC(2026, 0, 1));
  const b = recordRun(dir, 10, Date.UTC(2026, 0, 2));
  // A run that did not finish: its first lines only, the last one torn.
  const lines = readFileSync(join(dir, b.name), 'utf8').split('\n');
  const unfinished = b.name.replace('20260102', '20260103').replace('run-10', 'run-cut');
  writeFileSync(join(dir, unfinished), `${lines.slice(0, 5).join('\n')}\n`);
  appendFileSync(join(dir, unfinished), lines.at(-2)!.slice(0, 200));
  // A symlink named like a recording is not followed.
  symlinkSync(join(dir, a.name), join(dir, a.name.replace('20260101', '20260104').replace('run-5', 'run-link')));
  const t = await startTestServer({}, { dataDir });
  const client = await TestClient.connect(t.wsUrl);
  try {
    const list = await client.request({ type: 'list_recordings' }, 'command_result');
    const byName = new Map<string, any>(list.data.recordings.map((r: { name: string }) => [r.name, r]));
    const first = byName.get(a.name).backtest;
    assert.is(first.session_id, a.sessionId);
    assert.is(first.strategy, 'sma-crossover');
    assert.equal(first.params, { USDCHF: { fast: 5, slow: 30, stopLossPoints: 500, takeProfitPoints: 1000 } });
    assert.equal([first.from, first.to, first.timeframe, first.complete, first.total_trades], ['1998-01-01', '1998-12-31', 'H4', true, a.total]);
    assert.is(byName.get(b.name).backtest.params.USDCHF.fast, 10);
    assert.is(byName.get(unfinished).backtest.complete, false);
    assert.equal([...byName.values()].filter((r) => r.name.includes('run-link')), []);

    const got = await client.request({ type: 'get_backtest', name: a.name }, 'command_result');
    assert.is(got.ok, true);
    assert.is(got.data.start.session_id, a.sessionId);
    assert.is(got.data.complete.total_trades, a.total);
    assert.ok(got.data.complete.report.curve.length > 10, 'the report comes with it');
    const cut = await client.request({ type: 'get_backtest', name: unfinished }, 'command_result');
    assert.equal([cut.ok, cut.data.complete], [true, null]);
    const missing = await client.request({ type: 'get_backtest', name: '../etc/passwd' }, 'command_result');
    assert.is(missing.ok, false);
    assert.match(missing.reason, /no backtest recording named/);
  } finally {
    client.close();
    await t.close();
  }
});

test('list_recordings never lists a run whose strategy threw, or that failed part way, as a whole run: its summary carries faults or error', async () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'tradeloom-bt-rec-'));
  const dir = join(dataDir, 'recordings');
  mkdirSync(dir);
  const { series } = loadHistory({ symbol: 'USDCHF', timeframe: 'H4', from: '1998-01-01', to: '1998-12-31' });
  const record = (sessionId: string, config: Record<string, unknown>, startedAt: number) => {
    const recorder = new Recorder({ dir, kind: 'backtest', sessionId, startedAt });
    try {
      runBacktest({ symbol: 'USDCHF', series, strategy: throwingPlugin, strategyConfig: { ...throwingPlugin.defaultConfig, ...config }, onEvent: (e) => recorder.record(e) });
    } catch {
      // The failed run's ERROR and BACKTEST_COMPLETE are in the recording already.
    }
    recorder.close();
    return recorder.name;
  };
  const faulted = record('run-fault', { throwAtIndex: 100 }, Date.UTC(2026, 0, 1));
  const failed = record('run-failed', { throwAtStart: 'with-bars' }, Date.UTC(2026, 0, 2));
  const t = await startTestServer({}, { dataDir });
  const client = await TestClient.connect(t.wsUrl);
  try {
    const list = await client.request({ type: 'list_recordings' }, 'command_result');
    const byName = new Map<string, any>(list.data.recordings.map((r: { name: string }) => [r.name, r]));
    const f = byName.get(faulted).backtest;
    assert.is(f.complete, true);
    assert.equal(f.faults.map((x: { symbol: string }) => x.symbol), ['USDCHF']);
    assert.match(f.faults[0].error, /strategy throwing-plugin failed in onBar on USDCHF/);
    const e = byName.get(failed).backtest;
    assert.match(e.error, /deliberate failure at start/);
  } finally {
    client.close();
    await t.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
});

test.run();
