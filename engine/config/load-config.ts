import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import * as t from 'io-ts';
import * as E from 'fp-ts/lib/Either.js';
import { AppConfigCodec, isSpeed, MAX_SPEED, MIN_SPEED, type AppConfigInput } from './config-codec.ts';
import { ConfigError } from './config-error.ts';
import { firstDuplicateKey } from './json-duplicates.ts';
import { DEFAULT_BOT_CONFIG, DEFAULT_SERVER_SETTINGS, type AppConfig } from './defaults.ts';

/** Command-line flags of `npm start`. The token is deliberately not a flag: argv is world-readable. */
export interface StartFlags {
  host?: string;
  port?: number;
  dataDir?: string;
  speed?: number;
  config?: string;
}

const FLAGS: Record<string, keyof StartFlags> = { '--host': 'host', '--port': 'port', '--data-dir': 'dataDir', '--speed': 'speed', '--config': 'config' };

/** Parses `--name value` and `--name=value`; unknown flags and bad numbers are ConfigErrors. */
export function parseFlags(argv: readonly string[]): StartFlags {
  const flags: StartFlags = {};
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const eq = arg.indexOf('=');
    const name = eq > 0 ? arg.slice(0, eq) : arg;
    const key = FLAGS[name];
    if (!key) throw new ConfigError('command line', name, `unknown flag; known: ${Object.keys(FLAGS).join(', ')}`);
    const value = eq > 0 ? arg.slice(eq + 1) : argv[++i];
    if (value === undefined) throw new ConfigError('command line', name, 'needs a value');
    if (key === 'dataDir' && value.trim() === '') throw new ConfigError('command line', name, 'expected a directory path, got ""');
    if (key === 'port' || key === 'speed') {
      const n = Number(value);
      const ok = key === 'port' ? Number.isInteger(n) && n >= 0 && n <= 65535 : isSpeed(n);
      if (!ok) {
        const expected = key === 'port' ? 'a port 0..65535' : `a positive number of bars per second, ${MIN_SPEED}..${MAX_SPEED} (the replay timer cannot wait longer than 24.8 days a bar)`;
        throw new ConfigError('command line', name, `expected ${expected}, got ${JSON.stringify(value)}`);
      }
      flags[key] = n;
    } else flags[key] = value;
  }
  return flags;
}

function pathOf(context: t.Context): string {
  // Skip the numeric keys io-ts adds for intersection/union members; keep real array indexes,
  // written as `symbols[1]`.
  let path = '';
  context.forEach((entry, i) => {
    if (i === 0 || entry.key === '') return;
    const index = /^\d+$/.test(entry.key);
    if (index && !(context[i - 1].type instanceof t.ArrayType)) return;
    path += index ? `[${entry.key}]` : path ? `.${entry.key}` : entry.key;
  });
  return path;
}

/** The props an object codec declares (through exact, partial, intersection), or null if not an object codec. */
function propsOf(codec: t.Mixed): t.Props | null {
  if (codec instanceof t.ExactType || codec instanceof t.RefinementType || codec instanceof t.ReadonlyType) return propsOf(codec.type);
  if (codec instanceof t.InterfaceType || codec instanceof t.PartialType) return codec.props as t.Props;
  if (codec instanceof t.IntersectionType) {
    const merged: t.Props = {};
    for (const member of codec.types as t.Mixed[]) Object.assign(merged, propsOf(member) ?? {});
    return merged;
  }
  return null;
}

/**
 * A misspelt key would otherwise be silently ignored: refuse it, naming its full path, at any
 * depth the codec describes (objects, arrays of objects, records of objects).
 */
function checkUnknownKeys(codec: t.Mixed, value: unknown, path: string, file: string): void {
  if (typeof value !== 'object' || value === null) return;
  const inner = codec instanceof t.ExactType || codec instanceof t.RefinementType || codec instanceof t.ReadonlyType ? codec.type : codec;
  if (inner instanceof t.ArrayType) {
    if (Array.isArray(value)) value.forEach((item, i) => checkUnknownKeys(inner.type, item, `${path}[${i}]`, file));
    return;
  }
  if (inner instanceof t.DictionaryType) {
    for (const [key, v] of Object.entries(value)) checkUnknownKeys(inner.codomain, v, path ? `${path}.${key}` : key, file);
    return;
  }
  const known = propsOf(inner);
  if (!known || Array.isArray(value)) return;
  for (const [key, v] of Object.entries(value)) {
    const field = path ? `${path}.${key}` : key;
    if (!Object.hasOwn(known, key)) throw new ConfigError(file, field, `unknown setting; known here: ${Object.keys(known).join(', ')}`);
    checkUnknownKeys(known[key], v, field, file);
  }
}

