import { Subject } from 'rxjs/internal/Subject';
import type { Observable } from 'rxjs';
import type { DataOf, LogEvent } from '../../protocol/index.ts';
import { formatSeconds } from '../../protocol/envelope.ts';
import type { SymbolMachineEventType, SymbolState } from '../../protocol/symbol-machine.ts';
import { TIMEFRAME_MS, type BarSeries } from '../model/bar.ts';
import { normalizePrice, type SymbolSpec } from '../model/symbol-spec.ts';
import { DEAL_ENTRY_IN, DEAL_ENTRY_OUT, DEAL_REASON_EXPERT, DEAL_REASON_SO, ORDER_TYPE_BUY, ORDER_TYPE_SELL, TRADE_RETCODE, marketOrder, retcodeText,
  type Deal, type TradeResult } from '../model/mt5.ts';
import { isPromise, type BrokerPort } from '../broker/broker-port.ts';
import { EXIT_REASON_BY_DEAL_REASON, type SimBroker, type SymbolBook } from '../broker/sim-broker.ts';
import type { Governor } from '../governor/governor.ts';
import { lotSize } from '../governor/position-sizing.ts';
import type { Direction, PositionView, Signal, Strategy, StrategyContext } from '../strategy/strategy.ts';
import { readSignal, SignalError, syncResult } from '../strategy/signal-check.ts';
import { TimeLimitError } from '../strategy/time-limit.ts';
import { describeThrown } from '../util/thrown.ts';
import { createMachineHost, type MachineHost, type MachineHostKind } from './machine-host.ts';
import type { EventFactory } from './event-factory.ts';
import type { Account } from './account.ts';
import { WeekView } from './week-view.ts';
import type { HeldRange } from '../report/trade-ledger.ts';
import { jsonText, round2, round4, roundMoney, shortText } from '../util/rounding.ts';
import { ExitTally, VOLUME_EPSILON, lotsLeft } from './exit-tally.ts';

export interface SymbolActorOptions {
  readonly spec: SymbolSpec;
  /** The bars this actor reads; the feed appends to it and calls `processBar(i)`. */
  readonly series: BarSeries;
  readonly strategy: Strategy;
  readonly strategyConfig: unknown;
  readonly governor: Governor;
  readonly broker: BrokerPort;
  /** Set when the broker is the simulator (this same object): the actor then drives its quotes and stop checks and sends it orders directly. */
  readonly sim: SimBroker | null;
  readonly account: Account;
  readonly events: EventFactory;
  readonly riskPercent: number;
  /** Emit a DEBUG `BAR` event per closed bar (live views); off in backtests. */
  readonly emitBars?: boolean;
  /** Magic number stamped on orders (MT5 uses it to tell the bot's positions from manual ones). */
  readonly magic?: number;
  /** `actor` (a live XState actor) for paper and live; `compiled` for backtests. */
  readonly machine?: MachineHostKind;
  /** Called with every event before `events$` emits it: the engine's direct path to its bus. */
  readonly sink?: (event: LogEvent) => void;
  /** Why new entries are refused right now (the journal cannot write), or null. */
  readonly entryBlocked?: () => string | null;
  /**
   * Leave out the events that only narrate (STATE_TRANSITION, the governor's pace DECISIONs):
   * an optimiser's trial reads trades, refusals and the weekly figures, and the trading is the
   * same either way.
   */
  readonly quiet?: boolean;
  /** Told of each trade this actor closes, with the round trip's net pnl (a backtest's trade ledger). */
  readonly onTradeClosed?: (position: PositionView, deal: Deal, pnl: number, held: HeldRange) => void;
}

interface OpenPosition extends PositionView {
  readonly ticket: number;
}

/**
 * An accepted signal waiting for its execution. Nothing about the order's size or the weekly
 * count is decided yet: the governor and the sizing judge it when it executes (see `executeEntry`).
 */
interface PendingEntry {
  readonly direction: Direction;
  /** Normalised to the symbol's digits (MT5 refuses unnormalised prices). */
  readonly stopLoss: number;
  readonly takeProfit: number;
  readonly signal: Signal;
}

/** What an entry was sized with, kept for the execution's TRADE_ENTRY and the exit's realised risk. */
class Sizing {
  lots = 0;
  aggression = 1;
  balance = 0.5;
}

/**
 * One symbol's actor. Its XState machine is the authority on the symbol's state; bars take a
 * fast path (no `actor.send` per bar): only trades, limits, pauses and faults are sent to the
 * machine. Order of work on each bar, with no look-ahead:
 *   1. at the bar's open, execute what the previous close decided (close, then entry);
 *   2. let the simulated broker check stop-loss and take-profit inside the bar;
 *   3. at the bar's close, ask the strategy (only while scanning or in a trade).
 */
export class SymbolActor {
  readonly symbol: string;
  readonly events$: Observable<LogEvent>;
  state: SymbolState = 'idle';
  position: OpenPosition | null = null;
  private readonly out = new Subject<LogEvent>();
  private readonly machine: MachineHost;
  private readonly ctx: StrategyContext<unknown, Record<string, unknown>>;
  private readonly week: WeekView;
  readonly barMs: number;
  /** This symbol's book in the simulator (null with a real broker). */
  readonly book: SymbolBook | null;
  private pendingEntry: PendingEntry | null = null;
  private pendingClose: string | null = null;
  /** Why the bot's last close order was sent ('Closed by strategy', ...): the exit's reason when its deal comes back. */
  private closeReason: string | null = null;
  /** Closes sent again for the rest of a partly closed position (retcode 10010), at most `MAX_CLOSE_REMAINDERS`. */
  private closeRemainders = 0;
  /**
   * Other positions of this bot open on this symbol besides `position` (found on a restart or a
   * reconnection, by the journal or the bot's magic number), by ticket. Never dropped, never put in
   * place of the managed one: while any is open no new entry is sent on this symbol.
   */
  readonly duplicates = new Map<number, OpenPosition>();
  /** Closes sent for kept positions (`requestCloseKept`), with their reason, by ticket. */
  private readonly keptCloses = new Map<number, string>();
  /** Kept positions' closes asked for while the simulator had no price for this symbol (a paper restart, before its first bar): sent at its next open. */
  private keptClosesWaiting: number[] | null = null;
  /** Exit deals of positions closed in part so far, by ticket (see `ExitTally`). */
  private readonly tallies = new Map<number, ExitTally>();
  private inFlight = false;
  private dealSubscription: (() => void) | null = null;
  /** The strategy and the BAR switch, read once here rather than through options per bar. */
  private readonly strategy: Strategy;
  private readonly emitBars: boolean;
  private readonly quiet: boolean;
  /** The comment stamped on entry orders (one string, not one per order). */
  private readonly orderComment: string;
  private lastTime = 0;
  /** The first time this symbol's strategy threw (the actor is `faulted` since): a backtest's BACKTEST_COMPLETE lists it. */
  faultNote: { readonly symbol: string; readonly time: string; readonly error: string } | null = null;
  /**
   * The last time written out for this actor's events and its text: a bar's events share one
   * time, and reading the text here (a field compare in the hot paths) keeps those paths from
   * calling `formatSeconds`, which V8 does not inline there once its own optimised code has
   * grown (it inlines the calendar), so every call boxed its time.
   */
  private stampAt = Number.NaN;
  private stamp = '';
  /** The latest quote a live feed gave (`quote`); 0 until one arrives. */
  private liveBid = 0;
  private liveAsk = 0;
  private liveQuoteTime = Number.NEGATIVE_INFINITY;
  /** Whether the quote held came from a tick stamped ahead of this machine's clock (see `quote`). */
  private liveQuoteAhead = false;
  private readonly sizing = new Sizing();
  /** The simulator's result of this actor's last order, written in place (read at once, never kept). */
  private readonly simResult: TradeResult = { retcode: 0, deal: 0, order: 0, volume: 0, price: 0.5, bid: 0.5, ask: 0.5, comment: '', request_id: 0, retcode_external: 0 };
  /** The balance the open position was sized from (NaN for an adopted position). */
  private entryBalance = Number.NaN;
  /**
   * Realised risk of the trade that just closed: its loss as a fraction of the balance it was
   * sized from (0 for a win, NaN when unknown). Read by the engine when TRADE_EXIT goes out.
   */
  lastExitRisk = Number.NaN;
  /**
   * The open position's held range (`HeldRange`): the highest high and lowest low of the bars it
   * was open at the close of, its fill bar included, the bar it closes in not. The engine folds
   * each bar in as it closes it (`TradingEngine.processBar`; its bar loop keeps the range in
   * locals while bars run inline and stores it here before any bar that can fill or close) while
   * a trade recorder reads it (`holdsRange`); a fill starts it empty. The trade ledger's MFE and MAE.
   */
  heldHigh = Number.NEGATIVE_INFINITY;
  heldLow = Number.POSITIVE_INFINITY;
  /** Whether anyone reads the held range (a trade recorder): without one the engine does not fold bars in. */
  readonly holdsRange: boolean;

