import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { readBacktestEnds, summarise } from '../../engine/server/backtest-recordings.ts';
import { BacktestSummaryCodec } from '../../protocol/index.ts';
import { makeTempDir } from '../kit/data-builders.ts';

// The Backtests list's recorded runs come from these summaries: one recorded under the
// real-ticks model says so, one under bars says nothing.
test('a recording\'s list summary carries model "ticks" when the run used real ticks, and nothing under bars', () => {
  const dir = makeTempDir('tradeloom-summary-');
  try {
    const models: Record<string, unknown> = {};
    for (const model of ['ticks', 'bars']) {
      const out = join(dir.path, model);
      const r = spawnSync(process.execPath, ['--import', 'tsx', 'engine/cli/backtest.ts', '--symbol', 'USDCHF', '--timeframe', 'H4', '--from', '1999-01-01', '--to', '1999-03-31', '--model', model, '--record', out], { encoding: 'utf8' });
      assert.is(r.status, 0, r.stderr);
      const [name] = readdirSync(out).filter((f) => f.endsWith('.jsonl'));
      const summary = summarise(readBacktestEnds(out, name)!);
      assert.ok(BacktestSummaryCodec.is(summary));
      models[model] = summary.model;
    }
    assert.equal(models, { ticks: 'ticks', bars: undefined });
  } finally {
    dir.remove();
  }
});

test.run();
