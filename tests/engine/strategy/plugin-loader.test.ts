import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { loadPlugins, PluginError, validateStrategy, validateStrategyConfig } from '../../../engine/strategy/plugin-loader.ts';
import { exampleBreakout } from '../../../fixtures/plugins/example-breakout/index.ts';

const root = new URL('../../../', import.meta.url).pathname;
const temp = mkdtempSync(join(tmpdir(), 'tradeloom-plugins-'));
const emptyBuiltins = join(temp, 'no-builtins');
mkdirSync(emptyBuiltins);

/** Writes a plugin folder with an `index.mjs` holding `source`. */
function pluginFolder(name: string, source: string): string {
  const dir = join(temp, name);
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'index.mjs'), source);
  return dir;
}

const codecJs = `{ decode: (v) => ({ _tag: 'Right', right: v }), is: () => true, encode: (v) => v }`;

test('a plugin folder named in a config file loads relative to the config, as a user drops one in', async () => {
  const configDir = join(temp, 'bot');
  mkdirSync(configDir);
  const configPath = join(configDir, 'config.json');
  const pluginPath = relative(configDir, join(root, 'fixtures/plugins/example-breakout'));
  writeFileSync(configPath, JSON.stringify({ symbols: ['USDCHF'], plugins: [pluginPath.startsWith('.') ? pluginPath : `./${pluginPath}`] }));
  const config = JSON.parse(readFileSync(configPath, 'utf8')) as { plugins: string[] };
  const plugins = await loadPlugins(config.plugins, { baseDir: dirname(configPath), builtinDir: emptyBuiltins });
  const loaded = plugins.get('example-breakout');
  assert.ok(loaded, `loaded: ${[...plugins.keys()]}`);
  assert.is(loaded.source, join(root, 'fixtures/plugins/example-breakout'));
  assert.is(typeof loaded.strategy.onBar, 'function');
  assert.equal(validateStrategyConfig(loaded.strategy, { lookback: 10 }), { lookback: 10, rewardMultiple: 1.5 });
});

test('a bare relative folder path (no ./) that exists is loaded as a folder, not looked up on npm', async () => {
  const plugins = await loadPlugins(['fixtures/plugins/example-breakout'], { baseDir: root, builtinDir: emptyBuiltins });
  assert.is(plugins.get('example-breakout')?.source, join(root, 'fixtures/plugins/example-breakout'));
});

test('built-in plugins load from plugins/ without naming them, and lib/ is not a plugin', async () => {
  const plugins = await loadPlugins([], { baseDir: root });
  assert.ok(plugins.has('patterns-sr'), `built-ins: ${[...plugins.keys()]}`);
  assert.not.ok([...plugins.values()].some((p) => p.source === 'builtin:lib'));
});

test('the rl-policy plugin reports rl_enabled when its policy file loaded; other plugins do not', async () => {
  const plugins = await loadPlugins([], { baseDir: root });
  assert.is(plugins.get('rl-policy')?.rlEnabled, true);
  assert.is(plugins.get('patterns-sr')?.rlEnabled, false);
});

test('a plugin breaking the contract fails on load naming the plugin and every fault', async () => {
  const dir = pluginFolder('bad-hooks', `export const bad = { kind: 'strategy', id: 'bad-hooks', description: 'x', configCodec: ${codecJs}, defaultConfig: {}, onBar: 42, warmup: -1 };`);
  try {
    await loadPlugins([dir], { baseDir: temp, builtinDir: emptyBuiltins });
    assert.unreachable('should have thrown');
  } catch (err) {
    assert.instance(err, PluginError);
    const message = (err as Error).message;
    assert.match(message, /plugin "bad-hooks" from .*bad-hooks \(export bad\)/);
    assert.match(message, /onBar must be a function, got number/);
    assert.match(message, /warmup must be a non-negative integer, got -1/);
  }
});

test('a missing codec and a non-kebab id are reported together', () => {
  assert.throws(
    () => validateStrategy({ kind: 'strategy', id: 'Bad Id', description: 'x', defaultConfig: {} }, 'test'),
    (err: Error) => /id must be a kebab-case string/.test(err.message) && /configCodec must be an io-ts codec/.test(err.message),
  );
});

test('a module exporting no plugin, a missing folder and an unknown package each fail with their name', async () => {
  const none = pluginFolder('no-exports', 'export const x = 1;');
  await assertRejects(loadPlugins([none], { baseDir: temp, builtinDir: emptyBuiltins }), /no-exports: exports no plugin/);
  await assertRejects(loadPlugins(['./does-not-exist'], { baseDir: temp, builtinDir: emptyBuiltins }), /does-not-exist: folder not found/);
  await assertRejects(loadPlugins(['tradeloom-plugin-not-installed'], { baseDir: temp, builtinDir: emptyBuiltins }), /plugin tradeloom-plugin-not-installed: failed to load/);
});

