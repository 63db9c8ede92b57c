import { availableParallelism } from 'node:os';
import { mkdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve as resolvePath } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ConfigError, loadConfig, resolveBot, type AppConfig } from '../config/index.ts';
import { loadBotHistoriesWithSpan } from '../backtest/config-backtest.ts';
import { Journal } from '../journal/journal.ts';
import { JournalHealth } from '../journal/journal-health.ts';
import { JournalLock } from '../journal/journal-lock.ts';
import { catchUpRecordings } from '../recorder/recording-catch-up.ts';
import { JournalRefusal, openJournalForStart } from './open-journal.ts';
import { dataDirProblem } from './data-dir-problem.ts';
import { createPaperBot } from '../live/paper-bot.ts';
import { createLiveBot } from '../live/live-bot.ts';
import { Mt5BridgeBroker } from '../broker/mt5-bridge/mt5-bridge-broker.ts';
import { MIN_SECRET_LENGTH, checkBridgeOptions } from '../broker/mt5-bridge/bridge-server.ts';
import { MetaApiBroker } from '../broker/metaapi/metaapi-broker.ts';
import { metaApiSdkOpener } from '../broker/metaapi/metaapi-sdk-session.ts';
import type { BotController } from '../live/bot-controller.ts';
import type { RestoredState } from '../model/restored-state.ts';
import { formatSeconds } from '../../protocol/envelope.ts';
import { isLoopbackHost } from '../util/loopback-host.ts';
import { startMonitorServer, type MonitorServer } from '../server/monitor-server.ts';
import { SessionRecorder } from '../server/session-recorder.ts';
import { loadPlugins, PluginError, type LoadedPlugin } from '../strategy/plugin-loader.ts';
import { catchStrayFailures } from '../strategy/stray-error.ts';
import type { Strategy } from '../strategy/strategy.ts';

// `npm start`: the paper bot behind the monitoring server. stdout carries exactly one line,
// `listening on http://HOST:PORT`, which scripts and the UI's browser tests wait for; every
// other message goes to stderr. Exit codes: 0 after a clean shutdown, 2 for bad config or
// an unsafe bind or a journal that must not be used as it is (corrupt, not writable, behind the
// recordings: the message names the files and the choice), 1 when the port cannot be bound or
// the bot fails to start. `--new-epoch` accepts a missing or rolled-back journal explicitly.

const say = (line: string) => process.stderr.write(`tradeloom: ${line}\n`);

async function createBot(config: AppConfig, restored: RestoredState | null, journal: Journal, journalHealth: JournalHealth, env: NodeJS.ProcessEnv): Promise<{ bot: BotController; plugins: ReadonlyMap<string, LoadedPlugin> }> {
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
    ...(bot.pluginTimeoutMs !== undefined ? { pluginTimeoutMs: bot.pluginTimeoutMs } : {}),
    sessionId: restored?.lastSessionId ?? undefined,
    journalHealth,
    ticketHistory: (ticket: number) => {
      const t = journal.ticket(ticket);
      return t && { symbol: t.symbol, exitReason: t.exitReason, exitPrice: t.exitPrice, exitTime: t.exitTime === null ? null : formatSeconds(t.exitTime), pnl: t.pnl };
    },
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
    return { bot: await createLiveBot({ ...common, brokerPort, restored, ...(b.magic ? { magic: b.magic } : {}) }), plugins };
  }
  if (b.kind === 'metaapi') {
    const token = env.TRADELOOM_METAAPI_TOKEN;
    const accountId = b.metaApiAccountId ?? env.TRADELOOM_METAAPI_ACCOUNT;
    if (!token || !accountId) throw new ConfigError(where, 'bot.broker.kind', 'metaapi needs TRADELOOM_METAAPI_TOKEN and an account id (bot.broker.metaApiAccountId or TRADELOOM_METAAPI_ACCOUNT)');
    const timeframes = new Set(symbols.map((s) => s.timeframe));
    if (timeframes.size > 1) throw new ConfigError(where, 'bot.symbols', 'metaapi streams one candle timeframe: give every symbol the same timeframe');
    const brokerPort = await MetaApiBroker.connect(metaApiSdkOpener({ token, accountId }), { symbols: symbols.map((s) => s.symbol), timeframe: symbols[0].timeframe, knownPositions });
    return { bot: await createLiveBot({ ...common, brokerPort, restored, ...(b.magic ? { magic: b.magic } : {}) }), plugins };
  }
  // Every symbol's data is read (and checked) now, so a bad file is a config error, and with the
  // backtest's period rule: one account trades them together, so data that share no period are
  // refused (exit 2) and partly overlapping data replay only the span they share, said on stderr
  // and in BOT_INITIALIZATION. Bars before that span are kept for the strategies' warm-up. Prices
  // are checked against each symbol's spec as the backtest checks them: a price that is not a
  // positive number is refused (exit 2), prices off the spec's scale are warned of alike.
  // The replay delivers bars one by one, as a live feed would: there are no ticks inside them to walk.
  if (resolved.broker.model === 'ticks') throw new ConfigError(where, 'bot.broker.model', '"ticks" is for backtests and the optimiser; the paper bot replays bars and tests stops over each bar\'s range: remove it or set "bars"');
  const { histories, warnings, span } = loadBotHistoriesWithSpan(resolved, { earlierBars: true, oneSymbol: 'a config naming only that symbol' });
  for (const warning of warnings) say(`warning: ${warning}`);
  const paper = createPaperBot({
    ...common,
    histories,
    replayFrom: span.from,
    dataWarnings: warnings,
    speed: bot.speed ?? 4,
    warmupBars: bot.warmupBars,
    startAt: bot.startAt,
    restored,
    // The server subscribes first, so BOT_INITIALIZATION is journaled and broadcast.
    autoStart: false,
  });
  return { bot: paper, plugins };
}

