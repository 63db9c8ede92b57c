import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import WebSocket from 'ws';
import { DEFAULT_SERVER_SETTINGS, type ServerSettings } from '../../engine/config/defaults.ts';
import type { BotController } from '../../engine/live/bot-controller.ts';
import type { EventSink } from '../../engine/server/broadcaster.ts';
import { startMonitorServer, type MonitorServer } from '../../engine/server/monitor-server.ts';
import { FakeBot } from './fake-bot.ts';

export type Json = Record<string, any>;

export interface TestServer<TBot extends BotController = FakeBot> {
  readonly server: MonitorServer;
  readonly bot: TBot;
  readonly dataDir: string;
  readonly wsUrl: string;
  readonly httpUrl: string;
  close(): Promise<void>;
}

/** A real monitor server on an ephemeral loopback port, over a FakeBot unless one is given. */
export async function startTestServer<TBot extends BotController = FakeBot>(
  overrides: Partial<ServerSettings> = {},
  options: { bot?: TBot; sinks?: EventSink[]; startSeq?: number; log?: (line: string) => void; dataDir?: string } = {},
): Promise<TestServer<TBot>> {
  const dataDir = options.dataDir ?? mkdtempSync(join(tmpdir(), 'tradeloom-server-'));
  const bot = (options.bot ?? new FakeBot()) as TBot;
  const server = await startMonitorServer({
    settings: { ...DEFAULT_SERVER_SETTINGS, port: 0, dataDir, uiDir: join(dataDir, 'no-ui'), ...overrides },
    bot,
    sinks: options.sinks,
    startSeq: options.startSeq,
    recordingsDir: join(dataDir, 'recordings'),
    log: options.log ?? (() => undefined),
  });
  const hostPort = `${server.host}:${server.port}`;
  return {
    server,
    bot,
    dataDir,
    wsUrl: `ws://${hostPort}/ws`,
    httpUrl: `http://${hostPort}`,
    async close() {
      await server.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** A real ws client that queues what it receives so tests can await the next match. */
export class TestClient {
  readonly received: Json[] = [];
  private waiters: { match: (m: Json) => boolean; resolve: (m: Json) => void; reject: (e: Error) => void; from: number }[] = [];
  readonly closed: Promise<{ code: number; reason: string }>;
  readonly opened: Promise<void>;

  constructor(readonly ws: WebSocket) {
    this.closed = new Promise((resolve) => ws.on('close', (code, reason) => {
      resolve({ code, reason: reason.toString() });
      for (const w of this.waiters) w.reject(new Error(`socket closed (${code}) before the expected message`));
      this.waiters = [];
    }));
    this.opened = new Promise((resolve, reject) => {
      ws.once('open', () => resolve());
      ws.once('error', reject);
      ws.once('unexpected-response', (_req, res) => reject(new Error(`upgrade refused: ${res.statusCode}`)));
    });
    ws.on('error', () => undefined);
    ws.on('message', (data) => {
      const message = JSON.parse(data.toString()) as Json;
      this.received.push(message);
      const index = this.received.length - 1;
      this.waiters = this.waiters.filter((w) => {
        if (index >= w.from && w.match(message)) {
          w.resolve(message);
          return false;
        }
        return true;
      });
    });
  }

  static async connect(url: string, options: WebSocket.ClientOptions = {}): Promise<TestClient> {
    const client = new TestClient(new WebSocket(url, options));
    await client.opened;
    return client;
  }

  send(message: unknown): void {
    this.ws.send(typeof message === 'string' ? message : JSON.stringify(message));
  }

  /** The first message (already received or coming) that matches; `after` skips earlier ones. */
  next(match: (m: Json) => boolean, after = 0, timeoutMs = 10_000): Promise<Json> {
    for (let i = after; i < this.received.length; i++) if (match(this.received[i])) return Promise.resolve(this.received[i]);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no matching message within ${timeoutMs} ms; got ${this.received.length} messages`)), timeoutMs);
      this.waiters.push({
        match,
        from: after,
        resolve: (m) => (clearTimeout(timer), resolve(m)),
        reject: (e) => (clearTimeout(timer), reject(e)),
      });
    });
  }

  /** Sends a message and awaits the first reply of `type` after it. */
  async request(message: Json | string, type: string): Promise<Json> {
    const mark = this.received.length;
    this.send(message);
    return this.next((m) => m.type === type, mark);
  }

  close(): Promise<{ code: number; reason: string }> {
    if (this.ws.readyState === WebSocket.OPEN || this.ws.readyState === WebSocket.CONNECTING) this.ws.close();
    return this.closed;
  }
}

/** Resolves with the HTTP status of a refused (or accepted) upgrade. */
export function upgradeStatus(url: string, options: WebSocket.ClientOptions = {}): Promise<number> {
  return new Promise((resolve) => {
    const ws = new WebSocket(url, options);
    ws.on('unexpected-response', (_req, res) => {
      resolve(res.statusCode ?? 0);
      ws.terminate();
    });
    ws.on('open', () => {
      resolve(101);
      ws.close();
    });
    ws.on('error', () => undefined);
  });
}

/** The `data` fields the spec writes out for each of its nine event types. */
export const SPEC_DATA_FIELDS: Record<string, string[]> = {
  BOT_INITIALIZATION: ['config', 'rl_enabled', 'mt5_connected'],
  TRADE_ENTRY: ['symbol', 'direction', 'price', 'lot_size', 'stop_loss', 'take_profit', 'patterns_detected', 'sr_levels', 'aggression_multiplier', 'trades_this_week', 'execution_result'],
  TRADE_EXIT: ['symbol', 'exit_price', 'exit_reason', 'pnl', 'balance_after', 'timestamp'],
  DECISION: ['symbol', 'decision', 'reason', 'trades_this_week', 'max_trades', 'aggression_multiplier'],
  ERROR: ['error', 'traceback'],
  PERFORMANCE: ['total_trades', 'win_rate', 'total_profit', 'max_drawdown', 'weekly_target'],
  BACKTEST_START: ['session_id', 'symbol', 'data_points', 'starting_balance', 'trade_constraints'],
  WEEKLY_SUMMARY: ['week', 'trades', 'target_range', 'balance', 'within_target'],
  BACKTEST_COMPLETE: ['session_id', 'final_balance', 'total_return', 'total_trades', 'max_drawdown', 'weekly_stats'],
};
