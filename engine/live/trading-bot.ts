import { Subject } from 'rxjs/internal/Subject';
import type { Observable } from 'rxjs';
import type { BotStatus, LogEvent } from '../../protocol/index.ts';
import { formatSeconds, formatTimestamp } from '../../protocol/envelope.ts';
import { isTimeframe, sliceSeries, TIMEFRAME_MS, type BarQuoting, type Timeframe } from '../model/bar.ts';
import { BarWindow } from '../model/bar-window.ts';
import { resolveSymbolSpec, type SymbolSpec } from '../model/symbol-spec.ts';
import type { BrokerPort } from '../broker/broker-port.ts';
import type { SimBroker, SimBrokerConfig } from '../broker/sim-broker.ts';
import type { GovernorConfig } from '../governor/governor-config.ts';
import type { GovernorSnapshot } from '../governor/governor.ts';
import type { CloseRequest, RestoredState } from '../model/restored-state.ts';
import type { Strategy } from '../strategy/strategy.ts';
import { backtestSliceLimitMs, DEFAULT_PLUGIN_TIMEOUT_MS, timeLimited } from '../strategy/time-limit.ts';
import { loadHistory } from '../data/load-history.ts';
import { runBacktest, runBacktestYielding } from '../backtest/backtest-runner.ts';
import { checkSeriesAgainstSpec, ticksProblem } from '../backtest/data-check.ts';
import { BacktestFailedError } from '../backtest/run-end.ts';
import { TradingEngine } from '../runtime/trading-engine.ts';
import type { SymbolActor } from '../actor/symbol-actor.ts';
import { newUuid } from '../util/ids.ts';
import { describeThrown } from '../util/thrown.ts';
import { round2 } from '../util/rounding.ts';
import type { BacktestRequest, BotController, CommandOutcome } from './bot-controller.ts';
import type { JournalHealth } from '../journal/journal-health.ts';
import { describeFate, TicketFates, type TicketFate } from './ticket-fates.ts';
import { configuredParams, dryRunRefusal, resolveBacktestParams, strategyOptions } from './backtest-params.ts';

/**
 * The governor's week as the journal left it: the count, the multiplier of the last pace step,
 * and the latest time its clock is known to have run at (the open of the last bar each feed
 * processed, or that pace step), up to which the week's checkpoints were checked.
 */
export function governorSnapshot(state: RestoredState): GovernorSnapshot {
  const a = state.aggression;
  const checkedThrough = Math.max(a?.time ?? Number.NEGATIVE_INFINITY, ...Object.values(state.feedCursor));
  return {
    weekStart: state.weekStart, trades: state.tradesThisWeek, lastTradeTime: state.lastTradeTime,
    ...(a ? { aggression: { weekStart: a.weekStart, multiplier: a.multiplier } } : {}),
    ...(Number.isFinite(checkedThrough) ? { checkedThrough } : {}),
  };
}

export interface BotSymbolConfig {
  readonly symbol: string;
  readonly timeframe: Timeframe;
  /** Strategy id; default the bot's `strategy`. */
  readonly strategy?: string;
  /** The strategy's decoded parameters; default its `defaultConfig`. */
  readonly strategyConfig?: unknown;
  /** The symbol's own data file (paper replay), with the zone its times are written in. */
  readonly file?: string;
  readonly timezone?: string;
}

/** What every bot shares, paper or live. */
export interface TradingBotOptions {
  readonly symbols: readonly BotSymbolConfig[];
  /** Strategies by id (built-ins plus loaded plugins). */
  readonly strategies: ReadonlyMap<string, Strategy>;
  /** Default strategy id. */
  readonly strategy: string;
  readonly balance: number;
  readonly riskPercent: number;
  readonly governor?: Partial<GovernorConfig>;
  /** Simulated costs, for paper trading and for backtests run from the bot. */
  readonly broker?: Partial<SimBrokerConfig>;
  readonly symbolSpecs?: Partial<Record<string, Partial<SymbolSpec>>>;
  readonly rlEnabled?: boolean;
  readonly sessionId?: string;
  /**
   * The journal's health, shared with the server's Broadcaster: while it cannot write, no new
   * position is opened (DECISION `skip_journal_failing`), backtests are refused, the status
   * carries the reason in `error`, and the paper replay waits once the held events fill their budget.
   */
  readonly journalHealth?: JournalHealth;
  /**
   * The MT5 magic number stamped on the bot's orders. Live, it is what makes a position the bot's:
   * a position with another magic (0: opened by hand) is the user's and is never adopted or closed.
   */
  readonly magic?: number;
  /**
   * How long one call of a plugin's hook may run before it is stopped (`TimeLimitError`) and its
   * symbol parked as for a throw; default `DEFAULT_PLUGIN_TIMEOUT_MS`. A backtest the bot runs for
   * a client is stopped when one slice of its bars runs over `backtestSliceLimitMs` of it.
   */
  readonly pluginTimeoutMs?: number;
  /** What the journal knows of a ticket the bot no longer remembers (explains a stale close). */
  readonly ticketHistory?: (ticket: number) => TicketFate | null;
}