  constructor(private readonly o: SymbolActorOptions) {
    this.symbol = o.spec.name;
    this.holdsRange = o.onTradeClosed !== undefined;
    this.events$ = this.out.asObservable();
    this.barMs = TIMEFRAME_MS[o.series.timeframe];
    this.book = o.sim ? o.sim.bookOf(this.symbol) : null;
    this.machine = createMachineHost(o.machine ?? 'actor', this.symbol);
    this.week = new WeekView(o.governor);
    this.orderComment = `tradeloom ${o.strategy.id}`;
    this.strategy = o.strategy;
    this.emitBars = o.emitBars ?? false;
    this.quiet = o.quiet ?? false;
    this.ctx = new ActorContext(this.symbol, o.spec, o.strategyConfig, o.series, this.week, o.account);
  }

  start(): void {
    if (this.state !== 'idle') return;
    if (!this.dealSubscription) {
      // First start: the machine and the deal feed are set up once.
      this.machine.start();
      // The simulator hands deals over directly; a real broker's arrive on its Observable.
      const onDeal = (deal: Deal) => this.onDeal(deal);
      if (this.o.sim) {
        this.dealSubscription = this.o.sim.onDeal(onDeal);
      } else {
        const subscription = this.o.broker.deals$.subscribe(onDeal);
        this.dealSubscription = () => subscription.unsubscribe();
      }
    }
    this.initStrategyState();
    this.guard(() => this.strategy.onStart?.(this.ctx), 'onStart');
    this.lastTime = this.o.events.now();
    this.send('START', `strategy ${this.strategy.id} started`);
    if (this.position) this.send('FILLED', `restarted with open position #${this.position.ticket}`);
    // A plugin that failed before the symbol ran (in onStart or warm-up) parks it
    // now: the FAULT it raised then found the symbol idle, where it changes nothing.
    // Its ERROR too, if nobody listened yet when it failed (the paper bot's warm-up runs before
    // the server subscribes): the traceback was lost, and only the FAULT's cause said why.
    this.startedOnce = true;
    const unheard = this.unheardErrors;
    this.unheardErrors = [];
    for (const e of unheard) this.error(e.message, e.traceback);
    const early = this.faultBeforeStart;
    this.faultBeforeStart = null;
    if (early !== null) this.send('FAULT', `plugin ${this.strategy.id} failed before it started: ${early}`);
  }

  private strategyReady = false;
  /** A plugin failure while the symbol was idle (onStart, warm-up): applied by `start`. */
  private faultBeforeStart: string | null = null;
  /** ERRORs of such failures before the first `start` (nothing listens yet): sent by it, stamped then. */
  private unheardErrors: { message: string; traceback: string }[] = [];
  private startedOnce = false;

  private initStrategyState(): void {
    if (this.strategyReady) return;
    this.strategyReady = true;
    this.ctx.state = syncResult(this.strategy.initialState?.(this.ctx), 'initialState') ?? {};
  }

  /** Stops trading (back to idle) but keeps the actor, its deal feed and strategy state. */
  halt(cause = 'stopped by user'): void {
    this.pendingEntry = null;
    this.send('STOP', cause);
  }

  stop(): void {
    this.guard(() => this.strategy.onStop?.(this.ctx), 'onStop');
    this.send('STOP', 'stopped');
    this.dealSubscription?.();
    this.machine.stop();
    this.out.complete();
  }

  pause(cause = 'paused by user'): boolean {
    return this.send('PAUSE', cause);
  }

  resume(): boolean {
    if (!this.send('RESUME', 'resumed by user')) return false;
    if (this.position) this.send('FILLED', 'resumed with an open position');
    return true;
  }

  /** Asks to close the open position at the next price. */
  requestClose(reason: string): boolean {
    if (!this.position || this.pendingClose) return false;
    this.pendingClose = reason;
    if (!this.o.sim) this.executeClose();
    return true;
  }

  /**
   * Adopts a position of this bot that the broker holds (restart, reconciliation). The actor
   * manages one position per symbol: the first one it holds. A second position of the bot's own
   * on the same symbol never replaces it and is never dropped: it is kept in `duplicates`,
   * reported once as an ERROR naming both tickets, and no new entry goes out on this symbol
   * until only one is left. Returns which of the two the position became.
   */
  adoptPosition(position: OpenPosition): 'managed' | 'duplicate' {
    const managed = this.position;
    if (managed !== null && managed.ticket !== position.ticket) {
      const reported = this.duplicates.has(position.ticket);
      this.duplicates.set(position.ticket, position);
      if (!reported) this.reportDuplicates();
      return 'duplicate';
    }
    this.position = position;
    this.ctx.position = position;
    if (Number.isNaN(position.entryIndex)) this.placeEntryBar();
    this.heldHigh = Number.NEGATIVE_INFINITY;
    this.heldLow = Number.POSITIVE_INFINITY;
    if (this.state === 'scanning') this.send('FILLED', `adopted open position #${position.ticket}`);
    return 'managed';
  }

