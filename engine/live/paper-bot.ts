import { Subject, type Observable } from 'rxjs';
import type { BotStatus, LogEvent } from '../../protocol/index.ts';
import { formatSeconds } from '../../protocol/envelope.ts';
import { isTimeframe, type Timeframe } from '../model/bar.ts';
import { BarWindow } from '../model/bar-window.ts';
import { resolveSymbolSpec, type SymbolSpec } from '../model/symbol-spec.ts';
import { POSITION_TYPE_BUY, POSITION_TYPE_SELL } from '../model/mt5.ts';
import { SimBroker, type SimBrokerConfig } from '../broker/sim-broker.ts';
import type { GovernorConfig } from '../governor/governor-config.ts';
import type { Strategy } from '../strategy/strategy.ts';
import { loadHistory, SHIPPED_HISTORY } from '../data/load-history.ts';
import { runBacktest } from '../backtest/backtest-runner.ts';
import { TradingEngine } from '../runtime/trading-engine.ts';
import type { SymbolActor } from '../actor/symbol-actor.ts';
import { newUuid } from '../util/ids.ts';
import type { BacktestRequest, BotController, CommandOutcome } from './bot-controller.ts';
import type { RestoredState } from './restored-state.ts';
import { ReplayFeed, type FeedSource } from './replay-feed.ts';

export interface PaperSymbolConfig {
  readonly symbol: string;
  readonly timeframe: Timeframe;
  /** Strategy id; default the bot's `strategy`. */
  readonly strategy?: string;
  readonly strategyConfig?: unknown;
}

export interface PaperBotOptions {
  readonly symbols: readonly PaperSymbolConfig[];
  /** Strategies by id (built-ins plus loaded plugins). */
  readonly strategies: ReadonlyMap<string, Strategy>;
  /** Default strategy id. */
  readonly strategy: string;
  /** Market bars replayed per wall-clock second. */
  readonly speed: number;
  readonly balance: number;
  readonly riskPercent: number;
  readonly governor?: Partial<GovernorConfig>;
  readonly broker?: Partial<SimBrokerConfig>;
  readonly symbolSpecs?: Partial<Record<string, Partial<SymbolSpec>>>;
  /** Bars of history shown to the strategies before trading starts. */
  readonly warmupBars?: number;
  /** Where in the history a fresh bot starts (ISO date, UTC); default after the warm-up. */
  readonly startAt?: string;
  readonly restored?: RestoredState | null;
  readonly rlEnabled?: boolean;
  /** Start trading as soon as the bot is created (the default for `npm start`). */
  readonly autoStart?: boolean;
  readonly sessionId?: string;
}

/**
 * The paper-trading bot: the same TradingEngine and symbol actors as backtests, driven by a
 * wall clock and a replay of recorded history as a live feed, with the SimBroker. After a
 * restart it continues from the Journal's state: balance, open positions, the week's trade
 * count and where each feed stood.
 */
export class PaperBot implements BotController {
  readonly sessionId: string;
  readonly events$: Observable<LogEvent>;
  private readonly out = new Subject<LogEvent>();
  private readonly engine: TradingEngine;
  private readonly sim: SimBroker;
  private readonly feed: ReplayFeed;
  private readonly windows = new Map<string, BarWindow>();
  private readonly synthetic = new Map<string, boolean>();
  private running = false;
  private lastError: string | null = null;
  private backtestBusy = false;
  private marketTime = 0;