/**
 * Where a bot's bars and fills come from: replayed history with the SimBroker (paper), or a
 * real terminal's feed and broker (live). The bot itself does not know which.
 */
export interface BotMarket {
  readonly mode: 'paper' | 'live';
  /**
   * The session clock events are stamped with: `market` (paper: the replayed feed's time, so a
   * 1996 replay logs 1996) or `wall` (live, where the two agree).
   */
  readonly clock: 'market' | 'wall';
  readonly broker: BrokerPort;
  readonly sim: SimBroker | null;
  /** Speed or source details for BOT_INITIALIZATION's trading settings. */
  readonly settings: Readonly<Record<string, unknown>>;
  isSynthetic(symbol: string): boolean;
  /**
   * How the symbol's bars quote (bid bars with a spread per bar: a paper replay of an MT5 bar
   * export); absent or undefined: mid prices (live feeds quote from their own ticks).
   */
  quotingOf?(symbol: string): BarQuoting | undefined;
  /**
   * Set when a position restored from the journal is only known to be open once the broker shows
   * it (live: the terminal's reconciliation after the connection): the journal's pending closes
   * then wait for the market to send them (`TradingBot.sendPendingClose`), not for the start.
   */
  readonly confirmsPositions?: boolean;
  /** Called once the engine and the actors exist. */
  bind(bot: TradingBot): void;
  /** Starts or stops delivering bars. */
  start(): void;
  stop(): void;
  close(): Promise<void> | void;
}

/**
 * A running bot: one TradingEngine (governor, account, one actor per symbol), its manual
 * commands and status, fed by a BotMarket. Backtests requested by clients run on the same
 * engine code beside it and stream their events on the same bus.
 */
export class TradingBot implements BotController {
  readonly sessionId: string;
  readonly events$: Observable<LogEvent>;
  readonly engine: TradingEngine;
  protected readonly out = new Subject<LogEvent>();
  protected running = false;
  private readonly windows = new Map<string, BarWindow>();
  private lastError: string | null = null;
  private backtestBusy = false;
  /** Close time of the last bar seen (delivered or primed): the market clock. */
  private clockTime = 0;
  private readonly fates: TicketFates;

  constructor(protected readonly options: TradingBotOptions, protected readonly market: BotMarket, balance: number) {
    this.sessionId = options.sessionId ?? newUuid();
    this.events$ = this.out.asObservable();
    this.engine = new TradingEngine({
      sessionId: this.sessionId, now: market.clock === 'market' ? () => this.clockTime : () => Date.now(), broker: market.broker, sim: market.sim, balance,
      currency: 'USD', riskPercent: options.riskPercent, governor: options.governor,
      emitBars: true, performanceEvery: 'exit', machine: 'actor',
      entryBlocked: () => options.journalHealth?.describe() ?? null,
      magic: options.magic,
    });
    this.fates = new TicketFates(options.ticketHistory);
    this.engine.bus$.subscribe((event) => {
      if (event.event_type === 'ERROR') this.lastError = event.data.error;
      this.fates.observe(event);
      this.out.next(event);
    });
    // Each symbol runs its plugin under the time limit: a hook stuck in a loop costs its symbol,
    // not the feed, the server and every other symbol (see time-limit.ts).
    const limited = new Map<string, Strategy>();
    const limit = options.pluginTimeoutMs ?? DEFAULT_PLUGIN_TIMEOUT_MS;
    for (const config of options.symbols) {
      const spec = this.specOf(config.symbol);
      const strategyId = config.strategy ?? options.strategy;
      const plugin = options.strategies.get(strategyId);
      const strategy = plugin && (limited.get(strategyId) ?? limited.set(strategyId, timeLimited(plugin, limit)).get(strategyId)!);
      if (!strategy) throw new Error(`symbol ${config.symbol}: unknown strategy "${strategyId}" (loaded: ${[...options.strategies.keys()].join(', ')})`);
      if (!isTimeframe(config.timeframe)) throw new Error(`symbol ${config.symbol}: unknown timeframe "${config.timeframe}"`);
      let actor: SymbolActor | null = null;
      const window = new BarWindow(spec.name, config.timeframe, 4096, 1024, (delta) => actor?.shiftIndexes(delta), market.quotingOf?.(spec.name));
      this.windows.set(spec.name, window);
      actor = this.engine.addSymbol({ spec, series: window.series, strategy, strategyConfig: config.strategyConfig ?? strategy.defaultConfig });
    }
    market.bind(this);
  }