  /**
   * A position adopted without a bar index (restored from the journal or found on the terminal
   * after a restart: `entryIndex` NaN) gets the index of the bar its entry time falls in, once the
   * series holds that bar: a strategy counting bars in trade (`patterns-sr`'s `maxBarsInTrade`, the
   * RL policy's observation) counts from the real entry, not from bar 0 of the new window (which
   * read as thousands of bars and closed the position at the first bar after every restart). An
   * entry before the window's first bar gets a negative index, a whole bar per `barMs` before it.
   */
  private placeEntryBar(): void {
    const p = this.position;
    const s = this.o.series;
    const n = s.length;
    if (p === null || n === 0 || s.time[n - 1] + this.barMs <= p.entryTime) return;
    let index: number;
    if (p.entryTime < s.time[0]) index = -Math.ceil((s.time[0] - p.entryTime) / this.barMs);
    else {
      let lo = 0;
      let hi = n - 1;
      while (lo < hi) {
        const mid = (lo + hi + 1) >> 1;
        if (s.time[mid] <= p.entryTime) lo = mid;
        else hi = mid - 1;
      }
      index = lo;
    }
    this.position = openPosition(p.ticket, p.direction, p.entryPrice, p.lotSize, p.stopLoss, p.takeProfit, p.entryTime, index);
    this.ctx.position = this.position;
  }

  /** An ERROR naming every position of this bot open on the symbol, while there is more than one. */
  reportDuplicates(): void {
    const managed = this.position;
    if (managed === null || this.duplicates.size === 0) return;
    const others = [...this.duplicates.values()].map((p) => `#${p.ticket} ${p.direction} ${shortText(p.lotSize)} lots`).join(', ');
    this.error(`${this.symbol}: ${this.duplicates.size + 1} positions of this bot are open on one symbol: #${managed.ticket} ${managed.direction} ${shortText(managed.lotSize)} lots (managed) and `
      + `${others} (kept, not managed); no new ${this.symbol} entry is sent until only one is open: close the extra on the terminal`, '');
  }

  /** Volume and stops of one of this actor's positions changed on the terminal (reconciliation); false if it holds no such ticket. */
  updatePosition(ticket: number, lotSize: number, stopLoss: number, takeProfit: number): boolean {
    const p = this.position?.ticket === ticket ? this.position : this.duplicates.get(ticket);
    if (!p) return false;
    const updated = openPosition(p.ticket, p.direction, p.entryPrice, lotSize, stopLoss, takeProfit, p.entryTime, p.entryIndex);
    if (p === this.position) {
      this.position = updated;
      this.ctx.position = updated;
    } else {
      this.duplicates.set(ticket, updated);
    }
    return true;
  }

  /**
   * Closes a kept (not managed) position of this bot on the symbol by its ticket (the user's
   * `close_position` naming it): the whole of it, at the next price. False if no such kept
   * position or a close of it is on its way. Its exit deal reports the round trip as usual.
   * The simulator without a price yet for the symbol (a paper restart, before its first bar)
   * would refuse it (10021): it waits for the next open, where the managed position's close goes too.
   */
  requestCloseKept(ticket: number, reason: string): boolean {
    const position = this.duplicates.get(ticket);
    if (!position || this.keptCloses.has(ticket)) return false;
    this.keptCloses.set(ticket, reason);
    if (this.book !== null && !this.book.hasQuote) (this.keptClosesWaiting ??= []).push(ticket);
    else this.sendKeptClose(ticket, position, reason);
    return true;
  }

  /** The kept positions' closes that waited for a price (`requestCloseKept`), at the open that quotes the symbol. */
  private sendWaitingKeptCloses(): void {
    const tickets = this.keptClosesWaiting ?? [];
    this.keptClosesWaiting = null;
    for (const ticket of tickets) {
      const position = this.duplicates.get(ticket);
      const reason = this.keptCloses.get(ticket);
      if (position && reason !== undefined) this.sendKeptClose(ticket, position, reason);
      else this.keptCloses.delete(ticket);
    }
  }

  private sendKeptClose(ticket: number, position: OpenPosition, reason: string): void {
    const request = marketOrder({
      symbol: this.symbol, volume: position.lotSize, type: position.direction === 'buy' ? ORDER_TYPE_SELL : ORDER_TYPE_BUY,
      position: ticket, magic: this.o.magic ?? 0, comment: reason,
    });
    const sent = position.lotSize;
    const answered = (r: TradeResult) => {
      if (r.retcode === TRADE_RETCODE.DONE) return;
      if (r.retcode === TRADE_RETCODE.DONE_PARTIAL) {
        if (!(r.volume > 0 && r.volume < sent - VOLUME_EPSILON)) return;
        // MT5's IOC filling cancelled the rest: the close is over, the lots left stay open and
        // the user, who asked for it, is told (a new close_position closes them).
        this.keptCloses.delete(ticket);
        this.error(`closing kept position #${ticket} filled only in part: ${shortText(r.volume)} of ${shortText(sent)} lots closed; ${shortText(lotsLeft(sent, r.volume))} lots of #${ticket} are still open: close them on the terminal or with the close command`, describeResult(r), ticket);
        return;
      }
      this.keptCloses.delete(ticket);
      // Still open: kept, or managed now (the managed one closed while this close was on its way).
      const left = this.duplicates.get(ticket) ?? (this.position?.ticket === ticket ? this.position : null);
      if (left) this.error(`closing kept position #${ticket} failed: ${r.retcode} ${r.comment}; ${shortText(left.lotSize)} lots of #${ticket} are still open`, describeResult(r), ticket);
    };
    const result = this.o.broker.orderSend(request);
    if (isPromise(result)) result.then(answered, (err) => answered(connectionFailure(err)));
    else answered(result);
  }

  /** Whether `ticket` is one of this actor's positions (managed or duplicate). */
  holds(ticket: number): boolean {
    return this.position?.ticket === ticket || this.duplicates.has(ticket);
  }

  /**
   * The broker closed one of this symbol's positions while the engine could not see it (found by
   * the reconciliation after a reconnection): report the exit once; the managed one's exit returns
   * the symbol to scanning (or to the duplicate left, now managed).
   */
  positionClosedElsewhere(ticket: number, exitPrice: number, time: number, pnl: number, reason: string, balanceAfter: number): void {
    const duplicate = this.duplicates.get(ticket);
    const position = duplicate ?? (this.position?.ticket === ticket ? this.position : null);
    if (!position) return;
    const tally = this.tallies.get(ticket) ?? null;
    this.tallies.delete(ticket);
    if (tally !== null) {
      // Parts closed earlier were booked already: the round trip adds them in.
      pnl = round2(pnl + tally.profit + tally.commission + tally.swap);
    }
    if (duplicate) {
      this.duplicates.delete(ticket);
    } else {
      this.position = null;
      this.ctx.position = null;
      this.lastExitRisk = pnl < 0 ? -pnl / this.entryBalance : 0;
      this.entryBalance = Number.NaN;
    }
    this.emit(this.o.events.make('TRADE_EXIT', 'INFO', {
      symbol: this.symbol, exit_price: exitPrice, exit_reason: reason, pnl, balance_after: balanceAfter,
      timestamp: formatSeconds(time), position_id: position.ticket, direction: position.direction,
      entry_price: position.entryPrice, lot_size: tally === null ? position.lotSize : lotsLeft(position.lotSize, -tally.volume),
    }, time));
    if (!duplicate && this.state === 'in-trade') this.send('EXITED', reason);
    this.promoteDuplicate();
  }

