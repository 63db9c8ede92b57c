import { mkdirSync } from 'node:fs';
import { dirname, join, resolve as resolvePath } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ConfigError, loadConfig, type AppConfig } from '../config/index.ts';
import { Journal } from '../journal/journal.ts';
import { JournalLock } from '../journal/journal-lock.ts';
import { createPaperBot } from '../live/paper-bot.ts';
import type { BotController } from '../live/bot-controller.ts';
import type { RestoredState } from '../live/restored-state.ts';
import { isTimeframe } from '../model/bar.ts';
import { isLoopbackHost } from '../server/access-policy.ts';
import { startMonitorServer, type MonitorServer } from '../server/monitor-server.ts';
import { SessionRecorder } from '../server/session-recorder.ts';
import { loadPlugins } from '../strategy/plugin-loader.ts';
import type { Strategy } from '../strategy/strategy.ts';

// `npm start`: the paper bot behind the monitoring server. stdout carries exactly one line,
// `listening on http://HOST:PORT`, which scripts and the UI's browser tests wait for; every
// other message goes to stderr. Exit codes: 0 after a clean shutdown, 2 for bad config or
// an unsafe bind, 1 when the port cannot be bound or the bot fails to start.

const say = (line: string) => process.stderr.write(`tradeloom: ${line}\n`);

async function createBot(config: AppConfig, restored: RestoredState | null): Promise<BotController> {
  const bot = config.bot;
  const plugins = await loadPlugins(bot.plugins ?? [], { baseDir: config.source ? dirname(config.source) : process.cwd() });
  const strategies = new Map<string, Strategy>([...plugins].map(([id, p]) => [id, p.strategy]));
  const strategy = bot.strategy ?? 'sma-crossover';
  const where = config.source ?? 'defaults';
  if (!strategies.has(strategy)) throw new ConfigError(where, 'bot.strategy', `unknown strategy "${strategy}"; loaded: ${[...strategies.keys()].join(', ')}`);
  const symbols = (bot.symbols ?? []).map((s, i) => {
    const timeframe = s.timeframe ?? bot.timeframe ?? 'M30';
    if (!isTimeframe(timeframe)) throw new ConfigError(where, `bot.symbols.${i}.timeframe`, `"${timeframe}" is not one of M1, M5, M15, M30, H1, H4, D1`);
    return { symbol: s.symbol, timeframe, ...(s.strategy ? { strategy: s.strategy } : {}) };
  });
  if (symbols.length === 0) throw new ConfigError(where, 'bot.symbols', 'at least one symbol is needed');
  return createPaperBot({
    symbols,
    strategies,
    strategy,
    speed: bot.speed ?? 20,
    balance: bot.balance ?? 10_000,
    riskPercent: bot.riskPercent ?? 1,
    governor: {
      ...(bot.minTradesPerWeek !== undefined ? { minTradesPerWeek: bot.minTradesPerWeek } : {}),
      ...(bot.maxTradesPerWeek !== undefined ? { maxTradesPerWeek: bot.maxTradesPerWeek } : {}),
    },
    warmupBars: bot.warmupBars,
    startAt: bot.startAt,
    restored,
    rlEnabled: plugins.get(strategy)?.rlEnabled ?? false,
    // The server subscribes first, so BOT_INITIALIZATION is journaled and broadcast.
    autoStart: false,
    sessionId: restored?.lastSessionId ?? undefined,
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
  mkdirSync(settings.dataDir, { recursive: true });
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
    bot = await createBot(config, restored);
  } catch (err) {
    journal.close();
    lock.release();
    say(err instanceof ConfigError ? err.message : `cannot start the bot: ${(err as Error).message}`);
    return err instanceof ConfigError ? 2 : 1;
  }

  const recordingsDir = join(settings.dataDir, 'recordings');
  const recorder = new SessionRecorder(recordingsDir, 'paper');
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
