import { POSITION_TYPE_BUY, POSITION_TYPE_SELL } from '../model/mt5.ts';
import { quotingOf, TIMEFRAME_MS, type BarQuoting, type Timeframe } from '../model/bar.ts';
import { SimBroker } from '../broker/sim-broker.ts';
import { resolveSymbolSpec } from '../model/symbol-spec.ts';
import { loadHistory, SHIPPED_HISTORY, type LoadedHistory } from '../data/load-history.ts';
import type { RestoredState } from '../model/restored-state.ts';
import { ReplayFeed, type FeedSource } from './replay-feed.ts';
import { governorSnapshot, TradingBot, type BotMarket, type TradingBotOptions } from './trading-bot.ts';

export interface PaperBotOptions extends TradingBotOptions {
  /** Market bars replayed per wall-clock second. */
  readonly speed: number;
  /** Bars of history shown to the strategies before trading starts. */
  readonly warmupBars?: number;
  /** Where in the history a fresh bot starts (ISO date, UTC); default after the warm-up. */
  readonly startAt?: string;
  readonly restored?: RestoredState | null;
  /** Start trading as soon as the bot is created. */
  readonly autoStart?: boolean;
  /** Histories already loaded (and checked) by symbol, e.g. each symbol's own data file. */
  readonly histories?: ReadonlyMap<string, LoadedHistory>;
  /**
   * The start (ms UTC) of the span the symbols' data share (`loadBotHistoriesWithSpan`): no
   * symbol's replay starts before it; bars before it only warm the strategies up.
   */
  readonly replayFrom?: number;
  /** What the data left out (the shared span's warning), also in BOT_INITIALIZATION `trading_settings.data_warnings`. */
  readonly dataWarnings?: readonly string[];
}

/**
 * Paper trading's market: recorded history replayed as a live feed by a wall-clock timer, and
 * the SimBroker. A symbol's own data file if the config names one, else real history where the
 * project ships it (USDCHF); other symbols get synthetic bars over the same dates, marked
 * synthetic everywhere they appear.
 */
class PaperMarket implements BotMarket {
  readonly mode = 'paper' as const;
  readonly clock = 'market' as const;
  readonly sim: SimBroker;
  readonly broker: SimBroker;
  readonly settings: Readonly<Record<string, unknown>>;
  readonly feed: ReplayFeed;
  private readonly synthetic = new Map<string, boolean>();
  private readonly histories: LoadedHistory[];

  constructor(private readonly options: PaperBotOptions) {
    const restored = options.restored ?? null;
    const specs = options.symbols.map((s) => resolveSymbolSpec(s.symbol, options.symbolSpecs));
    this.sim = new SimBroker(specs, { firstTicket: Date.now(), ...options.broker, balance: restored?.balance ?? options.balance });
    this.broker = this.sim;
    this.settings = {
      speed_bars_per_second: options.speed, feed: 'replayed history',
      ...(options.dataWarnings?.length ? { data_warnings: [...options.dataWarnings] } : {}),
    };
    // Real history first: synthetic symbols are generated over the same dates.
    const real = options.symbols.map((s) => options.histories?.get(s.symbol) ?? (s.file
      ? loadHistory({ symbol: s.symbol, timeframe: s.timeframe, file: s.file, ...(s.timezone ? { timezone: s.timezone } : {}) })
      : realHistory(s.symbol, s.timeframe)));
    const times = real.filter((h) => h !== null).flatMap((h) => [h!.series.time[0], h!.series.time[h!.series.length - 1]]);
    const range = times.length
      ? { from: new Date(Math.min(...times)).toISOString().slice(0, 10), to: new Date(Math.max(...times)).toISOString().slice(0, 10) }
      : {};
    this.histories = options.symbols.map((s, k) => real[k] ?? loadHistory({ symbol: s.symbol, timeframe: s.timeframe, ...range }));
    const sources: FeedSource[] = options.symbols.map((s, k) => {
      this.synthetic.set(s.symbol, this.histories[k].synthetic);
      return { symbol: s.symbol, series: this.histories[k].series, next: 0, opened: false };
    });
    this.feed = new ReplayFeed(sources, (source, i) => this.bot?.deliverOpen(source.symbol, source.series.time[i], source.series.open[i], source.series.spread ? source.series.spread[i] : Number.NaN),
      (source, i) => this.bot?.deliverClose(source.symbol, ...barOf(source, i)), () => this.onExhausted(),
      // The replay is this market's time: it waits rather than drop what the journal cannot take yet.
      () => options.journalHealth?.full === true);
  }

  private bot: PaperBot | null = null;

  isSynthetic(symbol: string): boolean {
    return this.synthetic.get(symbol) ?? false;
  }

  /** The replayed history's quoting: an MT5 bar export replays as bid bars with their spreads. */
  quotingOf(symbol: string): BarQuoting | undefined {
    const k = this.options.symbols.findIndex((s) => s.symbol === symbol);
    return k < 0 ? undefined : quotingOf(this.histories[k].series);
  }

  bind(bot: TradingBot): void {
    this.bot = bot as PaperBot;
    const restored = this.options.restored ?? null;
    this.positionFeed(restored);
    if (restored) this.restore(bot, restored);
    bot.keepPaused(restored?.paused);
    bot.keepCloseRequests(restored?.closeRequests);
  }