  /** The managed position is gone and a duplicate is left: it becomes the managed one (the bot again holds exactly one). */
  private promoteDuplicate(): void {
    if (this.position !== null || this.duplicates.size === 0) return;
    const [ticket, next] = this.duplicates.entries().next().value!;
    this.duplicates.delete(ticket);
    this.adoptPosition(next);
  }

  /**
   * The account-wide week rolled over at `time` (the first bar of the new week): a throttled
   * symbol may trade again. Stamped with that time, never the previous week's last bar.
   */
  weekRolled(time: number): void {
    if (time > this.lastTime) this.lastTime = time;
    if (this.state === 'throttled') this.send('WEEK_ROLLED', 'new trading week: weekly count reset');
  }

  /**
   * The latest bid and ask of a live feed: live entries are sized from it (the price the order is
   * sent at). A tick older than the quote held (out of order, stale) is ignored: returns false;
   * except when the quote held came from a tick stamped ahead of this machine's clock (`ahead`):
   * the next tick replaces it whatever its time, so one bad stamp cannot freeze the quote.
   */
  quote(bid: number, ask: number, time: number, ahead = false): boolean {
    if (time < this.liveQuoteTime && !this.liveQuoteAhead) return false;
    this.liveQuoteTime = time;
    this.liveQuoteAhead = ahead;
    this.liveBid = bid;
    this.liveAsk = ask;
    return true;
  }

  /**
   * Shifts stored bar indexes after the bar window compacted: the last closed bar's (an entry
   * filled at the next bar records the one after it) and the open position's entry bar.
   */
  shiftIndexes(delta: number): void {
    if (this.ctx.index >= 0) this.ctx.index -= delta;
    const p = this.position;
    // Built like the fill's (not a spread): one shape for every position the strategy reads.
    if (p) this.position = openPosition(p.ticket, p.direction, p.entryPrice, p.lotSize, p.stopLoss, p.takeProfit, p.entryTime, p.entryIndex - delta);
    this.ctx.position = this.position;
  }

  /** Reports a decision for this symbol (used by the engine for aggression steps). */
  decision(kind: 'increase_aggression', reason: string, at: number): void {
    if (this.quiet) return;
    const g = this.o.governor;
    this.emit(this.o.events.make('DECISION', 'INFO', {
      symbol: this.symbol, decision: kind, reason, trades_this_week: g.trades, max_trades: g.max,
      aggression_multiplier: round4(g.aggression), time: formatSeconds(at),
    }, at));
  }

  /**
   * Shows the strategy a bar of history without trading on it (warm-up before going live, so
   * indicators are ready at the first live bar). Signals are ignored.
   */
  primeBar(i: number): void {
    // A strategy that failed in an earlier warm-up bar is not called again: it is parked at start.
    if (this.faultBeforeStart !== null) return;
    this.initStrategyState();
    this.ctx.index = i;
    if (this.position !== null && Number.isNaN(this.position.entryIndex)) this.placeEntryBar();
    try {
      syncResult(this.strategy.onBar?.(this.ctx), 'onBar');
    } catch (err) {
      this.fault(err, 'onBar (warm-up)');
    }
  }

  /** The hot path: one closed bar at index `i` of the series. */
  processBar(i: number): void {
    const s = this.o.series;
    const time = s.time[i];
    const sim = this.o.sim;
    const book = this.book;
    if (sim !== null && book !== null) {
      // The open's quote matters only if something executes inside this bar: pending orders
      // here, a stop or target inside checkStopsAt (which skips bars that cannot reach one).
      this.lastTime = time;
      if (this.pendingClose !== null || this.pendingEntry !== null) {
        sim.quoteBar(book, s, i, false, this.barMs);
        if (this.pendingClose !== null) this.executeClose();
        if (this.pendingEntry !== null) this.executeEntry(time);
      }
      if (this.position !== null) sim.checkStopsAt(book, s, i, this.barMs);
    }
    this.closeBar(i);
  }

  /**
   * `processBar`'s first half, as a step of its own (a run of several symbols, the paper bot's
   * replay): at the bar's open `time` the symbol is quoted at `open`, and what the previous
   * close decided executes there (close, then entry). The bar's high, low and close are not
   * read: the paper bot's window receives the bar only at its close. `spreadPoints`: a bid
   * bar's own spread (NaN: the symbol's), as `SimBroker.quoteOpen` takes it.
   */
  barOpened(time: number, open: number, spreadPoints: number): void {
    const sim = this.o.sim;
    const book = this.book;
    if (sim === null || book === null) return;
    this.lastTime = time;
    sim.quoteOpen(book, open, time, spreadPoints);
    if (this.keptClosesWaiting !== null) this.sendWaitingKeptCloses();
    if (this.pendingClose !== null) this.executeClose();
    if (this.pendingEntry !== null) this.executeEntry(time);
  }

  /** `processBar`'s second half, after `barOpened`: stops and targets over bar `i`'s range, then its close. */
  barClosed(i: number): void {
    const sim = this.o.sim;
    const book = this.book;
    if (sim !== null && book !== null && this.position !== null) sim.checkStopsAt(book, this.o.series, i, this.barMs);
    this.closeBar(i);
  }

  /**
   * Orders wait for the next bar's open. While none does, a bar with nothing to execute at
   * its open (no stop within reach) needs only `closeBar`: the engine's fast path.
   */
  get ordersWaiting(): boolean {
    return this.pendingClose !== null || this.pendingEntry !== null;
  }

  /** The bar's close: the quote, then the strategy (only while scanning or in a trade). */
  closeBar(i: number): void {
    // The close time from the index, not passed in: a double argument to a call that is not
    // inlined is boxed, a heap number per bar.
    const closeTime = this.o.series.time[i] + this.barMs;
    const sim = this.o.sim;
    const book = this.book;
    if (sim !== null && book !== null) {
      if (book.bidBars) sim.quoteBar(book, this.o.series, i, true, this.barMs);
      else sim.quoteClose(book, this.o.series.close[i], closeTime);
    }
    this.closeQuotedBar(i, closeTime);
  }

  /**
   * `closeBar` after the engine's bar loop has set the close quote itself (from the close and
   * close time it has in hand): the strategy's part of the close.
   */
  closeQuotedBar(i: number, closeTime: number): void {
    this.lastTime = closeTime;
    if (this.emitBars) this.emitBar(i);
    // The strategy sees every bar while the symbol runs (its indicators must not skip bars),
    // but only a scanning or in-trade symbol acts on what it says.
    const state = this.state;
    if (state === 'idle' || state === 'faulted') return;
    const ctx = this.ctx;
    ctx.index = i;
    this.week.time = closeTime;
    if (this.position !== null && Number.isNaN(this.position.entryIndex)) this.placeEntryBar();
    let signal: Signal | null;
    try {
      signal = readSignal(this.strategy.onBar?.(ctx));
    } catch (err) {
      this.fault(err, 'onBar');
      return;
    }
    if (!signal) return;
    const now = this.state;
    if (now === 'scanning' || now === 'in-trade') this.handleSignal(signal, closeTime);
    else if (now === 'throttled') this.holdThrottledSignal(signal);
  }