  constructor(private readonly options: PaperBotOptions) {
    this.sessionId = options.sessionId ?? newUuid();
    this.events$ = this.out.asObservable();
    const specs = options.symbols.map((s) => resolveSymbolSpec(s.symbol, options.symbolSpecs));
    const restored = options.restored ?? null;
    const balance = restored?.balance ?? options.balance;
    this.sim = new SimBroker(specs, { firstTicket: Date.now(), ...options.broker, balance });
    this.engine = new TradingEngine({
      sessionId: this.sessionId, now: () => Date.now(), broker: this.sim, sim: this.sim, balance,
      currency: this.sim.config.currency, riskPercent: options.riskPercent, governor: options.governor,
      emitBars: true, performanceEvery: 'exit', machine: 'actor',
    });
    this.engine.bus$.subscribe((event) => {
      if (event.event_type === 'ERROR') this.lastError = event.data.error;
      this.out.next(event);
    });

    // Real history first: synthetic symbols are generated over the same dates, so the feed
    // replays them side by side.
    const real = options.symbols.map((s) => tryRealHistory(s.symbol, s.timeframe));
    const times = real.filter((h) => h !== null).flatMap((h) => [h!.series.time[0], h!.series.time[h!.series.length - 1]]);
    const range = times.length ? { from: new Date(Math.min(...times)).toISOString().slice(0, 10), to: new Date(Math.max(...times)).toISOString().slice(0, 10) } : {};
    const sources: FeedSource[] = [];
    for (const [k, config] of options.symbols.entries()) {
      const spec = specs[k];
      const strategyId = config.strategy ?? options.strategy;
      const strategy = options.strategies.get(strategyId);
      if (!strategy) throw new Error(`symbol ${config.symbol}: unknown strategy "${strategyId}" (loaded: ${[...options.strategies.keys()].join(', ')})`);
      if (!isTimeframe(config.timeframe)) throw new Error(`symbol ${config.symbol}: unknown timeframe "${config.timeframe}"`);
      const history = real[k] ?? loadHistory({ symbol: config.symbol, timeframe: config.timeframe, ...range });
      this.synthetic.set(spec.name, history.synthetic);
      let actor: SymbolActor | null = null;
      const window = new BarWindow(spec.name, config.timeframe, 4096, 1024, (delta) => actor?.shiftIndexes(delta));
      this.windows.set(spec.name, window);
      actor = this.engine.addSymbol({ spec, series: window.series, strategy, strategyConfig: config.strategyConfig ?? strategy.defaultConfig });
      sources.push({ symbol: spec.name, history: history.series, next: 0 });
    }
    this.feed = new ReplayFeed(sources, (source, i) => this.onBar(source, i), () => this.onExhausted());
    this.positionFeed(restored);
    if (restored) this.restore(restored);
    if (options.autoStart !== false) this.start();
  }

  start(): CommandOutcome {
    if (this.running) return { ok: false, reason: 'the bot is already running' };
    this.running = true;
    for (const actor of this.engine.actors.values()) {
      actor.start();
      const position = this.restoredPositions.get(actor.symbol);
      if (position) actor.adoptPosition(position);
    }
    this.restoredPositions.clear();
    this.emitInitialization();
    this.feed.start(this.options.speed);
    this.emitStatus('bot started');
    return { ok: true, reason: `running ${this.engine.actors.size} symbols at ${this.options.speed} bars/s` };
  }

  stop(): CommandOutcome {
    if (!this.running) return { ok: false, reason: 'the bot is not running' };
    this.feed.stop();
    this.running = false;
    for (const actor of this.engine.actors.values()) actor.halt();
    this.emitStatus('bot stopped by user; open positions are kept');
    return { ok: true, reason: 'stopped; open positions are kept and resume being managed on start' };
  }

  pauseSymbol(symbol: string): CommandOutcome {
    const actor = this.engine.actors.get(symbol);
    if (!actor) return { ok: false, reason: `unknown symbol "${symbol}"; trading ${[...this.engine.actors.keys()].join(', ')}` };
    if (actor.state === 'paused') return { ok: false, reason: `${symbol} is already paused` };
    return actor.pause() ? { ok: true, reason: `${symbol} paused: no new entries; an open position keeps its stops` } : { ok: false, reason: `${symbol} cannot pause while ${actor.state}` };
  }

  resumeSymbol(symbol: string): CommandOutcome {
    const actor = this.engine.actors.get(symbol);
    if (!actor) return { ok: false, reason: `unknown symbol "${symbol}"` };
    return actor.resume() ? { ok: true, reason: `${symbol} resumed` } : { ok: false, reason: `${symbol} is ${actor.state}, not paused or faulted` };
  }

  closePosition(symbol: string): CommandOutcome {
    const actor = this.engine.actors.get(symbol);
    if (!actor) return { ok: false, reason: `unknown symbol "${symbol}"` };
    if (!actor.position) return { ok: false, reason: `${symbol} has no open position` };
    if (!this.running) return { ok: false, reason: 'the bot is stopped: no price to close at; start it first' };
    return actor.requestClose('Closed by user')
      ? { ok: true, reason: `${symbol} position #${actor.position.ticket} closes at the next price` }
      : { ok: false, reason: `${symbol} already has a close pending` };
  }

