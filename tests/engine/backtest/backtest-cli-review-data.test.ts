import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { encodeLines, makeTempDir, MT5_BARS_HEADER, MT5_TICKS_HEADER, mt5BarRow, mt5TickRow } from '../../kit/data-builders.ts';

// What a user sees when a data file, a spec, a timeframe or a date flag is wrong (the first reviewer's data findings):
// the exit code and a message naming the file, line, column or flag.

const dir = makeTempDir('tradeloom-cli-review-');
test.after(() => dir.remove());

const backtest = (args: string[]) => spawnSync(process.execPath, ['--import', 'tsx', 'engine/cli/backtest.ts', ...args], { encoding: 'utf8' });

/** `count` 30-minute `time,price` rows from Monday 2020-01-06, skipping weekends. */
function timePriceRows(count: number, minutes = 30): string[] {
  const rows = ['time,price'];
  for (let t = Date.UTC(2020, 0, 6), i = 0; rows.length <= count; t += minutes * 60_000, i++) {
    const day = new Date(t).getUTCDay();
    if (day === 0 || day === 6) continue;
    rows.push(`${new Date(t).toISOString().slice(0, 19)},${(1.1 + 0.002 * Math.sin(i / 7)).toFixed(5)}`);
  }
  return rows;
}

/** `count` H1 MT5 bars from Monday 2020-01-06. */
function mt5Bars(count: number): string[] {
  const rows = [MT5_BARS_HEADER];
  for (let t = Date.UTC(2020, 0, 6), i = 0; rows.length <= count; t += 3_600_000, i++) {
    const d = new Date(t);
    if (d.getUTCDay() === 0 || d.getUTCDay() === 6) continue;
    const p = 1.1 + 0.002 * Math.sin(i / 5);
    rows.push(mt5BarRow(d.toISOString().slice(0, 10).replaceAll('-', '.'), d.toISOString().slice(11, 16), p.toFixed(5), (p + 0.0007).toFixed(5), (p - 0.0005).toFixed(5), (p + 0.0002).toFixed(5)));
  }
  return rows;
}

test('reviewer finding 2: a hexadecimal price in a time,price file or an MT5 bar file stops the run, exit 2, naming file, line and column', () => {
  const tp = timePriceRows(60);
  tp[31] = tp[31].replace(/,.*/, ',0x1A');
  const bars = mt5Bars(60);
  bars[31] = bars[31].split('\t').map((c, i) => (i === 3 ? '0x1A' : c)).join('\t');
  for (const [name, lines, message] of [['hexprice.csv', tp, /hexprice\.csv:32: column "price": "0x1A" is not a number/], ['mt5_hex.csv', bars, /mt5_hex\.csv:32: column "<HIGH>": "0x1A" is not a number/]] as const) {
    const r = backtest(['--symbol', 'EURUSD', '--timeframe', 'H1', '--file', dir.write(name, encodeLines(lines)), '--no-record', '--json']);
    assert.is(r.status, 2, `${name}: ${r.stderr}`);
    assert.match(r.stderr, message);
  }
});

test('reviewer finding 3: a crossed quote in an MT5 tick export stops the run, exit 2, naming file, line and both prices', () => {
  const rows = [MT5_TICKS_HEADER];
  for (let i = 0; i < 600; i++) {
    const t = new Date(Date.UTC(2020, 0, 6) + i * 20_000);
    const mid = 1.1 + 0.0005 * Math.sin(i / 30);
    rows.push(mt5TickRow(t.toISOString().slice(0, 10).replaceAll('-', '.'), `${t.toISOString().slice(11, 19)}.000`, (mid - 0.00005).toFixed(5), (mid + 0.00005).toFixed(5)));
  }
  rows[501] = rows[501].split('\t').map((c, i) => (i === 2 ? '1.11204' : i === 3 ? '1.10194' : c)).join('\t');
  const r = backtest(['--symbol', 'EURUSD', '--timeframe', 'M1', '--file', dir.write('ticks_crossed.csv', encodeLines(rows)), '--no-record', '--json']);
  assert.is(r.status, 2, r.stderr);
  assert.match(r.stderr, /ticks_crossed\.csv:502: column "<BID>": crossed quote: bid 1\.11204 is above ask 1\.10194/);
});

test('reviewer finding 4: volume limits crossed or off the step grid stop the run before it starts, exit 2, naming --spec or bot.symbolSpecs (before: exit 0, every order refused 10014)', () => {
  const short = ['--symbol', 'USDCHF', '--timeframe', 'H4', '--from', '1998-01-01', '--to', '1998-02-01', '--no-record', '--json'];
  const crossed = backtest([...short, '--spec', 'volumeMin=5', '--spec', 'volumeMax=1']);
  assert.is(crossed.status, 2, crossed.stderr);
  assert.match(crossed.stderr, /command line: --spec: symbol spec "USDCHF": field "volumeMin" \(5\) is above "volumeMax" \(1\)/);
  const offGrid = backtest([...short, '--spec', 'volumeStep=0.3']);
  assert.is(offGrid.status, 2, offGrid.stderr);
  assert.match(offGrid.stderr, /command line: --spec: symbol spec "USDCHF": field "volumeMin" \(0\.01\) is not a whole number of "volumeStep" \(0\.3\) steps/);
  const config = join(dir.path, 'bot.json');
  writeFileSync(config, JSON.stringify({ bot: { strategy: 'sma-crossover', timeframe: 'H4', symbols: [{ symbol: 'USDCHF' }], symbolSpecs: { USDCHF: { volumeStep: 0.3 } } } }));
  const fromConfig = backtest(['--config', config, '--from', '1998-01-01', '--to', '1998-02-01', '--no-record', '--json']);
  assert.is(fromConfig.status, 2, fromConfig.stderr);
  assert.match(fromConfig.stderr, /bot\.json: bot\.symbolSpecs\.USDCHF: symbol spec "USDCHF": field "volumeMin" \(0\.01\) is not a whole number of "volumeStep"/);
});

