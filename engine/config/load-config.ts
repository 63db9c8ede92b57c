import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import * as t from 'io-ts';
import { either as E } from 'fp-ts';
import { AppConfigCodec, BOT_SYMBOL_KEYS, BotConfigCodec, ServerConfigCodec, RateLimitConfigCodec, SendQueueConfigCodec, type AppConfigInput } from './config-codec.ts';
import { ConfigError } from './config-error.ts';
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
    if (key === 'port' || key === 'speed') {
      const n = Number(value);
      const ok = key === 'port' ? Number.isInteger(n) && n >= 0 && n <= 65535 : Number.isFinite(n) && n > 0;
      if (!ok) throw new ConfigError('command line', name, `expected ${key === 'port' ? 'a port 0..65535' : 'a positive number'}, got ${JSON.stringify(value)}`);
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

const KNOWN_KEYS: Record<string, t.Props> = {
  '': { server: ServerConfigCodec, bot: BotConfigCodec },
  server: ServerConfigCodec.props,
  bot: BotConfigCodec.props,
  'server.rateLimit': RateLimitConfigCodec.props,
  'server.sendQueue': SendQueueConfigCodec.props,
  'bot.symbols[]': Object.fromEntries(BOT_SYMBOL_KEYS.map((k) => [k, t.unknown])),
};

/** A misspelt key would otherwise be silently ignored; refuse it, naming it. */
function checkUnknownKeys(value: unknown, path: string, file: string): void {
  if (path === 'bot.symbols' && Array.isArray(value)) {
    value.forEach((entry, i) => checkUnknownKeys(entry, `bot.symbols[${i}]`, file));
    return;
  }
  const known = KNOWN_KEYS[/^bot\.symbols\[\d+\]$/.test(path) ? 'bot.symbols[]' : path];
  if (!known || typeof value !== 'object' || value === null || Array.isArray(value)) return;
  for (const key of Object.keys(value)) {
    const field = path ? `${path}.${key}` : key;
    if (!(key in known)) throw new ConfigError(file, field, `unknown setting; known here: ${Object.keys(known).join(', ')}`);
    checkUnknownKeys((value as Record<string, unknown>)[key], field, file);
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
  checkUnknownKeys(json, '', file);
  const decoded = AppConfigCodec.decode(json);
  if (E.isLeft(decoded)) {
    const first = decoded.left[0];
    const field = pathOf(first.context);
    const expected = first.context[first.context.length - 1]?.type.name ?? 'a valid value';
    throw new ConfigError(file, field, `expected ${expected}, got ${JSON.stringify(first.value)}`);
  }
  return decoded.right;
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
    bot: { ...DEFAULT_BOT_CONFIG, ...file.bot, ...(flags.speed !== undefined ? { speed: flags.speed } : {}) },
  };
}