  runBacktest(request: BacktestRequest): CommandOutcome {
    if (this.backtestBusy) return { ok: false, reason: 'a backtest is already running; wait for its BACKTEST_COMPLETE' };
    if (!isTimeframe(request.timeframe)) return { ok: false, reason: `unknown timeframe "${request.timeframe}"` };
    const strategyId = request.strategy ?? this.options.strategy;
    const strategy = this.options.strategies.get(strategyId);
    if (!strategy) return { ok: false, reason: `unknown strategy "${strategyId}"; loaded: ${[...this.options.strategies.keys()].join(', ')}` };
    let history;
    let spec;
    try {
      spec = resolveSymbolSpec(request.symbol, this.options.symbolSpecs);
      history = loadHistory({ symbol: request.symbol, timeframe: request.timeframe, from: request.from, to: request.to });
    } catch (err) {
      return { ok: false, reason: (err as Error).message };
    }
    if (history.series.length === 0) return { ok: false, reason: `no ${request.symbol} ${request.timeframe} bars in that range` };
    const sessionId = newUuid();
    this.backtestBusy = true;
    // After the reply: the backtest's events then stream to every client.
    setImmediate(() => {
      try {
        runBacktest({
          symbol: request.symbol, series: history.series, spec, strategy, balance: request.balance ?? this.options.balance,
          riskPercent: this.options.riskPercent, governor: this.options.governor, broker: this.options.broker, sessionId,
          labels: { from: request.from, to: request.to }, onEvent: (event) => this.out.next(event),
        });
      } catch (err) {
        this.out.next(this.engine.events.make('ERROR', 'ERROR', { error: `backtest failed: ${(err as Error).message}`, traceback: (err as Error).stack ?? '', source: 'backtest' }));
      } finally {
        this.backtestBusy = false;
      }
    });
    return {
      ok: true,
      reason: `backtest of ${request.symbol} ${request.timeframe} (${history.series.length} bars${history.synthetic ? ', synthetic data' : ''}) started`,
      data: { session_id: sessionId, data_points: history.series.length, synthetic: history.synthetic },
    };
  }

  status(): BotStatus {
    const g = this.engine.governor;
    return {
      running: this.running,
      connected: this.sim.isConnected(),
      error: this.lastError,
      trades_this_week: g.trades,
      last_trade_time: g.lastTradeTime === null ? null : formatSeconds(g.lastTradeTime),
      session_id: this.sessionId,
      broker: this.sim.name,
      mt5_connected: false,
      mode: 'paper',
      balance: round2(this.engine.account.balance),
      equity: round2(this.sim.equity()),
      min_trades: g.min,
      max_trades: g.max,
      symbols: [...this.engine.actors.values()].map((a) => ({
        symbol: a.symbol,
        state: a.state,
        trades_this_week: g.trades,
        timeframe: this.windows.get(a.symbol)!.series.timeframe,
        synthetic: this.synthetic.get(a.symbol) ?? false,
        position: a.position
          ? { direction: a.position.direction, lot_size: a.position.lotSize, entry_price: a.position.entryPrice, stop_loss: a.position.stopLoss, take_profit: a.position.takeProfit }
          : null,
      })),
    };
  }

  /** Market time of the last bar delivered (epoch ms). */
  get currentMarketTime(): number {
    return this.marketTime;
  }

  /** Advances the feed by `steps` market steps at once (tests; no wall-clock wait). */
  advance(steps: number): void {
    for (let k = 0; k < steps && this.feed.step(); k++);
  }

  async shutdown(): Promise<void> {
    this.feed.stop();
    if (this.running) {
      this.running = false;
      for (const actor of this.engine.actors.values()) actor.halt();
      this.emitStatus('shutting down');
    }
    this.out.complete();
  }

  private readonly restoredPositions = new Map<string, Parameters<SymbolActor['adoptPosition']>[0]>();

  private onBar(source: FeedSource, index: number): void {
    const h = source.history;
    const window = this.windows.get(source.symbol)!;
    const i = window.push(h.time[index], h.open[index], h.high[index], h.low[index], h.close[index], h.volume[index]);
    this.marketTime = h.time[index];
    this.engine.processBar(this.engine.actors.get(source.symbol)!, window.series, i);
  }

  private onExhausted(): void {
    this.running = false;
    this.emitStatus('the recorded history is exhausted; restart with a fresh data dir to replay it again');
  }