test('a plugin whose module throws while loading is reported, not crashed on', async () => {
  const dir = pluginFolder('throws-on-import', `throw new Error('boom at import');`);
  await assertRejects(loadPlugins([dir], { baseDir: temp, builtinDir: emptyBuiltins }), /throws-on-import: failed to load: boom at import/);
});

test('two plugins with one id are refused, naming both sources', async () => {
  const src = `export const p = { kind: 'strategy', id: 'twin', description: 'x', configCodec: ${codecJs}, defaultConfig: {} };`;
  const a = pluginFolder('twin-a', src);
  const b = pluginFolder('twin-b', src);
  await assertRejects(loadPlugins([a, b], { baseDir: temp, builtinDir: emptyBuiltins }), /"twin": id already taken by .*twin-a/);
});

test('an npm package name is loaded by Node module resolution', async () => {
  const pkg = join(root, 'node_modules', 'tradeloom-plugin-test-fixture');
  mkdirSync(pkg, { recursive: true });
  try {
    writeFileSync(join(pkg, 'package.json'), JSON.stringify({ name: 'tradeloom-plugin-test-fixture', type: 'module', main: 'index.mjs' }));
    writeFileSync(join(pkg, 'index.mjs'), `export const p = { kind: 'strategy', id: 'from-npm', description: 'x', configCodec: ${codecJs}, defaultConfig: {} };`);
    const plugins = await loadPlugins(['tradeloom-plugin-test-fixture'], { baseDir: temp, builtinDir: emptyBuiltins });
    assert.is(plugins.get('from-npm')?.source, 'tradeloom-plugin-test-fixture');
  } finally {
    rmSync(pkg, { recursive: true, force: true });
  }
});

test('a bad config value is an error naming the plugin, the field and the expectation', () => {
  assert.throws(
    () => validateStrategyConfig(exampleBreakout, { lookback: 'ten' }),
    /plugin "example-breakout": invalid config: lookback: expected number, got "ten"/,
  );
  assert.throws(() => validateStrategyConfig(exampleBreakout, 5), /config must be an object, got 5/);
  assert.equal(validateStrategyConfig(exampleBreakout, undefined), exampleBreakout.defaultConfig);
});

test('the throwing fixture plugin loads cleanly and throws only when run', async () => {
  const plugins = await loadPlugins([join(root, 'fixtures/plugins/throwing-plugin')], { baseDir: root, builtinDir: emptyBuiltins });
  const strategy = plugins.get('throwing-plugin')!.strategy;
  const ctx = { index: 10, config: strategy.defaultConfig } as never;
  assert.throws(() => strategy.onBar!(ctx), /deliberate failure/);
});

test('the throwing fixture run through a backtest emits ERROR with its traceback and the run still completes', async () => {
  const { runBacktest } = await import('../../../engine/backtest/backtest-runner.ts');
  const { barSeriesFrom } = await import('../../../engine/plugin-api.ts');
  const plugins = await loadPlugins([join(root, 'fixtures/plugins/throwing-plugin')], { baseDir: root, builtinDir: emptyBuiltins });
  const strategy = plugins.get('throwing-plugin')!.strategy;
  const t0 = Date.UTC(2000, 0, 3);
  const series = barSeriesFrom('USDCHF', 'H1', Array.from({ length: 40 }, (_, k) => ({ time: t0 + k * 3_600_000, open: 1.5, high: 1.501, low: 1.499, close: 1.5, volume: 1 })));
  const errors: { error: string; traceback: string }[] = [];
  const types: string[] = [];
  runBacktest({ symbol: 'USDCHF', series, strategy, onEvent: (e) => {
    types.push(e.event_type);
    if (e.event_type === 'ERROR') errors.push(e.data as { error: string; traceback: string });
  } });
  assert.is(errors.length, 1, 'one fault, then the symbol is parked');
  assert.match(errors[0].error, /deliberate failure in onBar/);
  assert.match(errors[0].traceback, /explode/);
  assert.is(types[types.length - 1], 'BACKTEST_COMPLETE');
});

async function assertRejects(promise: Promise<unknown>, pattern: RegExp): Promise<void> {
  try {
    await promise;
  } catch (err) {
    assert.instance(err, PluginError);
    assert.match((err as Error).message, pattern);
    return;
  }
  assert.unreachable(`expected a rejection matching ${pattern}`);
}

test.after(() => rmSync(temp, { recursive: true, force: true }));

test.run();
