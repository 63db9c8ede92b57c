import { mkdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve as resolvePath } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ConfigError, loadConfig, loadSymbolHistory, resolveBot, type AppConfig } from '../config/index.ts';
import { Journal } from '../journal/journal.ts';
import { JournalLock } from '../journal/journal-lock.ts';
import { createPaperBot } from '../live/paper-bot.ts';
import { createLiveBot } from '../live/live-bot.ts';
import { Mt5BridgeBroker } from '../broker/mt5-bridge/mt5-bridge-broker.ts';
import { MIN_SECRET_LENGTH, checkBridgeOptions } from '../broker/mt5-bridge/bridge-server.ts';
import { MetaApiBroker } from '../broker/metaapi/metaapi-broker.ts';
import { metaApiSdkOpener } from '../broker/metaapi/metaapi-sdk-session.ts';
import type { BotController } from '../live/bot-controller.ts';
import type { RestoredState } from '../live/restored-state.ts';
import { isLoopbackHost } from '../server/access-policy.ts';
import { startMonitorServer, type MonitorServer } from '../server/monitor-server.ts';
import { SessionRecorder } from '../server/session-recorder.ts';
import { loadPlugins, PluginError } from '../strategy/plugin-loader.ts';
import type { Strategy } from '../strategy/strategy.ts';

// `npm start`: the paper bot behind the monitoring server. stdout carries exactly one line,
// `listening on http://HOST:PORT`, which scripts and the UI's browser tests wait for; every
// other message goes to stderr. Exit codes: 0 after a clean shutdown, 2 for bad config or
// an unsafe bind, 1 when the port cannot be bound or the bot fails to start.

const say = (line: string) => process.stderr.write(`tradeloom: ${line}\n`);

async function createBot(config: AppConfig, restored: RestoredState | null, journal: Journal, env: NodeJS.ProcessEnv): Promise<BotController> {
  const bot = config.bot;
  const where = config.source ?? 'defaults';
  let plugins: Awaited<ReturnType<typeof loadPlugins>>;
  try {
    plugins = await loadPlugins(bot.plugins ?? [], { baseDir: config.source ? dirname(config.source) : process.cwd() });
  } catch (err) {
    // A plugin named in the config is the config's problem: name the file, exit 2.
    if (err instanceof PluginError) throw new ConfigError(where, 'bot.plugins', err.message);
    throw err;
  }
  const strategies = new Map<string, Strategy>([...plugins].map(([id, p]) => [id, p.strategy]));
  const resolved = resolveBot(bot, { where, baseDir: config.source ? dirname(config.source) : process.cwd(), strategies });
  const symbols = resolved.symbols.map((s) => ({
    symbol: s.symbol, timeframe: s.timeframe, strategy: s.strategy.id, strategyConfig: s.params,
    ...(s.file ? { file: s.file } : {}), ...(s.timezone ? { timezone: s.timezone } : {}),
  }));
  const b = bot.broker ?? {};
  const common = {
    symbols,
    strategies,
    strategy: resolved.strategy,
    balance: resolved.balance,
    riskPercent: resolved.riskPercent,
    governor: resolved.governor,
    broker: resolved.broker,
    symbolSpecs: resolved.symbolSpecs,
    rlEnabled: plugins.get(resolved.strategy)?.rlEnabled ?? false,
    sessionId: restored?.lastSessionId ?? undefined,
  };
  // The journal's open positions, for the live brokers' reconciliation on every (re)connection.
  const knownPositions = () => journal.restore()?.positions ?? [];
  if (b.kind === 'mt5-bridge') {
    const secret = env.TRADELOOM_MT5_SECRET;
    if (!secret) throw new ConfigError(where, 'bot.broker.kind', 'mt5-bridge needs the shared secret in TRADELOOM_MT5_SECRET (the same as the EA\'s InpSecret)');
    if (secret.length < MIN_SECRET_LENGTH) throw new ConfigError(where, 'bot.broker.kind', `TRADELOOM_MT5_SECRET has ${secret.length} characters; mt5-bridge needs at least ${MIN_SECRET_LENGTH} (e.g. openssl rand -hex 24), the same in the EA's InpSecret`);
    if (!b.bridgeTlsCert !== !b.bridgeTlsKey) throw new ConfigError(where, b.bridgeTlsCert ? 'bot.broker.bridgeTlsKey' : 'bot.broker.bridgeTlsCert', 'TLS for the bridge needs both bridgeTlsCert and bridgeTlsKey (PEM files)');
    let tls: { cert: Buffer; key: Buffer } | undefined;
    if (b.bridgeTlsCert && b.bridgeTlsKey) {
      const read = (path: string, field: string) => {
        try { return readFileSync(path); } catch (err) { throw new ConfigError(where, `bot.broker.${field}`, `cannot read ${path}: ${(err as Error).message}`); }
      };
      tls = { cert: read(b.bridgeTlsCert, 'bridgeTlsCert'), key: read(b.bridgeTlsKey, 'bridgeTlsKey') };
    }
    const bridgeOptions = { secret, host: b.bridgeHost ?? '127.0.0.1', port: b.bridgePort ?? 5555, ...(tls ? { tls } : {}), knownPositions };
    try { checkBridgeOptions(bridgeOptions); } catch (err) { throw new ConfigError(where, 'bot.broker.bridgeHost', (err as Error).message); }
    const brokerPort = await Mt5BridgeBroker.listen(bridgeOptions);
    say(`waiting for the TradeloomBridge EA on ${b.bridgeHost ?? '127.0.0.1'}:${brokerPort.port}`);
    return createLiveBot({ ...common, brokerPort, restored });
  }
  if (b.kind === 'metaapi') {
    const token = env.TRADELOOM_METAAPI_TOKEN;
    const accountId = b.metaApiAccountId ?? env.TRADELOOM_METAAPI_ACCOUNT;
    if (!token || !accountId) throw new ConfigError(where, 'bot.broker.kind', 'metaapi needs TRADELOOM_METAAPI_TOKEN and an account id (bot.broker.metaApiAccountId or TRADELOOM_METAAPI_ACCOUNT)');
    const timeframes = new Set(symbols.map((s) => s.timeframe));
    if (timeframes.size > 1) throw new ConfigError(where, 'bot.symbols', 'metaapi streams one candle timeframe: give every symbol the same timeframe');
    const brokerPort = await MetaApiBroker.connect(metaApiSdkOpener({ token, accountId }), { symbols: symbols.map((s) => s.symbol), timeframe: symbols[0].timeframe, knownPositions });
    return createLiveBot({ ...common, brokerPort, restored });
  }
  // Each symbol's own data file is read (and checked) now, so a bad file is a config error.
  const histories = new Map(resolved.symbols.filter((s) => s.file).map((s) => [s.symbol, loadSymbolHistory(resolved, s)]));
  return createPaperBot({
    ...common,
    histories,
    speed: bot.speed ?? 4,
    warmupBars: bot.warmupBars,
    startAt: bot.startAt,
    restored,
    // The server subscribes first, so BOT_INITIALIZATION is journaled and broadcast.
    autoStart: false,
  });
}

