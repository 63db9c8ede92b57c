import type { BotConfig } from './config-codec.ts';

/** Every server setting resolved: defaults, then the config file, then env and flags. */
export interface ServerSettings {
  readonly host: string;
  readonly port: number;
  readonly dataDir: string;
  /** Never logged, never put in an event or a recording. */
  readonly token: string | null;
  readonly allowedOrigins: readonly string[];
  readonly maxPayload: number;
  readonly heartbeatMs: number;
  readonly replayBuffer: number;
  /** Bytes of serialised events the replay buffer may hold; the oldest go first past it. */
  readonly replayBufferBytes: number;
  readonly rateLimit: { readonly capacity: number; readonly refillPerSecond: number; readonly floodRejects: number; readonly floodWindowMs: number };
  /** Per client (`maxMessages`, `maxBytes`, `highWaterBytes`), and for all clients together (`totalBytes`). */
  readonly sendQueue: { readonly maxMessages: number; readonly maxBytes: number; readonly highWaterBytes: number; readonly totalBytes: number };
  readonly timeouts: { readonly headersMs: number; readonly requestMs: number; readonly idleMs: number };
  /** Open sockets one remote address may hold; past it its oldest idle socket is closed. */
  readonly maxConnectionsPerAddress: number;
  readonly uiDir: string;
}

export interface AppConfig {
  readonly server: ServerSettings;
  readonly bot: BotConfig;
  /** The config file read, if any (for error messages). */
  readonly source: string | null;
}

export const DEFAULT_SERVER_SETTINGS: ServerSettings = {
  host: '127.0.0.1',
  port: 8000,
  dataDir: 'var',
  token: null,
  // The Vite dev server (`npm run dev`) serves the UI from another port of the same machine.
  allowedOrigins: ['http://localhost:5173', 'http://127.0.0.1:5173'],
  // Client messages are small commands; 64 KiB leaves room and stops memory abuse.
  maxPayload: 64 * 1024,
  heartbeatMs: 30_000,
  replayBuffer: 10_000,
  // About 30x what 10,000 ordinary events take (300-500 bytes each).
  replayBufferBytes: 64 * 1024 * 1024,
  // A UI sends a few messages per second at most; a burst of 40 covers a reconnect storm.
  rateLimit: { capacity: 40, refillPerSecond: 20, floodRejects: 200, floodWindowMs: 10_000 },
  // Queued frames are shared Buffers (serialised once), so a long queue costs pointers, not
  // copies; it is sized to ride out a backtest's burst without shedding INFO events.
  // maxBytes caps what one client that stopped reading can make the server hold; totalBytes
  // caps all clients together (and the events held while the journal cannot write): without
  // it, 16 clients that stopped reading after asking for a 15 MB recording three times held
  // 694 MiB, and the number of clients has no cap of its own.
  sendQueue: { maxMessages: 8192, maxBytes: 32 * 1024 * 1024, highWaterBytes: 4 * 1024 * 1024, totalBytes: 256 * 1024 * 1024 },
  // A request's headers must arrive within 10 s (slowloris), the request within 30 s; a socket
  // that carries nothing for 30 s is closed (WebSockets have the heartbeat instead).
  timeouts: { headersMs: 10_000, requestMs: 30_000, idleMs: 30_000 },
  // A browser opens about six; the rest of the file-descriptor budget stays for everyone else.
  maxConnectionsPerAddress: 128,
  uiDir: 'ui/dist',
};

/**
 * Several symbols so that per-symbol actors mean something: USDCHF from the real history, the
 * others from the seeded generator calibrated to it. H4 candles are built from eight real
 * quotes each (M30 bars of a one-price-per-half-hour file would be flat dashes); 4 bars a
 * second replays a trading week in about 8 s, so the first trades come within the first minute.
 * `patterns-sr` is the default strategy.
 */
export const DEFAULT_BOT_CONFIG: BotConfig = {
  symbols: [{ symbol: 'USDCHF' }, { symbol: 'EURUSD' }, { symbol: 'XAUUSD' }],
  timeframe: 'H4',
  strategy: 'patterns-sr',
  plugins: [],
  speed: 4,
  balance: 10_000,
  riskPercent: 1,
  minTradesPerWeek: 3,
  maxTradesPerWeek: 10,
  broker: { kind: 'sim' },
  autoStart: true,
};