  specOf(symbol: string): SymbolSpec {
    return resolveSymbolSpec(symbol, this.options.symbolSpecs);
  }

  actor(symbol: string): SymbolActor | undefined {
    return this.engine.actors.get(symbol);
  }

  /** One closed bar from the market: into the symbol's window, then through the engine; `spread` in points (bid bars). */
  deliver(symbol: string, time: number, open: number, high: number, low: number, close: number, volume: number, spread = 0): void {
    const actor = this.engine.actors.get(symbol);
    const window = this.windows.get(symbol);
    if (!actor || !window) return;
    const i = window.push(time, open, high, low, close, volume, spread);
    this.clockTime = time + TIMEFRAME_MS[window.series.timeframe];
    this.engine.processBar(actor, window.series, i);
  }

  /**
   * A replayed bar's OPEN step (the paper bot): the governor's clock, swaps and what the last
   * close decided, filled at `open`; the strategy sees the bar only at its close
   * (`deliverClose`). The portfolio backtest's steps at the same market times.
   */
  deliverOpen(symbol: string, time: number, open: number, spread = Number.NaN): void {
    const actor = this.engine.actors.get(symbol);
    if (!actor || !this.windows.has(symbol)) return;
    this.clockTime = time;
    this.engine.openStep(actor, time, open, spread);
  }

  /** A replayed bar's CLOSE step, after its `deliverOpen`: into the symbol's window, then stops, close and strategy. */
  deliverClose(symbol: string, time: number, open: number, high: number, low: number, close: number, volume: number, spread = 0): void {
    const actor = this.engine.actors.get(symbol);
    const window = this.windows.get(symbol);
    if (!actor || !window) return;
    const i = window.push(time, open, high, low, close, volume, spread);
    this.clockTime = time + TIMEFRAME_MS[window.series.timeframe];
    this.engine.closeStep(actor, window.series, i);
  }

  /** A bar of history shown to the strategy before trading (warm-up). */
  prime(symbol: string, time: number, open: number, high: number, low: number, close: number, volume: number, spread = 0): void {
    const window = this.windows.get(symbol);
    if (!window) return;
    this.clockTime = Math.max(this.clockTime, time + TIMEFRAME_MS[window.series.timeframe]);
    this.engine.actors.get(symbol)?.primeBar(window.push(time, open, high, low, close, volume, spread));
  }

  /** Sets the market clock to where a replay starts, after a warm-up whose last bars may close later. */
  startClockAt(time: number): void {
    this.clockTime = time;
  }

  /** Emits an event on the bot's stream (market notices, reconciliation reports). */
  publish(event: LogEvent): void {
    this.out.next(event);
  }

  /** Symbols the user paused (and has not resumed): paused again whenever the bot starts, also after a restart. */
  private readonly userPaused = new Set<string>();

  /** The journal's paused symbols after a restart (`RestoredState.paused`). */
  keepPaused(symbols: readonly string[] | undefined): void {
    for (const symbol of symbols ?? []) if (this.engine.actors.has(symbol)) this.userPaused.add(symbol);
  }

  /**
   * The user's closes accepted before a restart and not executed (`RestoredState.closeRequests`):
   * symbol by ticket, as a symbol may have several (its managed position and kept ones).
   */
  private readonly closeRequests = new Map<number, string>();

  /**
   * Keeps the journal's pending closes: each is sent again when the bot starts with that position
   * open (paper), or once the broker shows it open (live, `BotMarket.confirmsPositions`).
   */
  keepCloseRequests(requests: readonly CloseRequest[] | undefined): void {
    for (const { symbol, ticket } of requests ?? []) if (this.engine.actors.has(symbol)) this.closeRequests.set(ticket, symbol);
  }