  /**
   * An entry signal of a throttled symbol in the simulator: kept for the next bar's open, where
   * it is judged in the week it executes. If the week has rolled by then (a Friday signal filled
   * on Sunday), the symbol is scanning again and the entry is that week's; if not, it is dropped
   * there without another refusal (the refusal that throttled the symbol said it takes no entry
   * until the week rolls). Live orders execute at once, in the same week: nothing to keep.
   */
  private holdThrottledSignal(signal: Signal): void {
    const direction = signal.direction;
    if ((direction !== 'buy' && direction !== 'sell') || this.o.sim === null || this.pendingEntry !== null) return;
    const close = this.o.series.close[this.ctx.index];
    const stopLoss = signal.stopLoss ?? NaN;
    if (!(stopLoss > 0 && (direction === 'buy' ? stopLoss < close : stopLoss > close))) return;
    const spec = this.o.spec;
    const tp = signal.takeProfit ?? 0;
    this.pendingEntry = { direction, stopLoss: normalizePrice(spec, stopLoss), takeProfit: tp === 0 ? 0 : normalizePrice(spec, tp), signal };
  }

  private handleSignal(signal: Signal, time: number): void {
    if (signal.decision) this.emitRlDecision(signal, time);
    const direction = signal.direction;
    if (direction === 'hold') return;
    if (direction === 'close') {
      this.requestClose('Closed by strategy');
      return;
    }
    if (this.pendingEntry || this.inFlight) return;
    if (this.position) {
      if (this.position.direction === direction) return;
      this.requestClose('Signal reversal');
    }
    const g = this.o.governor;
    if (this.duplicates.size > 0) {
      this.emit(this.o.events.make('DECISION', 'INFO', {
        symbol: this.symbol, decision: 'skip_duplicate_positions',
        reason: `${direction} signal not taken: ${this.duplicates.size + 1} positions of this bot are open on ${this.symbol} (#${[this.position?.ticket, ...this.duplicates.keys()].filter((t) => t !== undefined).join(', #')}); no new entry until only one is`,
        trades_this_week: g.trades, max_trades: g.max, aggression_multiplier: round4(g.aggression), time: formatSeconds(time),
      }, time));
      return;
    }
    if (this.refuseBlockedEntry(direction, time)) return;
    if (!this.o.broker.isConnected()) {
      this.emit(this.o.events.make('DECISION', 'INFO', {
        symbol: this.symbol, decision: 'skip_disconnected',
        reason: `${direction} signal not taken: broker ${this.o.broker.name} is disconnected; new entries wait for the reconnection`,
        trades_this_week: g.trades, max_trades: g.max, aggression_multiplier: round4(g.aggression), time: formatSeconds(time),
      }, time));
      return;
    }
    const close = this.o.series.close[this.ctx.index];
    const stopLoss = signal.stopLoss ?? NaN;
    const validStop = stopLoss > 0 && (direction === 'buy' ? stopLoss < close : stopLoss > close);
    if (!Number.isFinite(stopLoss) || !validStop) {
      // The signal itself as the traceback: an engine stack says nothing about the strategy's
      // mistake, and building one (source-mapped) cost more than a whole short backtest.
      this.error(`strategy ${this.strategy.id} gave a ${direction} signal without a valid stopLoss (${signal.stopLoss}) at close ${close}; the entry is skipped`,
        `${this.strategy.id}.onBar at ${formatSeconds(time)} returned ${JSON.stringify({ direction, stopLoss: signal.stopLoss ?? null, takeProfit: signal.takeProfit ?? null, reason: signal.reason ?? null })}`);
      return;
    }
    const spec = this.o.spec;
    const tp = signal.takeProfit ?? 0;
    this.pendingEntry = { direction, stopLoss: normalizePrice(spec, stopLoss), takeProfit: tp === 0 ? 0 : normalizePrice(spec, tp), signal };
    // A self-transition: nothing is emitted, so its cause need not be written out.
    if (this.state === 'scanning') this.send('SIGNAL', 'signal');
    if (!this.o.sim) this.executeEntry(time);
  }

  /** Emits DECISION `skip_journal_failing` and returns true while new entries are blocked. */
  private refuseBlockedEntry(direction: string, time: number): boolean {
    const blocked = this.o.entryBlocked?.() ?? null;
    if (blocked === null) return false;
    const g = this.o.governor;
    this.emit(this.o.events.make('DECISION', 'INFO', {
      symbol: this.symbol, decision: 'skip_journal_failing', reason: `${direction} signal not taken: ${blocked}`,
      trades_this_week: g.trades, max_trades: g.max, aggression_multiplier: round4(g.aggression), time: formatSeconds(time),
    }, time));
    return true;
  }

  /**
   * Executes the pending entry at `time`: the open of the bar after the signal in the simulator
   * (after the governor's clock for that bar has run and after a reversal's close has been
   * booked), at once on a live broker. The governor judges it here, in the week it executes:
   * a slot of that week is reserved (or the entry is refused at the weekly maximum), and it is
   * sized with that week's multiplier, the balance after every deal booked so far, and the stop
   * distance from the price the order is sent at (the simulator's quote now; live, the latest
   * tick, else the last close).
   */
  private executeEntry(time: number): void {
    const entry = this.pendingEntry!;
    if (this.position || this.pendingClose !== null) return; // the reversal's close comes first
    // Signalled while throttled and the week has not rolled: dropped (`holdThrottledSignal`).
    if (this.state === 'throttled') {
      this.pendingEntry = null;
      return;
    }
    // Decided while the journal could write, due now that it cannot: not sent.
    if (this.refuseBlockedEntry(entry.direction, time)) {
      this.pendingEntry = null;
      return;
    }
    const g = this.o.governor;
    if (!g.reserve()) {
      this.pendingEntry = null;
      this.emit(this.o.events.make('DECISION', 'INFO', {
        symbol: this.symbol, decision: 'skip_max_trades_reached',
        reason: `weekly maximum of ${g.max} trades reached (${g.trades} this week): ${entry.direction} signal refused until the week rolls over`,
        trades_this_week: g.trades, max_trades: g.max, aggression_multiplier: round4(g.aggression), time: formatSeconds(time),
      }, time));
      this.send('LIMIT_REACHED', `weekly maximum of ${g.max} trades reached`);
      return;
    }
    const buy = entry.direction === 'buy';
    const type = buy ? ORDER_TYPE_BUY : ORDER_TYPE_SELL;
    const sim = this.o.sim;
    const book = this.book;
    let price: number;
    if (sim !== null && book !== null) price = buy ? book.quote.ask + book.slip : book.quote.bid - book.slip;
    else if (this.liveAsk > 0) price = buy ? this.liveAsk : this.liveBid;
    else price = this.o.series.close[this.ctx.index];
    const spec = this.o.spec;
    price = normalizePrice(spec, price);
    const sizing = this.sizing;
    sizing.balance = this.o.account.balance;
    sizing.aggression = g.aggression;
    sizing.lots = lotSize(spec, {
      balance: sizing.balance, riskPercent: this.o.riskPercent, entryPrice: price, stopLoss: entry.stopLoss,
      aggression: sizing.aggression, accountCurrency: this.o.account.currency,
    });
    if (sim !== null && book !== null) {
      // The simulator's direct path: the same checks and fill, no MT5 request object.
      this.onEntryResult(sim.marketEntry(book, type, sizing.lots, entry.stopLoss, entry.takeProfit, this.o.magic ?? 0, this.orderComment, this.simResult), entry, time);
      return;
    }
    const request = marketOrder({
      symbol: this.symbol, volume: sizing.lots, type,
      sl: entry.stopLoss, tp: entry.takeProfit, magic: this.o.magic ?? 0, comment: this.orderComment,
    });
    const result = this.o.broker.orderSend(request);
    if (isPromise(result)) {
      this.inFlight = true;
      result.then(
        (r) => this.onEntryResult(r, entry, this.lastTime),
        (err) => this.onEntryResult(connectionFailure(err), entry, this.lastTime),
      );
    } else {
      this.onEntryResult(result, entry, time);
    }
  }

