import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { eurusdHourlyFile as eurusdFile } from '../../kit/data-builders.ts';

const optimize = (args: string[]) => spawnSync(process.execPath, ['--import', 'tsx', 'engine/cli/optimize.ts', '--workers', '0', ...args], { encoding: 'utf8' });

interface Segment { isFirstBar: string; isLastBar: string; oosFirstBar: string; oosLastBar: string; partial: boolean; efficiency: number | null }

// Reviewer finding 4 (walk-forward part): windows were cut on the first symbol's bars only, so
// USDCHF's bars outside EURUSD's dates never ran while the header counted them.
test('a two-symbol walk-forward cuts its windows on the span both symbols cover and says so with true bar counts', () => {
  const dir = mkdtempSync(join(tmpdir(), 'tradeloom-wf-span-'));
  try {
    const config = join(dir, 'bot.json');
    // EURUSD first in the config, but its data start after and end before USDCHF's.
    writeFileSync(config, JSON.stringify({ bot: { strategy: 'sma-crossover', timeframe: 'H4', symbols: [{ symbol: 'EURUSD', file: eurusdFile(dir, '1998-07-01', '1999-09-30') }, { symbol: 'USDCHF' }] } }));
    const r = optimize(['--config', config, '--from', '1998-01-01', '--to', '1999-12-31', '--param', 'fast=5,10', '--param', 'slow=30', '--walk-forward', 'rolling:6:3', '--out', join(dir, 'out')]);
    assert.is(r.status, 0, r.stderr);
    assert.match(r.stdout, /walk-forward on the span every symbol covers, 1998-07-01\.\.1999-09-30 \(bars: EURUSD [\d,]+, USDCHF [\d,]+\); bars outside it are not run/);
    const [, , usdchf] = /bars: EURUSD ([\d,]+), USDCHF ([\d,]+)/.exec(r.stdout)!;
    assert.ok(Number(usdchf.replace(/,/g, '')) < 2_500, `USDCHF bars within the span only (1998-1999 holds over 3,000): ${usdchf}`);
    const recording = JSON.parse(readFileSync(join(dir, 'out', 'optimisation.json'), 'utf8'));
    const segments: Segment[] = recording.walkForward.segments;
    assert.ok(segments.length >= 2);
    assert.ok(segments[0].isFirstBar >= '1998-07-01', `first in-sample bar ${segments[0].isFirstBar}`);
    assert.ok(segments.at(-1)!.oosLastBar <= '1999-09-30', `last out-of-sample bar ${segments.at(-1)!.oosLastBar}`);
    const lastEquity = recording.walkForward.equity.at(-1).time;
    assert.ok(lastEquity < Date.parse('1999-10-01'), `nothing ran after the span: ${new Date(lastEquity).toISOString()}`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('symbols whose data do not overlap are refused for a walk-forward, naming each one\'s dates', () => {
  const dir = mkdtempSync(join(tmpdir(), 'tradeloom-wf-apart-'));
  try {
    const config = join(dir, 'bot.json');
    writeFileSync(config, JSON.stringify({ bot: { strategy: 'sma-crossover', timeframe: 'H4', symbols: [{ symbol: 'EURUSD', file: eurusdFile(dir, '2020-01-01', '2020-06-30') }, { symbol: 'USDCHF' }] } }));
    const r = optimize(['--config', config, '--param', 'fast=5,10', '--walk-forward', 'rolling:2:1', '--out', join(dir, 'out')]);
    assert.is(r.status, 2, r.stderr);
    // Refused when the config's data are loaded (as `backtest --config` refuses them), before any window is cut.
    assert.match(r.stderr, /the symbols' data share no period, and one account trades them together: EURUSD H4 2020-01-0\d \d\d:\d\d to 2020-06-30 \d\d:\d\d UTC \([^)]*EURUSD\.csv\); USDCHF H4 1996-03-31 \d\d:\d\d to 2001-03-31 00:00 UTC/);
    assert.not.match(r.stdout, /Walk-forward|combinations/, 'no trial ran');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

// Reviewer finding 7.
test('walk-forward windows are labelled with the dates their bars really hold, a short last segment is marked partial with no WFE, split weeks count once, the "too short" error gives the months, and PBO/DSR say why they are absent', () => {
  const dir = mkdtempSync(join(tmpdir(), 'tradeloom-wf-labels-'));
  try {
    const r = optimize(['--symbol', 'USDCHF', '--timeframe', 'H4', '--param', 'fast=5,10', '--param', 'slow=30', '--walk-forward', 'rolling:24:6', '--out', join(dir, 'out')]);
    assert.is(r.status, 0, r.stderr);
    // The data run 1996-03-31..2001-03-30: the first in-sample part starts at the first bar, the last segment holds March 2001 only.
    assert.match(r.stdout, /^1996-03-31\.\.1998-02-27 +1998-03-01\.\.1998-08-31 /m);
    assert.match(r.stdout, /^1999-03-01\.\.2001-02-28 +2001-03-01\.\.2001-03-30 \(partial\) .* n\/a$/m);
    assert.not.match(r.stdout, /2001-09/);
    assert.match(r.stdout, /note: PBO and DSR are not computed for a walk-forward run/);
    const recording = JSON.parse(readFileSync(join(dir, 'out', 'optimisation.json'), 'utf8'));
    const segments: Segment[] = recording.walkForward.segments;
    assert.equal(segments.map((s) => s.partial), [false, false, false, false, false, false, true]);
    assert.is(segments.at(-1)!.efficiency, null);
    // Weeks: the stitched run's calendar weeks, each once (1998-03-01 to 2001-03-30 is 161 weeks at most).
    const stitched = recording.walkForward.stitched;
    const weeks = Math.ceil((Date.parse('2001-03-31') - Date.parse('1998-02-23')) / (7 * 86_400_000));
    assert.ok(stitched.weeksTotal <= weeks, `${stitched.weeksTotal} weeks in ${weeks} calendar weeks`);
    const short = optimize(['--symbol', 'USDCHF', '--timeframe', 'H4', '--from', '1998-01-01', '--to', '1998-12-31', '--param', 'fast=5', '--walk-forward', 'rolling:24:6']);
    assert.is(short.status, 2, short.stderr);
    assert.match(short.stderr, /--walk-forward rolling:24:6: the data spans 12\.0 months \(1998-01-0\d\.\.1998-12-3\d\); one window needs more than 24 \(24 in-sample months, then out-of-sample bars; 30 for a whole first window\)/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test.run();