  /** The journal's closes not sent yet, oldest first. */
  pendingCloses(): CloseRequest[] {
    return [...this.closeRequests].map(([ticket, symbol]) => ({ symbol, ticket }));
  }

  /**
   * Sends the journal's pending close of `ticket`, once, while the bot runs and its symbol holds
   * that very ticket (managed, or kept beside it): never another position in its place. True if
   * the request is settled (sent, or that position has a close on its way already).
   */
  sendPendingClose(ticket: number): boolean {
    const symbol = this.closeRequests.get(ticket);
    const actor = symbol === undefined ? undefined : this.engine.actors.get(symbol);
    if (!actor || !this.running || !actor.holds(ticket)) return false;
    this.closeRequests.delete(ticket);
    if (actor.position?.ticket === ticket) actor.requestClose('Closed by user');
    else actor.requestCloseKept(ticket, 'Closed by user');
    return true;
  }

  /** Forgets the journal's pending close of `ticket`: its position is gone (the journal forgot it at its TRADE_EXIT). */
  dropPendingClose(ticket: number): void {
    this.closeRequests.delete(ticket);
  }

  start(): CommandOutcome {
    if (this.running) return { ok: false, reason: 'the bot is already running' };
    this.running = true;
    for (const actor of this.engine.actors.values()) {
      actor.start();
      if (this.userPaused.has(actor.symbol)) actor.pause('still paused by the user (resume_symbol to trade it again)');
      if (!this.market.confirmsPositions) {
        for (const r of this.pendingCloses()) if (r.symbol === actor.symbol) this.sendPendingClose(r.ticket);
      }
    }
    this.emitInitialization();
    this.market.start();
    this.emitStatus('bot started');
    return { ok: true, reason: `running ${this.engine.actors.size} symbols (${this.market.mode})` };
  }

  /** Stops the bot: by the user (the `stop_bot` command), or `because` of what the feed says (the paper replay's history ran out). */
  stop(because?: string): CommandOutcome {
    if (!this.running) return { ok: false, reason: 'the bot is not running' };
    this.market.stop();
    this.running = false;
    for (const actor of this.engine.actors.values()) actor.halt(because ? `stopped: ${because}` : 'stopped by user');
    this.emitStatus(`${because ? `bot stopped: ${because}` : 'bot stopped by user'}; open positions are kept`);
    return { ok: true, reason: 'stopped; open positions are kept and resume being managed on start' };
  }

  pauseSymbol(symbol: string): CommandOutcome {
    const actor = this.engine.actors.get(symbol);
    if (!actor) return { ok: false, reason: `unknown symbol "${symbol}"; trading ${[...this.engine.actors.keys()].join(', ')}` };
    if (actor.state === 'paused') return { ok: false, reason: `${symbol} is already paused` };
    if (!actor.pause()) return { ok: false, reason: `${symbol} cannot pause while ${actor.state}` };
    this.userPaused.add(symbol);
    return { ok: true, reason: `${symbol} paused: no new entries; an open position keeps its stops; it stays paused until resumed, also after a restart` };
  }

  resumeSymbol(symbol: string): CommandOutcome {
    const actor = this.engine.actors.get(symbol);
    if (!actor) return { ok: false, reason: `unknown symbol "${symbol}"` };
    if (!actor.resume()) return { ok: false, reason: `${symbol} is ${actor.state}, not paused or faulted` };
    this.userPaused.delete(symbol);
    return { ok: true, reason: `${symbol} resumed` };
  }

