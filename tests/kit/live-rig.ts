import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createLiveBot, DEFAULT_LIVE_MAGIC } from '../../engine/live/live-bot.ts';
import type { TradingBot } from '../../engine/live/trading-bot.ts';
import { Journal } from '../../engine/journal/journal.ts';
import type { Strategy } from '../../engine/strategy/strategy.ts';
import type { GovernorConfig } from '../../engine/governor/governor-config.ts';
import { ORDER_TYPE_BUY, ORDER_TYPE_SELL, TRADE_ACTION_DEAL, type Position } from '../../engine/model/mt5.ts';
import type { LogEvent } from '../../protocol/index.ts';
import { firstValueFrom, filter, timeout } from 'rxjs';
import { Mt5BridgeBroker, type Mt5BridgeBrokerOptions } from '../../engine/broker/mt5-bridge/mt5-bridge-broker.ts';
import { SECRET } from '../broker/mt5-bridge/bridge-harness.ts';
import { FakeEa, type FakeEaOptions } from './fake-ea.ts';
import { FakeTerminal } from './fake-terminal.ts';
import { flipFlop, MONDAY, HOUR } from './engine-builders.ts';

/** Waits (bounded) for `ok`; throws naming `what` when it does not come. */
export async function until(what: string, ok: () => boolean, ms = 5_000): Promise<void> {
  const end = Date.now() + ms;
  while (!ok()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

export interface LiveRigOptions {
  readonly ea?: Partial<FakeEaOptions>;
  readonly broker?: Partial<Mt5BridgeBrokerOptions>;
  readonly strategy?: Strategy;
  /** The terminal to keep across a restart (default a new one). */
  readonly terminal?: FakeTerminal;
  /** The journal folder to keep across a restart (default a new temporary one). */
  readonly dir?: string;
  /** The governor's settings (weekly minimum and maximum...). */
  readonly governor?: Partial<GovernorConfig>;
  /**
   * Starts the bot before the EA connects, as `npm start` does (the bot starts once the server
   * listens; the EA connects when it will). Default: the test starts it after the connection.
   */
  readonly startBeforeEa?: boolean;
}

/**
 * The live bot as `npm start` wires it for `mt5-bridge`: the real bridge on an ephemeral loopback
 * port, a fake EA on a fake terminal, and a real SQLite journal that records every event the bot
 * emits and supplies the broker's `knownPositions` and the bot's `restored` state.
 */
export async function liveJournalRig(options: LiveRigOptions = {}) {
  const dir = options.dir ?? mkdtempSync(join(tmpdir(), 'tradeloom-live-'));
  const journal = Journal.open(join(dir, 'journal.sqlite'));
  const terminal = options.terminal ?? new FakeTerminal();
  const restored = journal.restore(10_000);
  // As `npm start` does: the engine listens and the bot exists before the EA connects, so the
  // first connection's reconciliation reaches it.
  const broker = await Mt5BridgeBroker.listen({ secret: SECRET, port: 0, heartbeatMs: 250, requestTimeoutMs: 3_000, reconnectWindowMs: 3_000, knownPositions: () => journal.restore()?.positions ?? [], ...options.broker });
  const problems: string[] = [];
  broker.problems$.subscribe((p) => problems.push(p));
  const ea = new FakeEa({ port: broker.port, secret: SECRET, terminal, ...options.ea });
  const strategy = options.strategy ?? flipFlop;
  const bot: TradingBot = await createLiveBot({
    symbols: [{ symbol: 'EURUSD', timeframe: 'H1' }], strategies: new Map([[strategy.id, strategy]]), strategy: strategy.id,
    balance: 10_000, riskPercent: 1, brokerPort: broker, restored, ...(options.governor ? { governor: options.governor } : {}),
    // As engine/cli/start.ts: a restart continues the journal's last session (a new session would
    // hide a journal that closes positions by session).
    sessionId: restored?.lastSessionId ?? undefined,
  });
  const events: LogEvent[] = [];
  let seq = journal.lastSeq;
  /** Journals an event with the next seq, as the server does (also a COMMAND its message handler audits). */
  const record = (e: LogEvent) => {
    journal.record({ ...e, seq: ++seq });
    events.push(e);
  };
  bot.events$.subscribe(record);
  if (options.startBeforeEa) bot.start();
  await ea.connect();
  await broker.waitConnected(3_000);
  const rig = {
    broker, terminal, ea, problems,
    connection: (up: boolean) => firstValueFrom(broker.connection$.pipe(filter((v) => v === up), timeout(5_000))).then(() => undefined),
  };
  let k = 0;
  /** One closed H1 bar at `price` (a quote at its close first: orders fill at it); returns its open time. */
  const bar = (price: number, sym = 'EURUSD') => {
    const time = MONDAY + 10 * HOUR + k++ * HOUR;
    rig.ea.tick(sym, time + HOUR, price - 0.0001, price + 0.0001);
    rig.terminal.setQuote(sym, time + HOUR, price - 0.0001, price + 0.0001);
    rig.ea.bar(sym, 'H1', { time, open: price, high: price + 0.0005, low: price - 0.0005, close: price, volume: 10 });
    return time;
  };
  const of = <T extends LogEvent['event_type']>(type: T) => events.filter((e): e is Extract<LogEvent, { event_type: T }> => e.event_type === type);
  const decisions = (kind: string) => of('DECISION').filter((e) => e.data.decision === kind);
  /** A market order sent to the terminal by something other than this engine (another EA, or this bot's order executed while the engine was away). */
  const openOnTerminal = (type: 'buy' | 'sell', volume: number, magic: number): Position => {
    const result = terminal.execute({
      action: TRADE_ACTION_DEAL, symbol: 'EURUSD', volume, type: type === 'buy' ? ORDER_TYPE_BUY : ORDER_TYPE_SELL, price: 0, sl: 0, tp: 0,
      deviation: 10, magic, comment: '', type_filling: 0, type_time: 0, position: 0,
    });
    return terminal.positions.get(result.order)!;
  };
  /** Ends the bot and the bridge; the journal folder is kept unless `removeDir`. */
  const done = async (removeDir = options.dir === undefined) => {
    await bot.shutdown();
    ea.disconnect();
    await broker.close();
    journal.close();
    if (removeDir) rmSync(dir, { recursive: true, force: true });
  };
  return { rig, bot, journal, terminal, events, record, restored, bar, of, decisions, openOnTerminal, done, dir, magic: DEFAULT_LIVE_MAGIC, nextTime: () => MONDAY + 10 * HOUR + k * HOUR };
}
