import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ConfigError, loadSymbolHistory, readConfigFile, resolveBot, type BotConfig } from '../../engine/config/index.ts';
import { parseOverrides } from '../../engine/strategy/strategy-params.ts';
import type { Strategy } from '../../engine/strategy/strategy.ts';
import { smaCrossover } from '../../plugins/sma-crossover/index.ts';
import { patternsSr } from '../../plugins/patterns-sr/index.ts';
import { makeTempDir, MT5_BARS_HEADER, mt5BarRow } from '../kit/data-builders.ts';

const strategies = new Map<string, Strategy>([['sma-crossover', smaCrossover as Strategy], ['patterns-sr', patternsSr as Strategy]]);
const context = { where: '/cfg/my-bot.json', baseDir: '/cfg', strategies };

function failure(run: () => unknown): ConfigError {
  try {
    run();
  } catch (err) {
    if (err instanceof ConfigError) return err;
    throw err;
  }
  throw new Error('expected a ConfigError');
}

test('parameters layer: strategy defaults, the bot\'s params, the symbol\'s params, then --set (plain and symbol-qualified)', () => {
  const bot: BotConfig = {
    strategy: 'sma-crossover', params: { fast: 12 },
    symbols: [{ symbol: 'USDCHF' }, { symbol: 'EURUSD', params: { slow: 40 } }, { symbol: 'XAUUSD', strategy: 'patterns-sr', params: { rewardMultiple: 3 } }],
  };
  const r = resolveBot(bot, context);
  assert.equal(r.symbols[0].params, { fast: 12, slow: 30, stopLossPoints: 500, takeProfitPoints: 1000 });
  assert.equal(r.symbols[1].params, { fast: 12, slow: 40, stopLossPoints: 500, takeProfitPoints: 1000 });
  assert.is((r.symbols[2].params as { rewardMultiple: number }).rewardMultiple, 3);
  const o = resolveBot(bot, context, parseOverrides(['fast=5', 'EURUSD.slow=60', 'XAUUSD.minTouches=3']));
  assert.is((o.symbols[0].params as { fast: number }).fast, 5);
  assert.is((o.symbols[1].params as { slow: number }).slow, 60);
  assert.is((o.symbols[2].params as { minTouches: number }).minTouches, 3);
  assert.is((o.symbols[2].params as { fast?: number }).fast, undefined, 'a plain override goes only to strategies that declare it');
});

test('a value the plugin\'s codec refuses names the file and the path: bot.symbols[1].params.fast', () => {
  const e = failure(() => resolveBot({ strategy: 'sma-crossover', symbols: [{ symbol: 'USDCHF' }, { symbol: 'EURUSD', params: { fast: '12' } }] }, context));
  assert.is(e.message, '/cfg/my-bot.json: bot.symbols[1].params.fast: expected positive integer, got "12"');
  assert.is(e.exitCode, 2);
  const bot = failure(() => resolveBot({ strategy: 'sma-crossover', params: { slow: 0 }, symbols: [{ symbol: 'USDCHF' }] }, context));
  assert.match(bot.message, /bot\.params\.slow: expected positive integer, got 0/);
});

test('a parameter the plugin does not declare is refused with the ones it has', () => {
  const e = failure(() => resolveBot({ strategy: 'sma-crossover', symbols: [{ symbol: 'USDCHF', params: { fsat: 12 } }] }, context));
  assert.match(e.message, /bot\.symbols\[0\]\.params\.fsat: strategy "sma-crossover" has no parameter "fsat"; it has: fast, slow, stopLossPoints, takeProfitPoints/);
  const cli = failure(() => resolveBot({ strategy: 'sma-crossover', symbols: [{ symbol: 'USDCHF' }] }, context, parseOverrides(['USDCHF.fsat=1'])));
  assert.match(cli.message, /^command line: --set USDCHF\.fsat: strategy "sma-crossover" has no parameter/);
  const bad = failure(() => resolveBot({ strategy: 'sma-crossover', symbols: [{ symbol: 'USDCHF' }] }, context, parseOverrides(['fast=abc'])));
  assert.is(bad.message, 'command line: --set fast: expected positive integer, got "abc"');
  assert.throws(() => parseOverrides(['fast']), /--set fast: expected NAME=VALUE/);
});