/** An MT5 tick export, a tick every 20 s from Monday 2020-01-06 00:00 UTC. */
function tickRows(count: number): string[] {
  const rows = [MT5_TICKS_HEADER];
  for (let i = 0; i < count; i++) {
    const t = new Date(Date.UTC(2020, 0, 6) + i * 20_000);
    const mid = 1.1 + 0.0005 * Math.sin(i / 30);
    rows.push(mt5TickRow(t.toISOString().slice(0, 10).replaceAll('-', '.'), `${t.toISOString().slice(11, 19)}.000`, (mid - 0.00005).toFixed(5), (mid + 0.00005).toFixed(5)));
  }
  return rows;
}

test('reviewer finding 5: a timeframe finer than a time,price file\'s rows is refused, exit 2, naming the file and the spacing (before: one-price bars labelled M1)', () => {
  for (const tf of ['M1', 'M15']) {
    const r = backtest(['--symbol', 'USDCHF', '--timeframe', tf, '--no-record', '--json']);
    assert.is(r.status, 2, `${tf}: ${r.stderr}`);
    assert.match(r.stderr, new RegExp(`command line: --timeframe: usdchf_m30\\.csv: its rows are 30 minutes apart \\(the median gap between consecutive rows on the same UTC day\\); cannot make finer ${tf} bars from them \\(each would hold one price\\): use M30 or coarser`));
  }
  const m30 = backtest(['--symbol', 'USDCHF', '--timeframe', 'M30', '--from', '1998-01-01', '--to', '1998-01-31', '--no-record', '--json']);
  assert.is(m30.status, 0, m30.stderr);
  const hourly = dir.write('hourly.csv', encodeLines(timePriceRows(300, 60)));
  const r = backtest(['--symbol', 'EURUSD', '--timeframe', 'M30', '--file', hourly, '--no-record', '--json']);
  assert.is(r.status, 2, r.stderr);
  assert.match(r.stderr, /--timeframe: hourly\.csv: its rows are 1 hour apart .*cannot make finer M30 bars .*use H1 or coarser/);
  const config = join(dir.path, 'm15.json');
  writeFileSync(config, JSON.stringify({ bot: { strategy: 'sma-crossover', timeframe: 'M15', symbols: [{ symbol: 'USDCHF' }] } }));
  const fromConfig = backtest(['--config', config, '--no-record', '--json']);
  assert.is(fromConfig.status, 2, fromConfig.stderr);
  assert.match(fromConfig.stderr, /m15\.json: bot\.symbols\[0\]\.timeframe: usdchf_m30\.csv: its rows are 30 minutes apart/);
});

test('an MT5 tick export still runs at M1, and the help lists every timeframe the CLI accepts', () => {
  const r = backtest(['--symbol', 'EURUSD', '--timeframe', 'M1', '--file', dir.write('ticks.csv', encodeLines(tickRows(3_000))), '--no-record', '--json']);
  assert.is(r.status, 0, r.stderr);
  assert.ok(JSON.parse(r.stdout).total_trades > 0);
  const help = backtest(['--help']);
  assert.match(help.stdout, /--timeframe TF\s+M1 \| M5 \| M15 \| M30 \| H1 \| H4 \| D1 \(default H1\)/);
});

test('reviewer finding 6: a bad --from or --to is blamed on that flag in words, with --symbol or --file alike (before: "--symbol: option from:", "loadHistory: \'to\'")', () => {
  const file = dir.write('tp.csv', encodeLines(timePriceRows(200)));
  for (const source of [['--symbol', 'USDCHF'], ['--symbol', 'EURUSD', '--file', file]]) {
    const bad = backtest([...source, '--from', '1998-02-30', '--no-record', '--json']);
    assert.is(bad.status, 2, bad.stderr);
    assert.match(bad.stderr, /^backtest: command line: --from "1998-02-30" is not an ISO date/);
    const reversed = backtest([...source, '--from', '1998-06-01', '--to', '1998-01-01', '--no-record', '--json']);
    assert.is(reversed.status, 2, reversed.stderr);
    assert.match(reversed.stderr, /^backtest: command line: --to \(1998-01-01\) must be after --from \(1998-06-01\)/);
    for (const r of [bad, reversed]) assert.not.match(r.stderr, /--symbol:|--file:|loadHistory|option from/);
  }
});

test('reviewer finding 6: a one-bar MT5 file names the file and line and says what would help, not an option the CLI lacks', () => {
  const one = dir.write('one_row.csv', encodeLines(mt5Bars(1)));
  const r = backtest(['--symbol', 'EURUSD', '--timeframe', 'H1', '--file', one, '--no-record', '--json']);
  assert.is(r.status, 2, r.stderr);
  assert.match(r.stderr, /one_row\.csv:2: the file holds one bar, and a bar file's timeframe is read from the gap between its bars: export two bars or more/);
  assert.not.match(r.stderr, /timeframe option/);
});

test.run();