  private onEntryResult(result: TradeResult, entry: PendingEntry, time: number): void {
    this.inFlight = false;
    this.pendingEntry = null;
    const g = this.o.governor;
    if (!isFill(result)) {
      g.release();
      const reason = `order rejected by ${this.o.broker.name}: ${result.retcode} ${result.comment || retcodeText(result.retcode)}`;
      this.emit(this.o.events.make('DECISION', 'INFO', {
        symbol: this.symbol, decision: 'order_rejected', reason, trades_this_week: g.trades, max_trades: g.max,
        aggression_multiplier: round4(g.aggression), retcode: result.retcode, time: formatSeconds(time),
      }, time));
      this.error(reason, describeResult(result));
      this.send('REJECTED', reason);
      return;
    }
    const trades = g.recordEntry(time);
    const signal = entry.signal;
    this.entryBalance = this.sizing.balance;
    this.position = openPosition(result.order, entry.direction, result.price, result.volume, entry.stopLoss, entry.takeProfit, time, this.ctx.index + 1);
    this.ctx.position = this.position;
    this.heldHigh = Number.NEGATIVE_INFINITY;
    this.heldLow = Number.POSITIVE_INFINITY;
    const data: DataOf<'TRADE_ENTRY'> = {
      symbol: this.symbol, direction: entry.direction, price: result.price, lot_size: result.volume,
      stop_loss: entry.stopLoss, take_profit: entry.takeProfit, patterns_detected: signal.patterns ? [...signal.patterns] : NO_PATTERNS,
      sr_levels: signal.srLevels ? { support: levelOf(this.o.spec, signal.srLevels.support), resistance: levelOf(this.o.spec, signal.srLevels.resistance) } : NO_LEVELS,
      aggression_multiplier: round4(this.sizing.aggression), trades_this_week: trades,
      execution_result: {
        retcode: result.retcode, deal: result.deal, order: result.order, volume: result.volume, price: result.price,
        bid: result.bid, ask: result.ask, comment: result.comment,
      },
      position_id: result.order, strategy: this.strategy.id, time: this.stampOf(time),
    };
    if (signal.reason) data.reason = signal.reason;
    if (result.retcode !== TRADE_RETCODE.DONE) {
      // Filled in part (an IOC order's rest is cancelled by the server): the filled volume is the
      // position, counted once in the week; the rest is not sent again.
      const note = `${retcodeText(result.retcode).toLowerCase()} (${result.retcode}): ${shortText(result.volume)} of ${shortText(this.sizing.lots)} lots filled; the rest is not sent again`;
      data.reason = signal.reason ? `${signal.reason}; ${note}` : note;
    }
    this.emit(this.o.events.make('TRADE_ENTRY', 'INFO', data, time));
    // A constant cause: the fill's numbers are in TRADE_ENTRY, and formatting them here cost
    // more than the transition.
    this.send('FILLED', entry.direction === 'buy' ? 'buy order filled' : 'sell order filled');
  }

  /** Sends the close of the managed position: all of it, or `volume` lots (the rest after a partial close). */
  private executeClose(volume?: number): void {
    const position = this.position;
    const reason = this.pendingClose;
    if (!position || reason === null) {
      this.pendingClose = null;
      return;
    }
    const type = position.direction === 'buy' ? ORDER_TYPE_SELL : ORDER_TYPE_BUY;
    const lots = volume ?? position.lotSize;
    this.closeReason = reason;
    const sim = this.o.sim;
    if (sim !== null && this.book !== null) {
      this.afterClose(sim.marketClose(this.book, position.ticket, type, lots, reason, this.simResult), position.ticket, lots);
      return;
    }
    if (volume === undefined) this.closeRemainders = 0;
    const request = marketOrder({
      symbol: this.symbol, volume: lots, type,
      position: position.ticket, magic: this.o.magic ?? 0, comment: reason,
    });
    const result = this.o.broker.orderSend(request);
    if (isPromise(result)) {
      result.then((r) => this.afterClose(r, position.ticket, lots), (err) => this.afterClose(connectionFailure(err), position.ticket, lots));
    } else {
      this.afterClose(result, position.ticket, lots);
    }
  }

  /**
   * The close's answer. A partial close (10010 with a volume) leaves the rest open on the
   * terminal: MT5's IOC filling cancels the unfilled part, so the bot sends a close for the rest
   * at once, at most `MAX_CLOSE_REMAINDERS` times; a position still open after that is reported
   * as an ERROR naming the lots left (the bot keeps managing them: its stops stay on the terminal).
   */
  private afterClose(r: TradeResult, ticket: number, sent: number): void {
    const reason = this.pendingClose;
    this.pendingClose = null;
    if (r.retcode === TRADE_RETCODE.DONE) return;
    if (r.retcode === TRADE_RETCODE.DONE_PARTIAL && r.volume > 0 && r.volume < sent - VOLUME_EPSILON) {
      const rest = lotsLeft(sent, r.volume);
      if (this.position?.ticket !== ticket || reason === null) return;
      if (this.closeRemainders < MAX_CLOSE_REMAINDERS) {
        this.closeRemainders += 1;
        this.pendingClose = reason;
        this.executeClose(rest);
        return;
      }
      this.error(`closing position #${ticket} filled only in part ${this.closeRemainders + 1} times: ${shortText(rest)} lots are still open; close them on the terminal or with the close command`, describeResult(r), ticket);
      return;
    }
    if (this.position) {
      // The lots still open (after any parts closed before this refusal), named: the user closes them.
      const left = this.position.ticket === ticket ? `; ${shortText(this.position.lotSize)} lots of #${ticket} are still open, managed by the bot (its stops stay on the terminal): close them on the terminal or with the close command` : '';
      this.error(`closing position #${ticket} failed: ${r.retcode} ${r.comment}${left}`, describeResult(r), ticket);
    }
  }

  /**
   * Books a deal of this symbol on the account (MT5's way: the deal's profit, commission and
   * swap, already in cents, added to the balance) and reports an exit: TRADE_EXIT's `pnl` is the
   * round trip's net amount (profit + swap + both commissions) with its parts alongside.
   */
  private onDeal(deal: Deal): void {
    this.bookDeal(deal, null);
  }

