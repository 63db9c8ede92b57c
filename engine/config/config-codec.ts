import * as t from 'io-ts';
import { StopModelCodec } from '../../protocol/index.ts';

/**
 * The config file of `npm start` (JSON). Every field is optional: what is missing takes the
 * default in `defaults.ts`. Bot-specific settings live in `bot` and go to the paper bot as is.
 */
const PositiveInt = t.refinement(t.number, (n) => Number.isInteger(n) && n > 0, 'positive integer');
const NonNegativeInt = t.refinement(t.number, (n) => Number.isInteger(n) && n >= 0, 'non-negative integer');
const Port = t.refinement(t.number, (n) => Number.isInteger(n) && n >= 0 && n <= 65535, 'port (0..65535)');
const PositiveNumber = t.refinement(t.number, (n) => Number.isFinite(n) && n > 0, 'positive number');
/** MT5's account leverage 1:N: N a whole number, 1 or more. */
const Leverage = t.refinement(t.number, (n) => Number.isInteger(n) && n >= 1, "whole number, 1 or more (the account's 1:N)");
const NonNegativeNumber = t.refinement(t.number, (n) => Number.isFinite(n) && n >= 0, 'number, 0 or more');
/** The replay timer fires every 1000/speed ms; past 2^31-1 ms Node's timers overflow to 1 ms. */
export const MIN_SPEED = 0.001;
export const MAX_SPEED = 1_000_000;
export const isSpeed = (n: number) => Number.isFinite(n) && n >= MIN_SPEED && n <= MAX_SPEED;
const Speed = t.refinement(t.number, isSpeed, `bars per second (${MIN_SPEED}..${MAX_SPEED})`);
const Percent = t.refinement(t.number, (n) => Number.isFinite(n) && n > 0 && n <= 100, 'percent (0 < x <= 100)');
/** A calendar date `YYYY-MM-DD` (UTC) that exists. */
export const isCalendarDate = (s: string) => {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(s)) return false;
  const time = Date.parse(`${s}T00:00:00Z`);
  return Number.isFinite(time) && new Date(time).toISOString().slice(0, 10) === s;
};
const CalendarDate = t.refinement(t.string, isCalendarDate, 'date YYYY-MM-DD');
/** How long one plugin hook call may run in the bot before it is stopped (ms). */
const PluginTimeout = t.refinement(t.number, (n) => Number.isInteger(n) && n >= 10 && n <= 600_000, 'whole milliseconds (10..600000)');
const NonEmptyString = t.refinement(t.string, (s) => s.trim() !== '', 'non-empty string');

export const RateLimitConfigCodec = t.partial({
  /** Burst size: messages a client may send at once. */
  capacity: PositiveInt,
  /** Sustained messages per second. */
  refillPerSecond: PositiveNumber,
  /** Refused messages within `floodWindowMs` after which the connection is closed (1008). */
  floodRejects: PositiveInt,
  floodWindowMs: PositiveInt,
});

export const SendQueueConfigCodec = t.partial({
  /** Messages queued per client beyond the socket buffer before shedding DEBUG. */
  maxMessages: PositiveInt,
  /** Bytes queued per client beyond the socket buffer before shedding DEBUG / disconnecting. */
  maxBytes: PositiveInt,
  /** Bytes the socket may hold (ws.bufferedAmount) before messages are queued instead. */
  highWaterBytes: PositiveInt,
  /**
   * Bytes all clients together may hold waiting (queues and sockets, a shared message counted
   * once) plus the events held while the journal cannot write; past it the clients holding the
   * most are disconnected as slow consumers (4000).
   */
  totalBytes: PositiveInt,
});

export const TimeoutsConfigCodec = t.partial({
  /** Time for a request's headers to arrive (slowloris). */
  headersMs: PositiveInt,
  /** Time for a whole request to arrive. */
  requestMs: PositiveInt,
  /** An HTTP socket that carries nothing this long is closed. */
  idleMs: PositiveInt,
});

export const ServerConfigCodec = t.partial({
  host: t.string,
  port: Port,
  dataDir: t.string,
  /** Bearer token; prefer the TRADELOOM_TOKEN environment variable over writing it here. */
  token: t.string,
  /** Origins (scheme://host:port) allowed to open the WebSocket besides the server's own. */
  allowedOrigins: t.array(t.string),
  /** Largest inbound WebSocket message in bytes; larger ones close the connection (1009). */
  maxPayload: PositiveInt,
  heartbeatMs: PositiveInt,
  /** Events kept for `resume`. */
  replayBuffer: PositiveInt,
  /** Bytes of events kept for `resume`. */
  replayBufferBytes: PositiveInt,
  rateLimit: RateLimitConfigCodec,
  sendQueue: SendQueueConfigCodec,
  timeouts: TimeoutsConfigCodec,
  /** Open sockets per remote address. */
  maxConnectionsPerAddress: PositiveInt,
  /** Folder of the built UI served at `/`. */
  uiDir: t.string,
});