/**
 * A plugin's own timer, callback or promise that throws (outside the hooks the engine calls and
 * guards) would end the process, Node's default, leaving the bot's positions unmanaged. The
 * plugin is found from the stack (`strayPluginError`), the symbols running it are parked with an
 * ERROR each, and the rest trade on. Anything else is the engine's own failure: it exits 1 as
 * before (the journal is safe as after a kill -9).
 */
function catchStrayPluginErrors(bot: BotController, plugins: ReadonlyMap<string, LoadedPlugin>): void {
  catchStrayFailures(() => plugins, (f, err) => {
    if (f.plugin === null || !bot.pluginFailed) {
      say(`internal error (${f.what}): ${f.stack || f.message}`);
      process.exit(1);
    }
    const how = `code of its own outside its hooks (${f.kind} at ${f.plugin.at})`;
    const parked = f.plugin.strategyIds.reduce((n, id) => n + bot.pluginFailed!(id, err, how), 0);
    say(`${f.what}: ${f.message}; ${parked} symbol(s) parked`);
  });
}

/** Runs the server until SIGINT/SIGTERM; resolves with the process exit code. */
export async function main(argv: readonly string[] = process.argv.slice(2)): Promise<number> {
  // A boolean flag, taken before the config's `--name value` flags are parsed.
  const newEpoch = argv.includes('--new-epoch');
  argv = argv.filter((arg) => arg !== '--new-epoch');
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
    const { code, why } = dataDirProblem(settings.dataDir, err);
    say(`cannot use ${settings.dataDir} as the data folder: ${why} (${code}); choose another with --data-dir DIR or server.dataDir${config.source ? ` in ${config.source}` : ''}`);
    return 2;
  }
  let lock: JournalLock;
  try {
    lock = JournalLock.acquire(join(settings.dataDir, 'journal.lock'));
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'EROFS' || code === 'EACCES' || code === 'EPERM' || code === 'ENOSPC' || code === 'ENOTDIR') {
      say(`the data dir ${settings.dataDir} cannot be written (${(err as Error).message}): make it writable, free space or pass another --data-dir`);
      return 2;
    }
    say((err as Error).message);
    return 1;
  }
  let opened;
  try {
    opened = openJournalForStart(settings.dataDir, { keepEvents: settings.replayBuffer, newEpoch });
  } catch (err) {
    lock.release();
    if (err instanceof JournalRefusal) {
      say(err.message);
      return err.exitCode;
    }
    throw err;
  }
  const { journal, recordingsDir } = opened;
  for (const note of opened.notes) say(note);
  const restored = journal.restore(config.bot.balance);
  if (restored?.lastSessionId) {
    say(`continuing session ${restored.lastSessionId}: balance ${restored.balance}, ${restored.tradesThisWeek} trade(s) this week, ${restored.positions.length} open position(s)`);
  }
  const journalHealth = new JournalHealth();

  let bot: BotController;
  let plugins: ReadonlyMap<string, LoadedPlugin>;
  try {
    ({ bot, plugins } = await createBot(config, restored, journal, journalHealth, process.env));
  } catch (err) {
    journal.close();
    lock.release();
    say(err instanceof ConfigError ? err.message : `cannot start the bot: ${(err as Error).message}`);
    return err instanceof ConfigError ? 2 : 1;
  }

  const liveKind = bot.status().mode ?? 'paper';
  try {
    // A kill between the journal's write and the recorder's leaves events only in the journal.
    const caught = catchUpRecordings(recordingsDir, opened.tails, journal, liveKind);
    if (caught.appended > 0 || caught.tornLinesRemoved > 0) {
      say(`recordings caught up from the journal: ${caught.appended} event(s) appended to ${caught.files.join(', ') || '(none)'}${caught.tornLinesRemoved ? `, ${caught.tornLinesRemoved} torn last line(s) removed` : ''}`);
    }
    if (caught.tornLinesLeft.length) {
      say(`recordings with a torn last line left as they are (not sessions of this server's journal; get_recording lists the line): ${caught.tornLinesLeft.join(', ')}`);
    }
    if (caught.unrecoverable) say(`the recordings miss seq ${caught.unrecoverable[0]}..${caught.unrecoverable[1]}, which the journal no longer keeps either`);
  } catch (err) {
    say(`could not catch the recordings up from the journal: ${(err as Error).message}`);
  }
  const recorder = new SessionRecorder(recordingsDir, liveKind);
  let server: MonitorServer;
  try {
    server = await startMonitorServer({
      settings, bot, journal, journalHealth, sinks: [recorder], startSeq: journal.lastSeq, preload: journal.recentEvents(settings.replayBuffer), recordingsDir, log: say,
      optimiser: {
        bot: config.bot, where: config.source ?? 'defaults', configDir: config.source ? dirname(config.source) : process.cwd(), dir: join(settings.dataDir, 'optimisations'),
        // One core stays with the live bot and the server.
        workers: Math.max(1, availableParallelism() - 1),
      },
    });
  } catch (err) {
    await bot.shutdown();
    recorder.close();
    journal.close();
    lock.release();
    const e = err as NodeJS.ErrnoException;
    say(e.code === 'EADDRINUSE' ? `port ${settings.port} on ${settings.host} is in use; pass --port N (0 picks a free one)` : `cannot listen: ${e.message}`);
    return 1;
  }
  catchStrayPluginErrors(bot, plugins);
  // Signal handlers before the `listening` line: a script may send SIGTERM as soon as it reads it.
  let lockCheck: NodeJS.Timeout | undefined;
  const done = new Promise<number>((resolve) => {
    let stopping = false;
    const shutdown = async (signal: string) => {
      if (stopping) return;
      stopping = true;
      clearInterval(lockCheck);
      say(`${signal}: stopping the bot, flushing the journal and the recording`);
      // Each step runs even if one before it failed (a full disk fails several): a clean exit.
      const step = async (what: string, run: () => unknown) => {
        try {
          await run();
        } catch (err) {
          say(`${what}: ${(err as Error).message}`);
        }
      };
      await step('stopping the bot', () => bot.shutdown());
      await step('writing the held events', () => {
        const left = server.broadcaster.flushHeld();
        if (left > 0) {
          say(`${left} event(s) could not be journaled and were never sent (${journalHealth.problem}); the next start continues from the journal at seq ${server.broadcaster.lastSeq}, so no seq is reused`);
        }
      });
      await step('closing the server', () => server.close());
      await step('closing the recording', () => recorder.close());
      await step('closing the journal', () => journal.close());
      await step('releasing the lock', () => lock.release());
      resolve(0);
    };
    process.once('SIGINT', () => void shutdown('SIGINT'));
    process.once('SIGTERM', () => void shutdown('SIGTERM'));
  });
  process.stdout.write(`listening on ${server.url}\n`);
  if (config.bot.autoStart !== false) {
    const started = bot.start();
    if (!started.ok) say(`bot did not start: ${started.reason}`);
  }
  // Another process taking the data dir's lock must stop this one's writes at once.
  lockCheck = setInterval(() => {
    journal.blockedReason = lock.check();
  }, 1000);
  lockCheck.unref();

  return done;
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
