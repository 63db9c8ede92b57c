import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { isAbsolute, join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import * as E from 'fp-ts/lib/Either.js';
import type * as t from 'io-ts';
import { describeThrown } from '../util/thrown.ts';
import type { Strategy } from './strategy.ts';

/** Where a loaded plugin came from, for messages and BOT_INITIALIZATION. */
export interface LoadedPlugin {
  readonly strategy: Strategy;
  /** `builtin:<folder>`, the resolved folder path, or the npm package name. */
  readonly source: string;
  /**
   * True when the plugin's module exports `rlPolicyStatus` with `loaded: true` (an RL policy whose
   * policy file loaded): BOT_INITIALIZATION `rl_enabled` for a bot running this strategy.
   */
  readonly rlEnabled: boolean;
}

export interface LoadPluginsOptions {
  /** Directory that relative plugin paths in the config are resolved against (the config's folder). */
  readonly baseDir: string;
  /** Folder of the built-in plugins; defaults to the repository's `plugins/`. */
  readonly builtinDir?: string;
}

/** A plugin that could not be loaded or broke the contract; the message names it and the fault. */
export class PluginError extends Error {
  constructor(readonly plugin: string, readonly problem: string) {
    super(`plugin ${plugin}: ${problem}`);
    this.name = 'PluginError';
  }
}

const BUILTIN_DIR = new URL('../../plugins/', import.meta.url).pathname;

/** Every plugin this process has loaded, by strategy id (the latest of an id): whose code an error's stack is in. */
const loadedInProcess = new Map<string, LoadedPlugin>();

/** The plugins this process has loaded so far, for `strayPluginError`. */
export function pluginsLoaded(): ReadonlyMap<string, LoadedPlugin> {
  return loadedInProcess;
}
const HOOKS = ['initialState', 'onStart', 'onBar', 'onTradeExit', 'onStop', 'onSave', 'onLoad', 'constraint'] as const;
const ENTRY_FILES = ['index.ts', 'index.js', 'index.mjs'];

/**
 * Loads the built-in plugins (every folder of `plugins/` with an index file, except `lib/`)
 * plus each spec from the config: a folder path (`./my-plugins/breakout`, absolute or
 * relative to `baseDir`) or an npm package name (`tradeloom-plugin-foo`). Every exported
 * object with `kind: 'strategy'` is validated against the plugin contract; a broken plugin, a
 * module that exports none, or two plugins with one id fail with a `PluginError` naming it.
 *
 * @example
 * ```ts
 * const plugins = await loadPlugins(['./plugins-local/breakout'], { baseDir: dirname(configPath) });
 * const strategy = plugins.get('breakout')!.strategy;
 * ```
 */
export async function loadPlugins(specs: readonly string[], options: LoadPluginsOptions): Promise<Map<string, LoadedPlugin>> {
  const builtinDir = options.builtinDir ?? BUILTIN_DIR;
  const loaded = new Map<string, LoadedPlugin>();
  const add = ({ strategy, rlEnabled }: ImportedStrategy, source: string) => {
    const existing = loaded.get(strategy.id);
    if (existing) throw new PluginError(`"${strategy.id}"`, `id already taken by ${existing.source} (loading ${source})`);
    loaded.set(strategy.id, { strategy, source, rlEnabled });
    loadedInProcess.set(strategy.id, { strategy, source, rlEnabled });
  };
  for (const name of readdirSync(builtinDir).sort()) {
    const dir = join(builtinDir, name);
    if (name === 'lib' || !statSync(dir).isDirectory() || !entryFile(dir)) continue;
    for (const s of await importPlugin(dir, `builtin:${name}`)) add(s, `builtin:${name}`);
  }
  for (const spec of specs) {
    if (isPathSpec(spec, options.baseDir)) {
      const dir = isAbsolute(spec) ? spec : resolve(options.baseDir, spec);
      for (const s of await importPlugin(dir, dir)) add(s, dir);
    } else if (!loaded.has(spec)) {
      for (const s of await importPlugin(spec, spec)) add(s, spec);
    }
  }
  return loaded;
}

/** `./x`, `../x`, `/x`, or a bare `x/y` that names an existing folder under `baseDir`; else an npm package. */
function isPathSpec(spec: string, baseDir: string): boolean {
  if (spec.startsWith('.') || isAbsolute(spec)) return true;
  const dir = resolve(baseDir, spec);
  return !spec.startsWith('@') && existsSync(dir) && statSync(dir).isDirectory();
}

function entryFile(dir: string): string | undefined {
  const pkg = join(dir, 'package.json');
  if (existsSync(pkg)) {
    const main = (JSON.parse(readFileSync(pkg, 'utf8')) as { main?: unknown }).main;
    if (typeof main === 'string' && existsSync(join(dir, main))) return join(dir, main);
  }
  return ENTRY_FILES.map((f) => join(dir, f)).find((f) => existsSync(f));
}

interface ImportedStrategy {
  readonly strategy: Strategy;
  readonly rlEnabled: boolean;
}

async function importPlugin(target: string, label: string): Promise<ImportedStrategy[]> {
  let url: string;
  if (target.startsWith('/')) {
    if (!existsSync(target)) throw new PluginError(label, 'folder not found');
    const entry = entryFile(target);
    if (!entry) throw new PluginError(label, `no entry file (package.json "main", or one of ${ENTRY_FILES.join(', ')})`);
    url = pathToFileURL(entry).href;
  } else {
    url = target; // an npm package name, resolved by Node from the project's node_modules
  }
  let mod: Record<string, unknown>;
  try {
    mod = (await import(url)) as Record<string, unknown>;
  } catch (err) {
    const why = describeThrown(err).message;
    throw new PluginError(label, `failed to load: ${why}`);
  }
  const strategies = Object.entries(mod).filter(([, v]) => isRecord(v) && v.kind === 'strategy');
  if (strategies.length === 0) throw new PluginError(label, 'exports no plugin (an object made by defineStrategy, kind "strategy")');
  const status = mod.rlPolicyStatus;
  const rlEnabled = isRecord(status) && status.loaded === true;
  return strategies.map(([exportName, v]) => ({ strategy: validateStrategy(v, `${label} (export ${exportName})`), rlEnabled }));
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null;
}

/**
 * Checks an object against the strategy plugin contract and returns it typed; throws a
 * `PluginError` naming the plugin and every problem found.
 */
export function validateStrategy(value: unknown, label: string): Strategy {
  if (!isRecord(value)) throw new PluginError(label, 'is not an object');
  const id = typeof value.id === 'string' ? value.id : undefined;
  const name = id ? `"${id}" from ${label}` : label;
  const problems: string[] = [];
  if (value.kind !== 'strategy') problems.push(`kind must be "strategy", got ${JSON.stringify(value.kind)}`);
  if (!id || !/^[a-z0-9][a-z0-9-]*$/.test(id)) problems.push(`id must be a kebab-case string, got ${JSON.stringify(value.id)}`);
  if (typeof value.description !== 'string') problems.push('description must be a string');
  const codec = value.configCodec as Partial<t.Type<unknown>> | undefined;
  const codecOk = isRecord(codec) && typeof codec.decode === 'function' && typeof codec.is === 'function' && typeof codec.encode === 'function';
  if (!codecOk) problems.push('configCodec must be an io-ts codec (decode, is, encode)');
  if (value.warmup !== undefined && !(Number.isInteger(value.warmup) && (value.warmup as number) >= 0)) {
    problems.push(`warmup must be a non-negative integer, got ${JSON.stringify(value.warmup)}`);
  }
  for (const hook of HOOKS) {
    if (value[hook] !== undefined && typeof value[hook] !== 'function') problems.push(`${hook} must be a function, got ${typeof value[hook]}`);
  }
  if (value.objectives !== undefined) {
    const objectives = value.objectives;
    if (!isRecord(objectives) || Object.values(objectives).some((f) => typeof f !== 'function')) problems.push('objectives must be an object of functions');
  }
  if (codecOk) {
    const decoded = (codec as t.Type<unknown>).decode(value.defaultConfig);
    if (E.isLeft(decoded)) problems.push(`defaultConfig does not match configCodec: ${describeErrors(decoded.left).join('; ')}`);
  }
  if (problems.length > 0) throw new PluginError(name, problems.join('; '));
  return value as unknown as Strategy;
}

/**
 * Decodes a strategy's config from raw input (a config file section): missing fields take the
 * plugin's defaults, and a bad value is an error naming the plugin, the field and what was
 * expected.
 *
 * @example
 * ```ts
 * const config = validateStrategyConfig(patternsSr, { rewardMultiple: 2 });
 * ```
 */
export function validateStrategyConfig<TConfig>(strategy: Strategy<TConfig>, raw: unknown): TConfig {
  if (raw !== undefined && raw !== null && !isRecord(raw)) {
    throw new PluginError(`"${strategy.id}"`, `config must be an object, got ${JSON.stringify(raw)}`);
  }
  const merged = isRecord(strategy.defaultConfig) && !Array.isArray(strategy.defaultConfig)
    ? { ...strategy.defaultConfig, ...(raw ?? {}) }
    : (raw ?? strategy.defaultConfig);
  const decoded = strategy.configCodec.decode(merged);
  if (E.isLeft(decoded)) throw new PluginError(`"${strategy.id}"`, `invalid config: ${describeErrors(decoded.left).join('; ')}`);
  return decoded.right;
}

/** `field.sub: expected number, got "x"` per io-ts error. */
function describeErrors(errors: t.Errors): string[] {
  return errors.map((e) => {
    // Keys under an intersection or union are member indices, not fields: leave them out.
    const keys: string[] = [];
    e.context.forEach((c, k) => {
      const parent = (k > 0 ? e.context[k - 1].type : undefined) as { _tag?: string } | undefined;
      if (c.key !== '' && parent?._tag !== 'IntersectionType' && parent?._tag !== 'UnionType') keys.push(c.key);
    });
    const expected = e.context[e.context.length - 1]?.type.name ?? 'a valid value';
    return e.message ?? `${keys.join('.') || '(root)'}: expected ${expected}, got ${JSON.stringify(e.value)}`;
  });
}