/** Runs the server until SIGINT/SIGTERM; resolves with the process exit code. */
export async function main(argv: readonly string[] = process.argv.slice(2)): Promise<number> {
  let config: AppConfig;
  try {
    config = loadConfig(argv);
  } catch (err) {
    if (err instanceof ConfigError) {
      say(err.message);
      return err.exitCode;
    }
    throw err;
  }
  const settings = config.server;
  if (!isLoopbackHost(settings.host) && !settings.token) {
    say(`refusing to listen on ${settings.host}: a non-loopback address needs a bearer token (set TRADELOOM_TOKEN or server.token in the config file)`);
    return 2;
  }
  try {
    mkdirSync(settings.dataDir, { recursive: true });
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? (err as Error).message;
    const why = code === 'ENOTDIR' || code === 'EEXIST' ? 'a part of that path is a regular file, not a folder' : code === 'EACCES' || code === 'EROFS' ? 'no permission to create it there' : code;
    say(`cannot use ${settings.dataDir} as the data folder: ${why} (${code}); choose another with --data-dir DIR or server.dataDir${config.source ? ` in ${config.source}` : ''}`);
    return 2;
  }
  let lock: JournalLock;
  try {
    lock = JournalLock.acquire(join(settings.dataDir, 'journal.lock'));
  } catch (err) {
    say((err as Error).message);
    return 1;
  }
  const journal = Journal.open(join(settings.dataDir, 'journal.sqlite'), { keepEvents: settings.replayBuffer });
  const restored = journal.restore(config.bot.balance);
  if (restored) {
    say(`continuing session ${restored.lastSessionId ?? '(none)'}: balance ${restored.balance}, ${restored.tradesThisWeek} trade(s) this week, ${restored.positions.length} open position(s)`);
  }

  let bot: BotController;
  try {
    bot = await createBot(config, restored, journal, process.env);
  } catch (err) {
    journal.close();
    lock.release();
    say(err instanceof ConfigError ? err.message : `cannot start the bot: ${(err as Error).message}`);
    return err instanceof ConfigError ? 2 : 1;
  }

  const recordingsDir = join(settings.dataDir, 'recordings');
  const recorder = new SessionRecorder(recordingsDir, bot.status().mode ?? 'paper');
  let server: MonitorServer;
  try {
    server = await startMonitorServer({ settings, bot, sinks: [journal, recorder], startSeq: journal.lastSeq, preload: journal.recentEvents(settings.replayBuffer), recordingsDir, log: say });
  } catch (err) {
    await bot.shutdown();
    recorder.close();
    journal.close();
    lock.release();
    const e = err as NodeJS.ErrnoException;
    say(e.code === 'EADDRINUSE' ? `port ${settings.port} on ${settings.host} is in use; pass --port N (0 picks a free one)` : `cannot listen: ${e.message}`);
    return 1;
  }
  process.stdout.write(`listening on ${server.url}\n`);
  if (config.bot.autoStart !== false) {
    const started = bot.start();
    if (!started.ok) say(`bot did not start: ${started.reason}`);
  }

  return new Promise<number>((resolve) => {
    let stopping = false;
    const shutdown = async (signal: string) => {
      if (stopping) return;
      stopping = true;
      say(`${signal}: stopping the bot, flushing the journal and the recording`);
      try {
        await bot.shutdown();
        await server.close();
      } finally {
        recorder.close();
        journal.close();
        lock.release();
      }
      resolve(0);
    };
    process.once('SIGINT', () => void shutdown('SIGINT'));
    process.once('SIGTERM', () => void shutdown('SIGTERM'));
  });
}

if (process.argv[1] && fileURLToPath(import.meta.url) === resolvePath(process.argv[1])) {
  main().then(
    (code) => process.exit(code),
    (err: Error) => {
      say(`internal error: ${err.stack ?? err.message}`);
      process.exit(1);
    },
  );
}