export const BotSymbolConfigCodec = t.intersection([
  t.type({ symbol: NonEmptyString }),
  /**
   * `timeframe` defaults to the bot's; `strategy` to the bot's strategy id; `params` are that
   * strategy's parameters (checked by its codec; a symbol running the bot's strategy starts
   * from the bot's `params`). `file` is the symbol's own data (an MT5 bar or tick export, or
   * `time,price`, relative to the config file) with the `timezone` its times are written in.
   */
  t.partial({ timeframe: t.string, strategy: t.string, params: t.UnknownRecord, file: t.string, timezone: t.string }),
]);

/** The keys a `bot.symbols[]` entry may have (a misspelt one is refused). */
export const BOT_SYMBOL_KEYS = ['symbol', 'timeframe', 'strategy', 'params', 'file', 'timezone'] as const;

/** The fields of an MT5 symbol spec a config may override (see engine/model/symbol-spec.ts). */
export const SymbolSpecOverrideCodec = t.exact(t.partial({
  name: t.string, description: t.string, baseCurrency: t.string, profitCurrency: t.string,
  digits: t.number, point: t.number, contractSize: t.number, tickSize: t.number, tickValueProfit: t.number,
  volumeMin: t.number, volumeStep: t.number, volumeMax: t.number, stopsLevel: t.number, spreadPoints: t.number,
  fillingMode: t.number, swapMode: t.number, swapLong: t.number, swapShort: t.number, swapRollover3Days: t.number,
}));

export const BotConfigCodec = t.partial({
  /** USDCHF replays the real history; other symbols are synthetic (and labelled so). */
  symbols: t.array(BotSymbolConfigCodec),
  timeframe: t.string,
  /** Default strategy plugin id. */
  strategy: t.string,
  /** Parameters of the default strategy (for every symbol that runs it). */
  params: t.UnknownRecord,
  /** Extra plugin folders or npm packages, relative to the config file. */
  plugins: t.array(t.string),
  /** Bars per second of the replayed feed. */
  speed: Speed,
  balance: PositiveNumber,
  /** Risk per trade, percent of balance. */
  riskPercent: Percent,
  minTradesPerWeek: NonNegativeInt,
  maxTradesPerWeek: PositiveInt,
  /** Bars shown to the strategies before trading starts. */
  warmupBars: NonNegativeInt,
  /** Where a fresh bot starts in the history (ISO date, UTC). */
  startAt: CalendarDate,
  /** Start trading as soon as the server is up. */
  autoStart: t.boolean,
  /**
   * How long one call of a strategy's hook (onBar, onStart, ...) may run in the bot before it is
   * stopped and its symbol parked, as for a throw (default 5000). A backtest the server runs is
   * stopped when one slice of 8,192 bars runs longer than 12 times this (60 s by default).
   */
  pluginTimeoutMs: PluginTimeout,
  /** Which broker trades: the simulator (paper, default) or a real MT5 account. */
  broker: t.exact(t.partial({
    kind: t.keyof({ sim: null, 'mt5-bridge': null, metaapi: null }),
    /** mt5-bridge: where the engine listens for the TradeloomBridge EA (loopback by default). */
    bridgeHost: t.string,
    bridgePort: Port,
    /** mt5-bridge over TLS (required for a non-loopback bridgeHost): PEM certificate and key files. */
    bridgeTlsCert: t.string,
    bridgeTlsKey: t.string,
    /**
     * mt5-bridge and metaapi: the magic number on the bot's orders (default 7100700). Positions with
     * it are the bot's; every other position on the account is the user's, never adopted or closed.
     * Give each bot sharing an account its own.
     */
    magic: PositiveInt,
    /** metaapi: the MetaApi account id (the token comes from TRADELOOM_METAAPI_TOKEN). */
    metaApiAccountId: t.string,
    /** Simulator costs (paper trading and backtests). */
    slippagePoints: NonNegativeNumber,
    commissionPerLot: NonNegativeNumber,
    spreadPoints: t.record(t.string, NonNegativeNumber),
    /** Simulator account (paper trading and backtests): leverage (100), margin call and stop-out levels in % (100, 50; 0: no stop-out). */
    leverage: Leverage,
    marginCallLevel: NonNegativeNumber,
    stopOutLevel: NonNegativeNumber,
    /**
     * Backtests and the optimiser: how stops and targets are tested inside a bar, `bars` (default)
     * or `ticks` (each tick or `time,price` sample, MT5's real ticks). The paper bot refuses `ticks`.
     */
    model: StopModelCodec,
  })),
  /** MT5 symbol spec overrides by symbol (contractSize, digits, point, tickSize, volumeMin, ...). */
  symbolSpecs: t.record(t.string, SymbolSpecOverrideCodec),
});

export const AppConfigCodec = t.exact(t.partial({ server: t.exact(ServerConfigCodec), bot: t.exact(BotConfigCodec) }));
export type AppConfigInput = t.TypeOf<typeof AppConfigCodec>;
export type BotConfig = t.TypeOf<typeof BotConfigCodec>;
export type BotSymbolConfig = t.TypeOf<typeof BotSymbolConfigCodec>;