  start(): void {
    this.feed.start(this.options.speed);
  }

  stop(): void {
    this.feed.stop();
  }

  close(): void {
    this.feed.stop();
  }

  private onExhausted(): void {
    // Not the user's stop: the status and each symbol's STOP say why.
    this.bot?.stop('the recorded history is exhausted (start with a fresh data dir to replay it again)');
  }

  /**
   * Warm-up: the bars before the start point go to the strategies without trading. Every symbol
   * starts at one market time (one account trades them together): `startAt`, else the first time
   * by which each symbol has had its warm-up bars (counting bars before the shared span), never
   * before the shared span. A bar still open at that time is replayed (as the backtest keeps a
   * bar that overlaps its span), and the market clock starts at the first replayed step.
   */
  private positionFeed(restored: RestoredState | null): void {
    const warmup = this.options.warmupBars ?? 200;
    const at = this.replayStart(warmup);
    this.feed.seek(restored?.feedCursor ?? {}, (s) => {
      let i = 0;
      while (i < s.series.length && s.series.time[i] + TIMEFRAME_MS[s.series.timeframe] <= at) i++;
      return i;
    });
    for (const source of this.feed.sources) {
      for (let j = Math.max(0, source.next - warmup); j < source.next; j++) this.bot!.prime(source.symbol, ...barOf(source, j));
    }
    // A primed H1 bar can close after the H4 bar still open at the start: events carry the replay's time.
    const first = Math.min(...this.feed.sources.filter((s) => s.next < s.series.length).map((s) => s.series.time[s.next]));
    if (Number.isFinite(first)) this.bot!.startClockAt(first);
  }

  /** The market time every symbol's replay starts at, for a fresh bot. */
  private replayStart(warmup: number): number {
    const from = this.options.replayFrom ?? -Infinity;
    if (this.options.startAt) return Math.max(Date.parse(`${this.options.startAt}T00:00:00Z`), from);
    const sources = this.feed.sources.filter((s) => s.series.length > 0);
    const endOf = (s: FeedSource) => s.series.time[s.series.length - 1] + TIMEFRAME_MS[s.series.timeframe];
    let at = from;
    for (const s of sources) at = Math.max(at, warmup < s.series.length ? s.series.time[warmup] : endOf(s));
    // A history too short for every symbol's warm-up: trade from the shared span's start with what warm-up there is.
    return sources.length && at >= Math.min(...sources.map(endOf)) ? from : at;
  }

  private restore(bot: TradingBot, state: RestoredState): void {
    const now = Math.max(...Object.values(state.feedCursor), state.lastTradeTime ?? 0, 0);
    bot.engine.governor.restore(governorSnapshot(state), now);
    this.sim.restore(state.balance, state.positions.map((p) => ({
      ticket: p.positionId, time: p.entryTime, type: p.direction === 'buy' ? POSITION_TYPE_BUY : POSITION_TYPE_SELL, magic: 0,
      identifier: p.positionId, volume: p.lotSize, price_open: p.entryPrice, sl: p.stopLoss, tp: p.takeProfit,
      price_current: p.entryPrice, swap: 0, profit: 0, symbol: p.symbol, comment: 'restored',
    })));
    for (const p of state.positions) {
      bot.actor(p.symbol)?.adoptPosition({
        ticket: p.positionId, direction: p.direction, entryPrice: p.entryPrice, lotSize: p.lotSize,
        stopLoss: p.stopLoss, takeProfit: p.takeProfit, entryTime: p.entryTime, entryIndex: Number.NaN,
      });
    }
  }
}

/**
 * The paper-trading bot: the same TradingEngine and symbol actors as backtests, on a wall clock,
 * fed by replayed history, filled by the SimBroker. After a restart it continues from the
 * Journal's state: balance, open positions, the week's trade count and where each feed stood.
 */
export class PaperBot extends TradingBot {
  constructor(options: PaperBotOptions) {
    const market = new PaperMarket(options);
    super(options, market, options.restored?.balance ?? options.balance);
    if (options.autoStart === true) this.start();
  }

  /** Advances the feed by `steps` market steps at once (tests; no wall-clock wait). */
  advance(steps: number): void {
    const feed = (this.market as PaperMarket).feed;
    for (let k = 0; k < steps && feed.step(); k++);
  }
}

/** Creates the paper bot (started when `autoStart` is true). */
export function createPaperBot(options: PaperBotOptions): PaperBot {
  return new PaperBot(options);
}

/** The symbol's real history if the project ships one, else null (it will be synthetic). */
function realHistory(symbol: string, timeframe: Timeframe): LoadedHistory | null {
  const shipped = SHIPPED_HISTORY[symbol] ?? SHIPPED_HISTORY[symbol.replace(/m$/, '')];
  return shipped ? loadHistory({ symbol, timeframe }) : null;
}

function barOf(source: FeedSource, i: number): [number, number, number, number, number, number, number] {
  const h = source.series;
  return [h.time[i], h.open[i], h.high[i], h.low[i], h.close[i], h.volume[i], h.spread ? h.spread[i] : 0];
}