  /**
   * Closes `symbol`'s open position at the next price. With `ticket` (what the user saw), only
   * that position: if it is no longer open the command is refused, saying what happened to it.
   */
  closePosition(symbol: string, ticket?: number): CommandOutcome {
    const actor = this.engine.actors.get(symbol);
    if (!actor) return { ok: false, reason: `unknown symbol "${symbol}"` };
    const open = actor.position;
    if (ticket !== undefined && open?.ticket !== ticket && actor.duplicates.has(ticket)) {
      // A kept (not managed) position of the bot's on the symbol: closed by its ticket.
      if (!this.running) return { ok: false, reason: 'the bot is stopped: no price to close at; start it first' };
      return actor.requestCloseKept(ticket, 'Closed by user')
        ? { ok: true, reason: `${symbol} kept position #${ticket} closes at the next price` }
        : { ok: false, reason: `${symbol} kept position #${ticket} already has a close pending` };
    }
    if (ticket !== undefined && open?.ticket !== ticket) return { ok: false, reason: this.staleTicket(symbol, ticket, open?.ticket ?? null) };
    if (!open) return { ok: false, reason: `${symbol} has no open position` };
    if (!this.running) return { ok: false, reason: 'the bot is stopped: no price to close at; start it first' };
    return actor.requestClose('Closed by user')
      ? { ok: true, reason: `${symbol} position #${open.ticket} closes at the next price` }
      : { ok: false, reason: `${symbol} already has a close pending` };
  }

  private staleTicket(symbol: string, ticket: number, openNow: number | null): string {
    const now = openNow === null ? `${symbol} has no open position` : `${symbol}'s open position is now #${openNow}, which was not closed`;
    const elsewhere = [...this.engine.actors.values()].find((a) => a.position?.ticket === ticket);
    if (elsewhere) return `#${ticket} is open on ${elsewhere.symbol}, not ${symbol}; nothing was closed`;
    const fate = this.fates.fate(ticket);
    if (fate === null) return `#${ticket} is not a position of this account; ${now}`;
    return `${describeFate(ticket, fate)}; ${now}`;
  }

  /**
   * What a client's Run Backtest form offers: the bot's symbols (all have history, shipped or
   * synthetic), every timeframe, the loaded strategies with their descriptions, and a default
   * that trades on the shipped data (the first real symbol on H4: the shipped M30 candles of
   * quiet years give some strategies no signal at all).
   */
  backtestOptions(): CommandOutcome {
    const symbols = this.options.symbols.map((s) => ({ symbol: s.symbol, synthetic: this.market.isSynthetic(s.symbol), digits: this.specOf(s.symbol).digits }));
    const strategies = strategyOptions(this.options.strategies);
    const real = symbols.find((s) => !s.synthetic) ?? symbols[0];
    return {
      ok: true,
      reason: `${symbols.length} symbol(s), ${strategies.length} strategies`,
      data: {
        symbols, timeframes: Object.keys(TIMEFRAME_MS), strategies, default: { symbol: real?.symbol, timeframe: 'H4', strategy: this.options.strategy },
        configured: configuredParams(this.options.symbols, this.options.strategy),
      },
    };
  }