test('two symbols with one name, an unknown strategy or timeframe, and a missing data file are named by field', () => {
  assert.match(failure(() => resolveBot({ symbols: [{ symbol: 'EURUSD' }, { symbol: 'USDCHF' }, { symbol: 'EURUSD' }] }, context)).message,
    /bot\.symbols\[2\]\.symbol: "EURUSD" is configured twice \(also bot\.symbols\[0\]\)/);
  assert.match(failure(() => resolveBot({ symbols: [{ symbol: 'EURUSD', strategy: 'nope' }] }, context)).message, /bot\.symbols\[0\]\.strategy: unknown strategy "nope"/);
  assert.match(failure(() => resolveBot({ symbols: [{ symbol: 'EURUSD', timeframe: 'H7' }] }, context)).message, /bot\.symbols\[0\]\.timeframe: "H7" is not one of/);
  // A symbol with no spec is the entry's problem (it named bot.symbolSpecs.FOOBAR, not in the file).
  assert.match(failure(() => resolveBot({ symbols: [{ symbol: 'USDCHF' }, { symbol: 'FOOBAR' }] }, context)).message, /bot\.symbols\[1\]\.symbol: unknown symbol "FOOBAR"/);
  assert.match(failure(() => resolveBot({ symbols: [{ symbol: 'EURUSD', file: 'nothere.csv' }] }, context)).message,
    /^\/cfg\/my-bot\.json: bot\.symbols\[0\]\.file: no such file: \/cfg\/nothere\.csv/);
});

test('a data file that does not parse, and a timeframe finer than its bars, are config errors naming file, field and row', () => {
  const dir = makeTempDir();
  try {
    const bars = [MT5_BARS_HEADER, mt5BarRow('2024.01.02', '00:00', 1.1, 1.2, 1.0, 1.15), mt5BarRow('2024.01.02', '04:00', 1.15, 'x', 1.1, 1.12)];
    writeFileSync(join(dir.path, 'bad.csv'), bars.join('\n'));
    const good = [MT5_BARS_HEADER, mt5BarRow('2024.01.02', '00:00', 1.1, 1.2, 1.0, 1.15), mt5BarRow('2024.01.02', '04:00', 1.15, 1.2, 1.1, 1.12)];
    writeFileSync(join(dir.path, 'h4.csv'), good.join('\n'));
    const ctx = { ...context, where: join(dir.path, 'bot.json'), baseDir: dir.path };
    const bad = resolveBot({ symbols: [{ symbol: 'EURUSD', file: 'bad.csv', timeframe: 'H4' }] }, ctx);
    assert.match(failure(() => loadSymbolHistory(bad, bad.symbols[0])).message, /bot\.symbols\[0\]\.file: bad\.csv:3: column "<HIGH>": "x" is not a number/);
    const fine = resolveBot({ symbols: [{ symbol: 'EURUSD', file: 'h4.csv', timeframe: 'H1' }] }, ctx);
    assert.match(failure(() => loadSymbolHistory(fine, fine.symbols[0])).message, /bot\.symbols\[0\]\.timeframe: h4\.csv holds H4 bars; cannot make finer H1 bars/);
  } finally {
    dir.remove();
  }
});

test('a misspelt key in a symbol entry is refused by the config reader', () => {
  const dir = makeTempDir();
  try {
    const file = join(dir.path, 'bot.json');
    writeFileSync(file, JSON.stringify({ bot: { symbols: [{ symbol: 'USDCHF' }, { symbol: 'EURUSD', param: { fast: 3 } }] } }));
    assert.match(failure(() => readConfigFile(file)).message, /bot\.symbols\[1\]\.param: unknown setting; known here: symbol, timeframe, strategy, params, file, timezone/);
  } finally {
    dir.remove();
  }
});

test.run();