  /**
   * An exit deal of one of this actor's positions found in the broker's deal history rather than
   * on the live stream (a reconciliation after a reconnection or a restart): booked and tallied
   * exactly as a live one, once (a deal already in the position's tally is skipped). `closeAs`:
   * the position is gone from the terminal and this is its last exit deal found; the round trip
   * is reported with that reason whatever volume the deals add up to. False if not booked.
   */
  foundExitDeal(deal: Deal, closeAs: string | null): boolean {
    if (deal.symbol !== this.symbol || deal.entry === DEAL_ENTRY_IN || !this.holds(deal.position_id)) return false;
    if (this.tallies.get(deal.position_id)?.deals.has(deal.ticket)) return false;
    this.bookDeal(deal, closeAs);
    return true;
  }

  /** Exit deals already booked for part of a position (the journal's, after a restart): its round trip will add them in. */
  restoreExits(ticket: number, exits: readonly { deal: number; volume: number; price: number; profit: number; commission: number; swap: number }[]): void {
    if (exits.length === 0) return;
    let tally = this.tallies.get(ticket);
    if (tally === undefined) {
      tally = new ExitTally();
      this.tallies.set(ticket, tally);
    }
    for (const e of exits) if (!tally.deals.has(e.deal)) tally.add({ ticket: e.deal, volume: e.volume, price: e.price, profit: e.profit, commission: e.commission, swap: e.swap });
  }

  private bookDeal(deal: Deal, closeAs: string | null): void {
    if (deal.symbol !== this.symbol) return;
    const account = this.o.account;
    if (deal.entry === DEAL_ENTRY_IN) {
      account.balance = roundMoney(account.balance + deal.commission);
      if (deal.commission !== 0) account.entryCommission.set(deal.position_id, deal.commission);
      return;
    }
    if (deal.entry !== DEAL_ENTRY_OUT) return;
    account.balance = roundMoney(account.balance + deal.profit + deal.commission + deal.swap);
    const managed = this.position;
    const position = managed !== null && managed.ticket === deal.position_id ? managed
      : this.duplicates.size > 0 ? this.duplicates.get(deal.position_id) ?? null : null;
    if (position !== null && closeAs === null && deal.volume < position.lotSize - VOLUME_EPSILON) {
      // Closed in part: MT5 keeps the position open with the rest; the round trip is reported when the rest closes.
      this.closedInPart(position, deal);
      return;
    }
    let entryCommission = 0;
    if (account.entryCommission.size > 0) {
      entryCommission = account.entryCommission.get(deal.position_id) ?? 0;
      account.entryCommission.delete(deal.position_id);
    }
    if (position === null) return;
    const tally = this.tallies.size > 0 ? this.tallies.get(position.ticket) ?? null : null;
    if (tally !== null) this.tallies.delete(position.ticket);
    const stoppedOut = deal.reason === DEAL_REASON_SO;
    // A kept position's close may still be on its way when the managed one's exit made it the
    // managed one (both closed at once by the user): its reason is still the kept close's.
    const keptReason = this.keptCloses.size > 0 ? this.keptCloses.get(position.ticket) : undefined;
    const reason = closeAs !== null ? closeAs : stoppedOut ? 'Stop out' : EXIT_REASON_BY_DEAL_REASON[deal.reason]
      ?? (deal.reason === DEAL_REASON_EXPERT && this.closeReason !== null && position === managed ? this.closeReason
        : deal.reason === DEAL_REASON_EXPERT && keptReason !== undefined ? keptReason : deal.comment || 'Closed');
    if (keptReason !== undefined) this.keptCloses.delete(position.ticket);
    const profit = tally === null ? deal.profit : round2(tally.profit + deal.profit);
    const commission = tally === null ? deal.commission : tally.commission + deal.commission;
    const swap = tally === null ? deal.swap : round2(tally.swap + deal.swap);
    const pnl = round2(profit + commission + swap + entryCommission);
    const exitPrice = tally === null ? deal.price : normalizePrice(this.o.spec, (tally.value + deal.price * deal.volume) / (tally.volume + deal.volume));
    const lots = tally === null ? position.lotSize : lotsLeft(position.lotSize, -tally.volume);
    if (position === managed) {
      this.position = null;
      this.ctx.position = null;
      this.closeReason = null;
      this.lastExitRisk = pnl < 0 ? -pnl / this.entryBalance : 0;
      this.entryBalance = Number.NaN;
    } else {
      this.duplicates.delete(position.ticket);
    }
    if (stoppedOut) this.error(`${this.symbol} position #${position.ticket} closed by the broker: ${deal.comment}`, '');
    this.o.onTradeClosed?.(position, deal, pnl, this);
    this.emit(this.o.events.make('TRADE_EXIT', 'INFO', {
      symbol: this.symbol, exit_price: exitPrice, exit_reason: reason, pnl, balance_after: round2(account.balance),
      timestamp: this.stampOf(deal.time), position_id: position.ticket, direction: position.direction,
      entry_price: position.entryPrice, lot_size: lots, commission: round2(commission + entryCommission),
      profit, swap,
    }, deal.time));
    if (position !== managed) {
      if (this.duplicates.size === 0 && this.position !== null) this.error(`${this.symbol}: only position #${this.position.ticket} of this bot is open now; new entries resume`, '');
      return;
    }
    if (this.strategy.onTradeExit) {
      this.guard(() => this.strategy.onTradeExit?.(this.ctx, {
        direction: position.direction, entryPrice: position.entryPrice, exitPrice: deal.price, pnl, reason, time: deal.time,
      }), 'onTradeExit');
    }
    if (this.state === 'in-trade') this.send('EXITED', reason);
    this.promoteDuplicate();
  }

  /** An exit deal for part of `position`: booked (by `onDeal`), tallied, and the position kept open with the rest. */
  private closedInPart(position: OpenPosition, deal: Deal): void {
    let tally = this.tallies.get(position.ticket);
    if (tally === undefined) {
      tally = new ExitTally();
      this.tallies.set(position.ticket, tally);
    }
    tally.add(deal);
    const left = lotsLeft(position.lotSize, deal.volume);
    this.updatePosition(position.ticket, left, position.stopLoss, position.takeProfit);
    if (this.o.sim !== null) return;
    // Live: said (and journaled: the position's volume, the deal, the balance) as it happens, so a
    // restart adds this deal into the round trip's TRADE_EXIT.
    const g = this.o.governor;
    const balance = round2(this.o.account.balance);
    this.emit(this.o.events.make('DECISION', 'INFO', {
      symbol: this.symbol, decision: 'partial_close',
      reason: `position #${position.ticket} ${position.direction} closed in part: ${shortText(deal.volume)} of ${shortText(position.lotSize)} lots at ${deal.price} (deal ${deal.ticket}, profit ${round2(deal.profit + deal.commission + deal.swap)}); ${shortText(left)} lots left open, reported in full when they close`,
      trades_this_week: g.trades, max_trades: g.max, aggression_multiplier: round4(g.aggression), time: formatSeconds(deal.time),
      ticket: position.ticket, lot_size: left, deal: deal.ticket, closed_lots: deal.volume, exit_price: deal.price,
      profit: deal.profit, commission: deal.commission, swap: deal.swap, balance_after: balance,
    }, deal.time));
  }

  /** `formatSeconds(at)`, from the actor's last stamp when `at` is its time (see `stamp`). */
  private stampOf(at: number): string {
    if (at !== this.stampAt) {
      this.stamp = formatSeconds(at);
      this.stampAt = at;
    }
    return this.stamp;
  }

