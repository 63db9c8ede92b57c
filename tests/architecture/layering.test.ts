import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { execFileSync } from 'node:child_process';

/**
 * The dependency rules of DESIGN.md and STYLE.md, checked on every import: protocol depends on
 * nothing of ours; engine on protocol; plugins only on the plugin API (and their own lib); the
 * UI only on protocol; inside engine, model/time/data never import a runtime. Offline tools beside
 * a plugin (its cli/ and training/ folders) may also use `engine/research-api.ts`.
 */
const root = resolve(import.meta.dirname, '../..');

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (name === 'node_modules' || name === 'dist') return [];
    return statSync(path).isDirectory() ? files(path) : /\.(ts|svelte)$/.test(name) ? [path] : [];
  });
}

function imports(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  const specs = [...text.matchAll(/(?:import|export)\s[^'"]*?from\s+['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)/g)];
  return specs.map((m) => m[1] ?? m[2]).filter((s) => s.startsWith('.')).map((s) => relative(root, resolve(dirname(file), s)));
}

function violations(area: string, allowed: (target: string, source: string) => boolean): string[] {
  return files(join(root, area)).flatMap((file) =>
    imports(file).filter((target) => !allowed(target, relative(root, file))).map((target) => `${relative(root, file)} -> ${target}`),
  );
}

const inside = (target: string, ...areas: string[]) => areas.some((a) => target === a || target.startsWith(`${a}/`));

test('Bad layering: protocol/ imports nothing of ours', () => {
  assert.equal(violations('protocol', (t) => inside(t, 'protocol')), []);
});

test('Bad layering: engine/ imports only engine/ and protocol/ (never ui/ or plugins/)', () => {
  assert.equal(violations('engine', (t) => inside(t, 'engine', 'protocol')), []);
});

test('Bad layering: plugins import only the plugin API, plugins/lib and their own folder', () => {
  const tooling = (source: string) => /^plugins\/[^/]+\/(cli|training)\//.test(source);
  assert.equal(
    violations('plugins', (t, source) =>
      t === 'engine/plugin-api.ts' || inside(t, 'plugins/lib') || inside(t, source.split('/').slice(0, 2).join('/')) ||
      // Offline tools beside a plugin (trainers, evaluators) may run the engine and compare plugins.
      (tooling(source) && (t === 'engine/research-api.ts' || /^plugins\/[^/]+\/index\.ts$/.test(t)))),
    [],
  );
});

test('Bad layering: ui/ imports only protocol/ and its own code', () => {
  assert.equal(violations('ui/src', (t) => inside(t, 'ui', 'protocol')), []);
});

test('Bad layering: engine model, time and data never import runtimes', () => {
  for (const low of ['engine/model', 'engine/time', 'engine/data']) {
    assert.equal(violations(low, (t) => !inside(t, 'engine/backtest', 'engine/live', 'engine/server', 'engine/cli', 'engine/runtime', 'engine/actor')), [], low);
  }
});

test('Bad layering: the runtime imports no runner of its own (backtest, live, cli, server): they build on it', () => {
  assert.equal(violations('engine/runtime', (t) => !inside(t, 'engine/backtest', 'engine/live', 'engine/cli', 'engine/server', 'engine/optimize')), []);
});

test('Bad layering: brokers and the journal never import the bots (engine/live) or the runners above them', () => {
  for (const low of ['engine/broker', 'engine/journal']) {
    assert.equal(violations(low, (t) => !inside(t, 'engine/live', 'engine/backtest', 'engine/cli', 'engine/server', 'engine/runtime', 'engine/optimize')), [], low);
  }
});

test('the whole TypeScript project type-checks (strict)', () => {
  try {
    execFileSync(process.execPath, [join(root, 'node_modules/typescript/bin/tsc'), '-p', join(root, 'tsconfig.json'), '--noEmit'], { encoding: 'utf8' });
  } catch (err) {
    assert.unreachable(`tsc reported errors:\n${(err as { stdout?: string }).stdout ?? err}`);
  }
});

test.run();