/** Reads and validates a JSON config file. */
export function readConfigFile(path: string): AppConfigInput {
  const file = resolve(path);
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new ConfigError(file, '', `cannot read: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw new ConfigError(file, '', `not valid JSON: ${(err as Error).message}`);
  }
  if (typeof json !== 'object' || json === null || Array.isArray(json)) throw new ConfigError(file, '', 'expected a JSON object');
  const twice = firstDuplicateKey(text);
  if (twice) throw new ConfigError(file, twice.path, `set twice (lines ${twice.firstLine} and ${twice.line}); JSON would keep the last one without a word: keep one`);
  checkUnknownKeys(AppConfigCodec, json, '', file);
  const decoded = AppConfigCodec.decode(json);
  if (E.isLeft(decoded)) {
    const first = decoded.left[0];
    const field = pathOf(first.context);
    const codec = first.context[first.context.length - 1]?.type;
    throw new ConfigError(file, field, `expected ${codec ? expectedOf(codec) : 'a valid value'}, got ${describeValue(first.value)}`);
  }
  checkSymbolNames(decoded.right, file);
  if (decoded.right.server?.dataDir !== undefined && decoded.right.server.dataDir.trim() === '') {
    throw new ConfigError(file, 'server.dataDir', 'expected a directory path, got "" (it would put the journal and recordings in the current directory)');
  }
  return decoded.right;
}

/**
 * Per-symbol settings must name a configured symbol: a spec or spread for a misspelt one
 * (`XAUUSDm` where the bot trades `XAUUSD`) would be ignored, and the symbol run on defaults.
 */
function checkSymbolNames(config: AppConfigInput, file: string): void {
  const bot = config.bot;
  if (!bot) return;
  const configured = (bot.symbols ?? []).map((s) => s.symbol);
  const named: [string, Record<string, unknown> | undefined][] = [['bot.symbolSpecs', bot.symbolSpecs], ['bot.broker.spreadPoints', bot.broker?.spreadPoints]];
  for (const [path, entries] of named) {
    for (const name of Object.keys(entries ?? {})) {
      if (!configured.includes(name)) throw new ConfigError(file, `${path}.${name}`, `no configured symbol is named ${name} (configured: ${configured.join(', ') || 'none'})`);
    }
  }
}

/** What a codec accepts, in words: a record is "an object of NAME: VALUE entries", not io-ts's `{ [K in string]: ... }`. */
function expectedOf(codec: t.Decoder<unknown, unknown>): string {
  const inner = codec instanceof t.ExactType || codec instanceof t.ReadonlyType ? codec.type : codec;
  if (inner instanceof t.DictionaryType) return `an object of per-name entries (such as {"EURUSD": ...}), each value: ${expectedOf(inner.codomain)}`;
  if (inner instanceof t.InterfaceType || inner instanceof t.PartialType || inner instanceof t.IntersectionType) return 'an object of settings';
  return codec.name;
}

/** A value as the file had it: JSON.stringify writes a number past the double range (1e400 parses as Infinity) as null. */
function describeValue(value: unknown): string {
  if (typeof value === 'number' && !Number.isFinite(value)) return `${value > 0 ? 'a number too large' : Number.isNaN(value) ? 'not a number' : 'a number too small'} (JSON reads it as ${value})`;
  return JSON.stringify(value);
}

/**
 * Resolves the app config: defaults, then the config file, then the environment
 * (`TRADELOOM_TOKEN`), then flags. Throws ConfigError on anything invalid.
 */
export function loadConfig(argv: readonly string[], env: NodeJS.ProcessEnv = process.env): AppConfig {
  const flags = parseFlags(argv);
  const file = flags.config ? readConfigFile(flags.config) : {};
  const s = file.server ?? {};
  const d = DEFAULT_SERVER_SETTINGS;
  const where = flags.config ? resolve(flags.config) : 'defaults';
  const bot = { ...DEFAULT_BOT_CONFIG, ...file.bot, ...(flags.speed !== undefined ? { speed: flags.speed } : {}) };
  // Rules across fields, checked on the merged result: a file's min against the default max too.
  if (bot.minTradesPerWeek !== undefined && bot.maxTradesPerWeek !== undefined && bot.minTradesPerWeek > bot.maxTradesPerWeek) {
    const field = file.bot?.minTradesPerWeek !== undefined ? 'bot.minTradesPerWeek' : 'bot.maxTradesPerWeek';
    throw new ConfigError(where, field, `minTradesPerWeek (${bot.minTradesPerWeek}) must not exceed maxTradesPerWeek (${bot.maxTradesPerWeek})`);
  }
  const symbols = (bot.symbols ?? []).map((s) => s.symbol);
  const twice = symbols.find((s, i) => symbols.indexOf(s) !== i);
  if (twice !== undefined) throw new ConfigError(where, 'bot.symbols', `${twice} is listed twice`);
  // A resume sends up to replayBufferBytes to one client at once: a smaller send budget would
  // close a client for its own resume, every time it came back.
  const totalBytes = s.sendQueue?.totalBytes ?? d.sendQueue.totalBytes;
  const replayBytes = s.replayBufferBytes ?? d.replayBufferBytes;
  if (totalBytes <= replayBytes) {
    const field = s.sendQueue?.totalBytes !== undefined ? 'server.sendQueue.totalBytes' : 'server.replayBufferBytes';
    throw new ConfigError(where, field, `sendQueue.totalBytes (${totalBytes}) must be more than replayBufferBytes (${replayBytes}): a client that resumes is sent up to replayBufferBytes at once, and would be closed for it`);
  }
  const token = env.TRADELOOM_TOKEN !== undefined && env.TRADELOOM_TOKEN !== '' ? env.TRADELOOM_TOKEN : (s.token ?? null);
  return {
    source: flags.config ? resolve(flags.config) : null,
    server: {
      host: flags.host ?? s.host ?? d.host,
      port: flags.port ?? s.port ?? d.port,
      dataDir: resolve(flags.dataDir ?? s.dataDir ?? d.dataDir),
      token,
      allowedOrigins: s.allowedOrigins ?? d.allowedOrigins,
      maxPayload: s.maxPayload ?? d.maxPayload,
      heartbeatMs: s.heartbeatMs ?? d.heartbeatMs,
      replayBuffer: s.replayBuffer ?? d.replayBuffer,
      replayBufferBytes: s.replayBufferBytes ?? d.replayBufferBytes,
      rateLimit: { ...d.rateLimit, ...s.rateLimit },
      sendQueue: { ...d.sendQueue, ...s.sendQueue },
      timeouts: { ...d.timeouts, ...s.timeouts },
      maxConnectionsPerAddress: s.maxConnectionsPerAddress ?? d.maxConnectionsPerAddress,
      uiDir: resolve(s.uiDir ?? d.uiDir),
    },
    bot,
  };
}