  private emitRlDecision(signal: Signal, time: number): void {
    const g = this.o.governor;
    const d = signal.decision!;
    this.emit(this.o.events.make('DECISION', 'DEBUG', {
      symbol: this.symbol, decision: 'rl_action', reason: signal.reason ?? `policy chose ${d.action}`,
      trades_this_week: g.trades, max_trades: g.max, aggression_multiplier: round4(g.aggression),
      action: d.action, action_values: { ...d.values }, time: formatSeconds(time),
    }, time));
  }

  /** The bar as it was read, its prices normalised to the symbol's digits as every price reported (a file's 1.1967999999999999 is 1.1968). */
  private emitBar(i: number): void {
    const s = this.o.series;
    const spec = this.o.spec;
    const time = s.time[i];
    this.emit(this.o.events.make('BAR', 'DEBUG', {
      symbol: this.symbol, timeframe: s.timeframe, time: formatSeconds(time), open: normalizePrice(spec, s.open[i]),
      high: normalizePrice(spec, s.high[i]), low: normalizePrice(spec, s.low[i]), close: normalizePrice(spec, s.close[i]), volume: s.volume[i],
    }, time + this.barMs));
  }

  /** Sends an event to the machine if the current state accepts it; emits STATE_TRANSITION. */
  private send(type: SymbolMachineEventType, cause: string): boolean {
    const from = this.state;
    if (!this.machine.send(type, cause)) return false;
    this.state = this.machine.state;
    // A self-transition (a signal accepted while scanning) changes nothing a viewer can see;
    // its cause is already in the TRADE_ENTRY or DECISION that follows.
    if (from === this.state || this.quiet) return true;
    this.emit(this.o.events.make('STATE_TRANSITION', 'INFO', {
      symbol: this.symbol, from, to: this.state, event: type, cause, time: this.stampOf(this.lastTime),
    }, this.lastTime));
    return true;
  }

  private guard(hook: () => unknown, where: string): void {
    try {
      syncResult(hook(), where);
    } catch (err) {
      this.fault(err, where);
    }
  }

  /** The id of the strategy this symbol runs. */
  get strategyId(): string {
    return this.strategy.id;
  }

  /**
   * The plugin failed outside the engine's calls into it (a timer or promise of its own threw):
   * reported and parked like a throw from a hook, `where` saying how it was caught. False when
   * the symbol is parked already (its failure was reported then).
   */
  pluginFailed(err: unknown, where: string): boolean {
    if (this.state === 'faulted') return false;
    this.fault(err, where);
    return true;
  }

  /** A plugin threw: report it with its traceback and park only this symbol. */
  private fault(err: unknown, where: string): void {
    const e = describeThrown(err);
    this.pendingEntry = null;
    const message = `strategy ${this.strategy.id} failed in ${where} on ${this.symbol}: ${e.message}`;
    this.faultNote ??= { symbol: this.symbol, time: formatSeconds(this.lastTime), error: message };
    if (this.startedOnce) this.error(message, e.stack);
    else this.unheardErrors.push({ message, traceback: e.stack });
    if (this.state === 'idle') this.faultBeforeStart ??= e.message;
    this.send('FAULT', err instanceof SignalError || err instanceof TimeLimitError ? `plugin ${this.strategy.id} ${e.message}` : `plugin ${this.strategy.id} threw: ${e.message}`);
  }

  /**
   * An ERROR of this symbol. `closeOf`: the ticket of a position whose close failed (refused, or
   * filled only in part), named in `ticket` with `action: 'close'` so that the journal forgets the
   * user's close request without reading the text: the user was told, a restart must not send it.
   */
  private error(message: string, traceback: string, closeOf?: number): void {
    const data: DataOf<'ERROR'> = { error: message, traceback, symbol: this.symbol, source: this.strategy.id };
    if (closeOf !== undefined) {
      data.ticket = closeOf;
      data.action = 'close';
    }
    this.emit(this.o.events.make('ERROR', 'ERROR', data, this.lastTime));
  }

  private emit(event: LogEvent): void {
    this.o.sink?.(event);
    if (this.out.observed) this.out.next(event);
  }
}

/**
 * The context strategies read on every bar: a class, so every actor's context shares one
 * hidden class with fast field access (an object literal with a getter ends up a dictionary).
 */
class ActorContext implements StrategyContext<unknown, Record<string, unknown>> {
  index = -1;
  position: PositionView | null = null;
  state: Record<string, unknown> = {};
  constructor(
    readonly symbol: string,
    readonly spec: SymbolSpec,
    readonly config: unknown,
    readonly bars: BarSeries,
    readonly week: WeekView,
    private readonly account: Account,
  ) {}
  get balance(): number {
    return this.account.balance;
  }
}

/** The actor's view of its open position, always built here so every one has the same shape. */
function openPosition(ticket: number, direction: Direction, entryPrice: number, lotSize: number, stopLoss: number,
  takeProfit: number, entryTime: number, entryIndex: number): OpenPosition {
  return { ticket, direction, entryPrice, lotSize, stopLoss, takeProfit, entryTime, entryIndex };
}

/** A strategy's support or resistance level as a price in an event: normalised to the symbol's digits, or null. */
function levelOf(spec: SymbolSpec, level: number | null | undefined): number | null {
  return level === null || level === undefined || !Number.isFinite(level) ? null : normalizePrice(spec, level);
}

/** TRADE_ENTRY's `sr_levels` when the strategy reported none (events are read-only). */
const NO_LEVELS = Object.freeze({ support: null, resistance: null });
const NO_PATTERNS: string[] = Object.freeze([]) as unknown as string[];

/**
 * `TradeResult {...}` as JSON, the traceback of a refused order, written out: `JSON.stringify` of
 * the object, and even `String` of its numbers, cost more than the rest of a rejection.
 */
function describeResult(r: TradeResult): string {
  return `TradeResult {"retcode":${r.retcode},"deal":${r.deal},"order":${r.order},"volume":${shortText(r.volume)},"price":${shortText(r.price)},"bid":${shortText(r.bid)},"ask":${shortText(r.ask)},"comment":${jsonText(r.comment)},"request_id":${r.request_id},"retcode_external":${r.retcode_external}}`;
}

/** Closes sent again for the rest after partial closes, before the rest is reported instead. */
const MAX_CLOSE_REMAINDERS = 3;

/**
 * Whether an entry's result is a fill: 10009, or a deal for part of the volume (10010 "only part
 * of the request was completed", or 10008 "placed" that already carries its deal).
 */
function isFill(r: TradeResult): boolean {
  if (r.retcode === TRADE_RETCODE.DONE) return true;
  return (r.retcode === TRADE_RETCODE.DONE_PARTIAL || r.retcode === TRADE_RETCODE.PLACED) && r.volume > 0 && r.deal > 0;
}

function connectionFailure(err: unknown): TradeResult {
  const message = describeThrown(err).message;
  return { retcode: TRADE_RETCODE.CONNECTION, deal: 0, order: 0, volume: 0, price: 0, bid: 0, ask: 0, comment: message, request_id: 0, retcode_external: 0 };
}

