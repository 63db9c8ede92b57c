import * as E from 'fp-ts/lib/Either.js';
import * as t from 'io-ts';
import { ConfigError } from '../config/config-error.ts';
import type { ParamField } from '../../protocol/index.ts';
import type { Strategy } from './strategy.ts';

/** One layer of parameter values and where it came from, for error messages. */
export interface ParamLayer {
  /** The file (or `command line`) the values came from. */
  readonly where: string;
  /** The field path of the object, e.g. `bot.symbols[1].params` or `--set`. */
  readonly path: string;
  readonly values: Readonly<Record<string, unknown>>;
  /** How a key is written in messages (`--set EURUSD.fast` for a qualified override). */
  readonly label?: (key: string) => string;
}


/**
 * The parameters a strategy declares: the props of its config codec (an io-ts `type`,
 * `partial`, `exact` or an intersection of them), else the keys of its default config.
 */
export function declaredParams(strategy: Strategy): Map<string, t.Mixed | null> {
  const out = new Map<string, t.Mixed | null>();
  collectProps(strategy.configCodec as unknown as t.Mixed, out);
  if (out.size === 0 && isRecord(strategy.defaultConfig)) for (const key of Object.keys(strategy.defaultConfig)) out.set(key, null);
  return out;
}

function collectProps(codec: t.Mixed, out: Map<string, t.Mixed | null>): void {
  const c = codec as unknown as { props?: t.Props; types?: t.Mixed[]; type?: t.Mixed; _tag?: string };
  if (c.props) for (const [key, type] of Object.entries(c.props)) out.set(key, type as t.Mixed);
  else if (c._tag === 'IntersectionType' && c.types) for (const member of c.types) collectProps(member, out);
  else if ((c._tag === 'ExactType' || c._tag === 'RefinementType' || c._tag === 'ReadonlyType') && c.type) collectProps(c.type, out);
}

/** The strategy's parameters with their types and defaults, for forms (Run Backtest) and BOT_INITIALIZATION. */
export function paramFields(strategy: Strategy): ParamField[] {
  const defaults = isRecord(strategy.defaultConfig) ? strategy.defaultConfig : {};
  const descriptions: Readonly<Record<string, string | undefined>> = strategy.paramDescriptions ?? {};
  return [...declaredParams(strategy)].map(([name, type]) => {
    const value = defaults[name];
    const typeName = type?.name ?? typeof value;
    const kind = typeof value === 'number' ? 'number' : typeof value === 'boolean' ? 'boolean' : typeof value === 'string' ? 'string' : 'json';
    const description = descriptions[name];
    return { name, type: typeName, kind, default: value, ...(description ? { description } : {}) };
  });
}

/**
 * A strategy's config from its defaults and layers of user values (a bot-wide `params`, a
 * symbol's `params`, `--set` overrides), decoded by the plugin's own codec. A key the plugin
 * does not declare, or a value its codec refuses, is a ConfigError naming the layer's file and
 * the field path: `bot.symbols[1].params.fast: expected positive integer, got "12"`.
 *
 * @example
 * ```ts
 * const config = decodeParams(smaCrossover, [{ where: 'bot.json', path: 'bot.params', values: { fast: 12 } }]);
 * ```
 */
export function decodeParams(strategy: Strategy, layers: readonly ParamLayer[]): unknown {
  const declared = declaredParams(strategy);
  const merged: Record<string, unknown> = isRecord(strategy.defaultConfig) ? { ...strategy.defaultConfig } : {};
  const origin = new Map<string, ParamLayer>();
  for (const layer of layers) {
    for (const [key, value] of Object.entries(layer.values)) {
      if (!declared.has(key)) {
        throw new ConfigError(layer.where, fieldOf(layer, key),
          `strategy "${strategy.id}" has no parameter "${key}"; it has: ${[...declared.keys()].join(', ') || '(none)'}`);
      }
      merged[key] = value;
      origin.set(key, layer);
    }
  }
  const decoded = strategy.configCodec.decode(merged);
  if (E.isRight(decoded)) return decoded.right;
  const first = decoded.left[0];
  const keys = first.context.filter((c, k) => k > 0 && c.key !== '' && !isMemberIndex(first.context, k)).map((c) => c.key);
  const layer = keys.length ? origin.get(keys[0]) : undefined;
  const expected = first.context[first.context.length - 1]?.type.name ?? 'a valid value';
  const problem = first.message ?? `expected ${expected}, got ${JSON.stringify(first.value)}`;
  if (layer) throw new ConfigError(layer.where, [fieldOf(layer, keys[0]), ...keys.slice(1)].join('.'), problem);
  throw new ConfigError(layers.at(-1)?.where ?? `strategy "${strategy.id}"`, keys.join('.'), `default config of "${strategy.id}": ${problem}`);
}

function fieldOf(layer: ParamLayer, key: string): string {
  return layer.label ? layer.label(key) : `${layer.path}.${key}`;
}

/** Keys io-ts adds for the members of an intersection or union are not fields. */
function isMemberIndex(context: t.Context, k: number): boolean {
  const parent = context[k - 1].type as unknown as { _tag?: string };
  return parent._tag === 'IntersectionType' || parent._tag === 'UnionType';
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** A `--set` override: `fast=12` (every symbol whose strategy declares `fast`) or `EURUSD.fast=12`. */
export interface ParamOverride {
  readonly symbol: string | null;
  readonly name: string;
  readonly value: unknown;
  /** As typed, for messages. */
  readonly text: string;
}

/**
 * Parses `--set` values. The value is read as JSON when it parses (`12`, `true`, `[1,2]`,
 * `"x"`), else taken as a string, so the codec decides: `fast=abc` is refused as a string
 * where a number is expected.
 */
export function parseOverrides(items: readonly string[]): ParamOverride[] {
  return items.map((text) => {
    const eq = text.indexOf('=');
    if (eq <= 0) throw new ConfigError('command line', `--set ${text}`, 'expected NAME=VALUE or SYMBOL.NAME=VALUE');
    const key = text.slice(0, eq);
    const raw = text.slice(eq + 1);
    const dot = key.lastIndexOf('.');
    const symbol = dot > 0 ? key.slice(0, dot) : null;
    const name = dot > 0 ? key.slice(dot + 1) : key;
    if (!/^[A-Za-z_$][\w$]*$/.test(name)) throw new ConfigError('command line', `--set ${key}`, `"${name}" is not a parameter name`);
    let value: unknown = raw;
    try {
      value = JSON.parse(raw);
    } catch {
      // Not JSON: the text itself.
    }
    return { symbol, name, value, text };
  });
}
