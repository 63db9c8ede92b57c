import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

// The backtest's cost, risk and governor flags, and the config's broker settings, as a user
// types them: a value that would pay the trader (a negative spread or commission), trade without
// risk (risk 0 still traded the minimum volume) or cannot hold (a minimum above the maximum) is
// refused before the run, naming the flag, exit 2 (it had run, or failed with exit 1 naming an
// internal class).

const run = (args: string[]) => spawnSync(process.execPath, ['--import', 'tsx', 'engine/cli/backtest.ts', ...args], { encoding: 'utf8' });
const SHORT = ['--symbol', 'USDCHF', '--timeframe', 'H1', '--to', '1996-06-30', '--no-record'];

test('a cost, risk or governor flag out of range exits 2 naming the flag and what it accepts', () => {
  const cases: Array<[string[], RegExp]> = [
    [['--balance', '0'], /--balance: "0" must be greater than 0/],
    [['--balance=-5'], /--balance: "-5" must be greater than 0/],
    [['--risk', '0'], /--risk: "0" must be a percent of the balance, above 0 and at most 100/],
    [['--risk=-1'], /--risk: "-1" must be a percent/],
    [['--risk', '150'], /--risk: "150" must be a percent/],
    [['--spread=-10'], /--spread: "-10" must be a number of points, 0 or more/],
    [['--commission=-3'], /--commission: "-3" must be an amount per lot per side, 0 or more/],
    [['--leverage', '0'], /--leverage: "0" must be a whole number, 1 or more/],
    [['--leverage', '0.0001'], /--leverage: "0.0001" must be a whole number, 1 or more \(the account's 1:N\)/],
    [['--max-trades', '0'], /--max-trades: "0" must be a whole number of entries a week, at least 1/],
    [['--min-trades', '1.5'], /--min-trades: "1.5" must be a whole number of entries a week, 0 or more/],
    [['--min-trades', '5', '--max-trades', '2'], /--max-trades: the weekly minimum 5 exceeds the weekly maximum 2/],
    [['--max-trades', '2'], /--max-trades: the weekly minimum 3 \(the default\) exceeds the weekly maximum 2/],
  ];
  for (const [flags, message] of cases) {
    const r = run([...SHORT, ...flags]);
    assert.is(r.status, 2, `${flags.join(' ')}: exit ${r.status}\n${r.stderr}`);
    assert.match(r.stderr, message, flags.join(' '));
    assert.is(r.stdout, '', flags.join(' '));
  }
});

test('a spread wider than the price refuses every order with 10015 instead of filling at a negative bid', () => {
  const r = run([...SHORT, '--spread', '300000', '--json']);
  assert.is(r.status, 0, r.stderr);
  const complete = JSON.parse(r.stdout);
  assert.is(complete.total_trades, 0);
  assert.ok(complete.orders.sent > 0);
  assert.is(complete.orders.refused, complete.orders.sent);
  assert.equal(Object.keys(complete.orders.refused_by_reason), ['10015 Invalid price in the request']);
  assert.match(complete.orders.first_refusal, /the bid -\d+\.\d+ \(after spread and slippage\) is not a positive price/);
});

test('an unknown symbol is blamed on --symbol, with the config key and the flag that declare one', () => {
  const r = run(['--symbol', 'FOO', '--no-record']);
  assert.is(r.status, 2);
  assert.match(r.stderr, /--symbol: unknown symbol "FOO".*"bot\.symbolSpecs\.FOO" in the config, or with --spec/);
});

test('an instrument whose profit the simulator cannot convert to the account currency is refused before the run, naming --spec', () => {
  const r = run(['--symbol', 'ACME', '--timeframe', 'D1', '--no-record', '--spec', 'digits=2', '--spec', 'contractSize=1', '--spec', 'baseCurrency=ACME', '--spec', 'profitCurrency=EUR']);
  assert.is(r.status, 2, r.stderr);
  assert.match(r.stderr, /--spec: ACME's profit currency EUR is not the account's USD, nor is its base currency ACME: profit is converted by the symbol's own price only \(no cross rates\)/);
});

test('the config sets the simulator\'s leverage and levels (bot.broker), --leverage overrides it, and bad values name the field', () => {
  const dir = mkdtempSync(join(tmpdir(), 'tradeloom-flags-'));
  try {
    const config = (broker: object) => {
      const file = join(dir, `bot-${Math.random().toString(36).slice(2)}.json`);
      writeFileSync(file, JSON.stringify({ bot: { strategy: 'sma-crossover', timeframe: 'H1', symbols: [{ symbol: 'USDCHF' }], broker } }));
      return file;
    };
    const refusedForMargin = (r: ReturnType<typeof run>) => {
      assert.is(r.status, 0, r.stderr);
      return JSON.parse(r.stdout).orders.refused_by_reason['10019 There is not enough money to complete the request'] ?? 0;
    };
    const range = ['--to', '1996-09-30', '--no-record', '--json'];
    // Leverage 100: USDCHF's 1 % positions need a few hundred USD of margin, none is refused.
    assert.is(refusedForMargin(run(['--config', config({}), ...range])), 0);
    // Leverage 1: 0.2 lots of USDCHF need 20,000 USD of margin on a 10,000 USD account.
    const atOne = refusedForMargin(run(['--config', config({ leverage: 1 }), ...range]));
    assert.ok(atOne > 0, `${atOne} refused at leverage 1`);
    assert.is(refusedForMargin(run(['--config', config({}), '--leverage', '1', ...range])), atOne);
    const bad: Array<[object, RegExp]> = [
      [{ leverage: 0 }, /bot\.broker\.leverage.*whole number, 1 or more/],
      [{ leverage: 0.0001 }, /bot\.broker\.leverage.*whole number, 1 or more/],
      [{ commissionPerLot: -3 }, /bot\.broker\.commissionPerLot.*0 or more/],
      [{ spreadPoints: { USDCHF: -1 } }, /bot\.broker\.spreadPoints\.USDCHF.*0 or more/],
      [{ marginCallLevel: 40 }, /bot\.broker\.marginCallLevel: the margin call level 40 % is below the stop-out level 50 %/],
    ];
    for (const [broker, message] of bad) {
      const r = run(['--config', config(broker), ...range]);
      assert.is(r.status, 2, `${JSON.stringify(broker)}: exit ${r.status}\n${r.stderr}`);
      assert.match(r.stderr, message, JSON.stringify(broker));
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test.run();
