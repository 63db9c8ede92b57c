import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawn, spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { encodeLines, makeTempDir, MT5_BARS_HEADER, mt5BarRow } from '../../kit/data-builders.ts';
import { TestClient } from '../../kit/server-kit.ts';

// A user's own MT5 export for a symbol other than USDCHF (EURUSD H1, UTF-16 as MT5 writes it),
// named in the bot's config, drives both the portfolio backtest and the paper bot.

function eurusdExport(): Buffer {
  const lines = [MT5_BARS_HEADER];
  let price = 1.1;
  for (let i = 0; i < 2_400; i++) {
    const t = new Date(Date.UTC(2024, 0, 1) + i * 3_600_000);
    if (t.getUTCDay() === 0 || t.getUTCDay() === 6) continue;
    const next = price + 0.0025 * Math.sin(i / 11) + 0.0006 * Math.cos(i / 3);
    const date = `${t.getUTCFullYear()}.${String(t.getUTCMonth() + 1).padStart(2, '0')}.${String(t.getUTCDate()).padStart(2, '0')}`;
    lines.push(mt5BarRow(date, `${String(t.getUTCHours()).padStart(2, '0')}:00`, price.toFixed(5), (Math.max(price, next) + 0.0004).toFixed(5),
      (Math.min(price, next) - 0.0004).toFixed(5), next.toFixed(5)));
    price = next;
  }
  return encodeLines(lines, 'utf16le-bom');
}

const dir = makeTempDir('tradeloom-own-data-');
writeFileSync(join(dir.path, 'EURUSD_H1.csv'), eurusdExport());
const symbols = [
  { symbol: 'EURUSD', timeframe: 'H1', file: 'EURUSD_H1.csv', timezone: 'UTC', params: { fast: 5, slow: 20 } },
  { symbol: 'XAUUSD', timeframe: 'H4' },
];
writeFileSync(join(dir.path, 'bot.json'), JSON.stringify({ bot: { strategy: 'sma-crossover', symbols } }));
// With the shipped 1996-2001 USDCHF beside it, the 2024 file shares no period with it (review finding 4).
writeFileSync(join(dir.path, 'with-usdchf.json'), JSON.stringify({ bot: { strategy: 'sma-crossover', symbols: [{ symbol: 'USDCHF', timeframe: 'H4' }, ...symbols] } }));
writeFileSync(join(dir.path, 'paper.json'), JSON.stringify({ bot: { strategy: 'sma-crossover', speed: 400, warmupBars: 50, autoStart: false, symbols } }));

test('the export drives a --config backtest: EURUSD trades on the file\'s prices, only XAUUSD is labelled synthetic', () => {
  const json = spawnSync(process.execPath, ['--import', 'tsx', 'engine/cli/backtest.ts', '--config', join(dir.path, 'bot.json'), '--no-record', '--json'], { encoding: 'utf8' });
  assert.is(json.status, 0, json.stderr);
  const complete = JSON.parse(json.stdout);
  assert.equal(complete.symbols, ['EURUSD', 'XAUUSD']);
  assert.equal(complete.params.EURUSD, { fast: 5, slow: 20, stopLossPoints: 500, takeProfitPoints: 1000 });
  assert.ok(complete.report.per_symbol.EURUSD.trades > 10, 'EURUSD traded on the user\'s bars');
  assert.equal(complete.synthetic_symbols, ['XAUUSD']);
  // Beside the shipped 1996-2001 USDCHF it is refused, not run 28 years back to back as one account.
  const apart = spawnSync(process.execPath, ['--import', 'tsx', 'engine/cli/backtest.ts', '--config', join(dir.path, 'with-usdchf.json'), '--no-record', '--json'], { encoding: 'utf8' });
  assert.is(apart.status, 2);
  assert.match(apart.stderr, /bot\.symbols: the symbols' data share no period, .*USDCHF H4 1996-03-31 20:00 to 2001-03-31 00:00 UTC .*; EURUSD H1 2024-01-01 00:00 to /);
});

test('the same export drives the paper bot: BOT_INITIALIZATION names the file and params, and EURUSD trades at the file\'s 2024 prices', async () => {
  const child = spawn(process.execPath, ['--import', 'tsx', 'engine/cli/start.ts', '--config', join(dir.path, 'paper.json'), '--port', '0', '--data-dir', join(dir.path, 'var')], {
    stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, TRADELOOM_TOKEN: '' },
  });
  try {
    let out = '';
    const url = await new Promise<string>((resolve, reject) => {
      child.stdout!.on('data', (d) => {
        out += d;
        const m = /listening on (http:\/\/\S+)/.exec(out);
        if (m) resolve(m[1]);
      });
      child.once('exit', (code) => reject(new Error(`exited ${code}`)));
    });
    const client = await TestClient.connect(`${url.replace('http', 'ws')}/ws`);
    const started = await client.request({ type: 'start_bot' }, 'command_result');
    assert.is(started.ok, true);
    const init = await client.next((m) => m.event_type === 'BOT_INITIALIZATION');
    const settings = init.data.config.trading_settings;
    assert.equal(settings.synthetic_symbols, ['XAUUSD']);
    assert.is(settings.data_files.EURUSD, join(dir.path, 'EURUSD_H1.csv'));
    assert.equal(init.data.config.strategy_params.EURUSD, { fast: 5, slow: 20, stopLossPoints: 500, takeProfitPoints: 1000 });
    const entry = await client.next((m) => m.event_type === 'TRADE_ENTRY' && m.data.symbol === 'EURUSD');
    assert.match(entry.data.time, /^2024-0[1-4]-/);
    assert.ok(entry.data.price > 1.0 && entry.data.price < 1.2, `a price from the file (${entry.data.price})`);
    client.ws.close();
  } finally {
    child.kill('SIGINT');
    await new Promise((resolve) => child.once('exit', resolve));
  }
});

test('a config naming a file that is not there exits 2 from both commands, naming the field', () => {
  writeFileSync(join(dir.path, 'missing.json'), JSON.stringify({ bot: { symbols: [{ symbol: 'EURUSD', file: 'gone.csv' }] } }));
  const b = spawnSync(process.execPath, ['--import', 'tsx', 'engine/cli/backtest.ts', '--config', join(dir.path, 'missing.json'), '--no-record'], { encoding: 'utf8' });
  assert.is(b.status, 2);
  assert.match(b.stderr, /missing\.json: bot\.symbols\[0\]\.file: no such file: .*gone\.csv/);
  const s = spawnSync(process.execPath, ['--import', 'tsx', 'engine/cli/start.ts', '--config', join(dir.path, 'missing.json'), '--port', '0', '--data-dir', join(dir.path, 'var2')], { encoding: 'utf8' });
  assert.is(s.status, 2);
  assert.match(s.stderr, /bot\.symbols\[0\]\.file: no such file/);
});

test.after(() => dir.remove());
test.run();