  /** Warm-up: the bars before the start point go to the strategies without trading. */
  private positionFeed(restored: RestoredState | null): void {
    const warmup = this.options.warmupBars ?? 200;
    const startAt = this.options.startAt ? Date.parse(`${this.options.startAt}T00:00:00Z`) : null;
    this.feed.seek(restored?.feedCursor ?? {}, (s) => {
      if (startAt === null) return Math.min(warmup, s.history.length);
      let i = 0;
      while (i < s.history.length && s.history.time[i] < startAt) i++;
      return i;
    });
    for (const source of this.feed.sources) {
      const window = this.windows.get(source.symbol)!;
      const actor = this.engine.actors.get(source.symbol)!;
      const h = source.history;
      for (let j = Math.max(0, source.next - warmup); j < source.next; j++) {
        actor.primeBar(window.push(h.time[j], h.open[j], h.high[j], h.low[j], h.close[j], h.volume[j]));
      }
    }
  }

  private restore(state: RestoredState): void {
    const now = Math.max(...Object.values(state.feedCursor), state.lastTradeTime ?? 0, 0);
    this.engine.governor.restore({ weekStart: state.weekStart, trades: state.tradesThisWeek, lastTradeTime: state.lastTradeTime }, now);
    this.sim.restore(state.balance, state.positions.map((p) => ({
      ticket: p.positionId, time: p.entryTime, type: p.direction === 'buy' ? POSITION_TYPE_BUY : POSITION_TYPE_SELL, magic: 0,
      identifier: p.positionId, volume: p.lotSize, price_open: p.entryPrice, sl: p.stopLoss, tp: p.takeProfit,
      price_current: p.entryPrice, swap: 0, profit: 0, symbol: p.symbol, comment: 'restored',
    })));
    for (const p of state.positions) {
      this.restoredPositions.set(p.symbol, {
        ticket: p.positionId, direction: p.direction, entryPrice: p.entryPrice, lotSize: p.lotSize,
        stopLoss: p.stopLoss, takeProfit: p.takeProfit, entryTime: p.entryTime, entryIndex: 0,
      });
    }
  }

  private emitInitialization(): void {
    const o = this.options;
    const g = this.engine.governor.config;
    this.out.next(this.engine.events.make('BOT_INITIALIZATION', 'INFO', {
      config: {
        symbols: o.symbols.map((s) => s.symbol),
        risk_parameters: {
          risk_percent: o.riskPercent, starting_balance: o.balance, balance: round2(this.engine.account.balance),
          aggression_step: g.aggressionStep, aggression_cap: g.aggressionCap, account_currency: this.sim.config.currency,
          leverage: this.sim.config.leverage,
        },
        trading_settings: {
          mode: 'paper', speed_bars_per_second: o.speed, strategy: o.strategy,
          timeframes: Object.fromEntries(o.symbols.map((s) => [s.symbol, s.timeframe])),
          min_trades_per_week: g.minTradesPerWeek, max_trades_per_week: g.maxTradesPerWeek,
          trading_week: g.week, spread_points: o.broker?.spreadPoints ?? {}, slippage_points: this.sim.config.slippagePoints,
          commission_per_lot: this.sim.config.commissionPerLot,
          synthetic_symbols: [...this.synthetic.entries()].filter(([, v]) => v).map(([k]) => k),
        },
      },
      rl_enabled: o.rlEnabled ?? false,
      mt5_connected: false,
      broker: this.sim.name,
      mode: 'paper',
      strategies: [...new Set(o.symbols.map((s) => s.strategy ?? o.strategy))],
    }));
  }

  private emitStatus(reason: string): void {
    this.out.next(this.engine.events.make('BOT_STATUS', 'INFO', { running: this.running, connected: true, broker: this.sim.name, reason }));
  }
}

/** The symbol's real history if the project ships one, else null (it will be synthetic). */
function tryRealHistory(symbol: string, timeframe: Timeframe) {
  const history = SHIPPED_HISTORY[symbol] ?? SHIPPED_HISTORY[symbol.replace(/m$/, '')];
  return history ? loadHistory({ symbol, timeframe }) : null;
}

/** Creates and (by default) starts the paper bot. */
export function createPaperBot(options: PaperBotOptions): PaperBot {
  return new PaperBot(options);
}

function round2(x: number): number {
  return Math.round(x * 100) / 100;
}