  runBacktest(request: BacktestRequest): CommandOutcome {
    if (this.backtestBusy) return { ok: false, reason: 'a backtest is already running; wait for its BACKTEST_COMPLETE' };
    const journal = this.options.journalHealth?.describe() ?? null;
    if (journal !== null) return { ok: false, reason: `${journal}; backtests wait until it can` };
    if (!isTimeframe(request.timeframe)) return { ok: false, reason: `unknown timeframe "${request.timeframe}"` };
    const strategyId = request.strategy ?? this.options.strategy;
    const strategy = this.options.strategies.get(strategyId);
    if (!strategy) return { ok: false, reason: `unknown strategy "${strategyId}"; loaded: ${[...this.options.strategies.keys()].join(', ')}` };
    if (request.balance !== undefined && !(request.balance > 0)) return { ok: false, reason: `balance must be positive, got ${request.balance}` };
    const params = resolveBacktestParams(strategy, request.params, this.options.symbols.find((s) => s.symbol === request.symbol), this.options.strategy);
    if (!params.ok) return { ok: false, reason: params.reason, data: { field: params.field } };
    let history;
    let spec;
    try {
      spec = this.specOf(request.symbol);
      // A symbol the bot trades from its own data file is tested on that file, in its zone.
      const own = this.options.symbols.find((s) => s.symbol === request.symbol);
      history = loadHistory({
        symbol: request.symbol, timeframe: request.timeframe, from: request.from, to: request.to,
        ...(own?.file ? { file: own.file } : {}), ...(own?.file && own.timezone ? { timezone: own.timezone } : {}),
      });
    } catch (err) {
      // The loader names itself for developers ("loadHistory: ..."); the user needs only what was wrong.
      return { ok: false, reason: (err as Error).message.replace(/^loadHistory: /, '') };
    }
    if (history.series.length === 0) return { ok: false, reason: `no ${request.symbol} ${request.timeframe} bars in that range` };
    // The data against the symbol's spec, as `npm run backtest` checks it: refused in the reply,
    // or warned of in BACKTEST_COMPLETE `warnings`.
    const check = checkSeriesAgainstSpec(history.series, spec, history.source, `bot.symbolSpecs.${spec.name} in the bot's config`);
    if (check.errors.length > 0) return { ok: false, reason: `the data does not fit ${spec.name}'s spec: ${check.errors.join('; ')}` };
    const ticks = request.model === 'ticks';
    const noTicks = ticks ? ticksProblem(history.series, `${request.symbol}'s data (${history.source})`) : null;
    if (noTicks) return { ok: false, reason: `model ${noTicks}`, data: { field: 'model' } };
    const run = {
      symbol: request.symbol, spec, strategy, strategyConfig: params.config, balance: request.balance ?? this.options.balance,
      riskPercent: this.options.riskPercent, governor: this.options.governor, broker: ticks ? { ...this.options.broker, model: 'ticks' as const } : this.options.broker,
      warnings: check.warnings,
    };
    // The same run over no bars first: what the plugin refuses when it starts (a value its codec
    // lets through) is refused here, before the reply, not after BACKTEST_START.
    const refused = dryRunRefusal(strategy, request.params, () => runBacktest({ ...run, series: sliceSeries(history.series, 0, 0), report: false }));
    if (refused) return refused;
    const sessionId = newUuid();
    this.backtestBusy = true;
    // After the reply: the backtest's events then stream to every client. The run lets the event
    // loop through every few thousand bars: the bot's own feed, other clients' commands (a
    // second run_backtest is refused as busy) and /healthz are served while it runs.
    setImmediate(async () => {
      try {
        await runBacktestYielding({
          ...run, series: history.series, sessionId, labels: { from: request.from, to: request.to }, onEvent: (event) => this.out.next(event),
          sliceLimitMs: backtestSliceLimitMs(this.options.pluginTimeoutMs ?? DEFAULT_PLUGIN_TIMEOUT_MS),
        });
      } catch (err) {
        // A failure after BACKTEST_START was reported in the backtest's own session (ERROR, then
        // BACKTEST_COMPLETE with `error`); one before it still gets an ERROR of that session.
        if (!(err instanceof BacktestFailedError)) {
          this.out.next({
            timestamp: formatTimestamp(history.series.time[0]), session_id: sessionId, event_type: 'ERROR', level: 'ERROR',
            data: { error: `backtest failed: ${(err as Error).message}`, traceback: (err as Error).stack ?? '', symbol: request.symbol, source: 'backtest' },
          } as LogEvent);
        }
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
    const broker = this.market.broker;
    const connected = broker.isConnected();
    const equity = this.market.sim ? this.market.sim.equity() : this.engine.account.balance;
    return {
      running: this.running,
      connected,
      error: this.options.journalHealth?.describe() ?? this.lastError,
      trades_this_week: g.trades,
      last_trade_time: g.lastTradeTime === null ? null : formatSeconds(g.lastTradeTime),
      session_id: this.sessionId,
      broker: broker.name,
      mt5_connected: this.market.mode === 'live' && connected,
      mode: this.market.mode,
      balance: round2(this.engine.account.balance),
      equity: round2(equity),
      min_trades: g.min,
      max_trades: g.max,
      symbols: [...this.engine.actors.values()].map((a) => ({
        symbol: a.symbol,
        state: a.state,
        trades_this_week: g.trades,
        timeframe: this.windows.get(a.symbol)!.series.timeframe,
        synthetic: this.market.isSynthetic(a.symbol),
        digits: this.specOf(a.symbol).digits,
        position: a.position
          ? {
            direction: a.position.direction, lot_size: a.position.lotSize, entry_price: a.position.entryPrice, stop_loss: a.position.stopLoss, take_profit: a.position.takeProfit,
            ticket: a.position.ticket, time: formatSeconds(a.position.entryTime), ...this.floatingProfit(a.symbol, a.position.ticket),
          }
          : null,
        ...(a.duplicates.size > 0
          ? {
            kept_positions: [...a.duplicates.values()].map((p) => ({
              direction: p.direction, lot_size: p.lotSize, entry_price: p.entryPrice, stop_loss: p.stopLoss, take_profit: p.takeProfit,
              ticket: p.ticket, time: formatSeconds(p.entryTime),
            })),
          }
          : {}),
      })),
    };
  }

  /** The simulator's floating profit of one position (a live broker's comes with its own positions call). */
  private floatingProfit(symbol: string, ticket: number): { profit?: number } {
    // Without a quote yet (just restarted, before the first bar) the profit is unknown, not 0.
    const info = this.market.sim?.symbolInfo(symbol);
    if (!info || !(info.bid > 0)) return {};
    const p = this.market.sim?.positionsGet(symbol).find((x) => x.ticket === ticket);
    return p ? { profit: round2(p.profit) } : {};
  }

  async shutdown(): Promise<void> {
    this.market.stop();
    if (this.running) {
      this.running = false;
      for (const actor of this.engine.actors.values()) actor.halt();
      this.emitStatus('shutting down');
    }
    await this.market.close();
    this.out.complete();
  }

  /**
   * A plugin failed outside its hooks (a timer, callback or promise of its own threw, which
   * Node would end the process for; see `strayPluginError`): every symbol running it is parked
   * as for a throw from `onBar`, with an ERROR each, and the others trade on. With no symbol
   * running it (a plugin of a backtest), one ERROR names it. Returns the symbols parked.
   */
  pluginFailed(strategyId: string, err: unknown, how: string): number {
    let parked = 0;
    let running = 0;
    for (const actor of this.engine.actors.values()) {
      if (actor.strategyId !== strategyId) continue;
      running++;
      if (actor.pluginFailed(err, how)) parked++;
    }
    if (running === 0) {
      const e = describeThrown(err);
      this.publish(this.engine.events.make('ERROR', 'ERROR', { error: `strategy ${strategyId} failed in ${how}: ${e.message}; no symbol of the bot runs it`, traceback: e.stack, source: strategyId }));
    }
    return parked;
  }

  /** Reports a bot-level status change (running, broker connection) as a BOT_STATUS event. */
  emitStatus(reason: string): void {
    this.out.next(this.engine.events.make('BOT_STATUS', 'INFO', {
      running: this.running, connected: this.market.broker.isConnected(), broker: this.market.broker.name, reason,
    }));
  }

  private emitInitialization(): void {
    const o = this.options;
    const g = this.engine.governor.config;
    const sim = this.market.sim;
    this.out.next(this.engine.events.make('BOT_INITIALIZATION', 'INFO', {
      config: {
        symbols: o.symbols.map((s) => s.symbol),
        // Each symbol's strategy and the parameters it runs with (after defaults and overrides).
        symbol_strategies: Object.fromEntries(o.symbols.map((s) => [s.symbol, s.strategy ?? o.strategy])),
        strategy_params: Object.fromEntries(o.symbols.map((s) => [s.symbol, s.strategyConfig ?? o.strategies.get(s.strategy ?? o.strategy)?.defaultConfig ?? null])),
        risk_parameters: {
          risk_percent: o.riskPercent, starting_balance: o.balance, balance: round2(this.engine.account.balance),
          aggression_step: g.aggressionStep, aggression_cap: g.aggressionCap, account_currency: this.engine.account.currency,
          ...(sim ? { leverage: sim.config.leverage } : {}),
        },
        trading_settings: {
          mode: this.market.mode, strategy: o.strategy, ...this.market.settings,
          timeframes: Object.fromEntries(o.symbols.map((s) => [s.symbol, s.timeframe])),
          min_trades_per_week: g.minTradesPerWeek, max_trades_per_week: g.maxTradesPerWeek, trading_week: g.week,
          ...(sim ? { spread_points: o.broker?.spreadPoints ?? {}, slippage_points: sim.config.slippagePoints, commission_per_lot: sim.config.commissionPerLot } : {}),
          synthetic_symbols: o.symbols.map((s) => s.symbol).filter((s) => this.market.isSynthetic(s)),
          data_files: Object.fromEntries(o.symbols.filter((s) => s.file).map((s) => [s.symbol, s.file])),
        },
      },
      rl_enabled: o.rlEnabled ?? false,
      mt5_connected: this.market.mode === 'live' && this.market.broker.isConnected(),
      broker: this.market.broker.name,
      mode: this.market.mode,
      strategies: [...new Set(o.symbols.map((s) => s.strategy ?? o.strategy))],
      digits: Object.fromEntries(o.symbols.map((s) => [s.symbol, this.specOf(s.symbol).digits])),
    }));
  }
}


