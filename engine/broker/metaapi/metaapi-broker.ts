import { FutureStamps } from '../future-stamps.ts';
import { BehaviorSubject } from 'rxjs/internal/BehaviorSubject';
import { Subject } from 'rxjs/internal/Subject';
import type { Observable } from 'rxjs';
import { randomBytes } from 'node:crypto';
import {
  DEAL_ENTRY_IN, TRADE_RETCODE,
  type AccountInfo, type Deal, type Position, type SymbolInfo, type TradeRequest, type TradeResult,
} from '../../model/mt5.ts';
import type { Timeframe } from '../../model/bar.ts';
import type { RestoredPosition } from '../../model/restored-state.ts';
import type { LiveBar, LiveBrokerPort, LiveTick } from '../live-broker-port.ts';
import { firstSyncSince, reconcile, type Reconciliation } from '../reconcile.ts';
import type { MetaApiCandle, MetaApiEvents, MetaApiOpener, MetaApiSession, MetaApiSymbolPrice } from './metaapi-shapes.ts';
import { failure, sendMetaApiOrder, type MetaApiOrderContext } from './metaapi-orders.ts';
import { metaApiTimeframe, ticketOf, timeMs, toAccountInfo, toDeal, toPosition, toSymbolInfo } from './metaapi-mapping.ts';
import { allDealsByTimeRange } from './metaapi-history.ts';

export interface MetaApiBrokerOptions {
  /** Symbols whose quotes and candles are streamed on ticks$/bars$. */
  readonly symbols: readonly string[];
  readonly timeframe?: Timeframe;
  /** The journal's open positions; when given, every (re)synchronisation emits a reconciliation. */
  readonly knownPositions?: () => readonly RestoredPosition[];
  /** Start of the window reconciled on the first connection (default: 7 days back, or a day before the earliest known position opened: `firstSyncSince`). */
  readonly firstSyncSince?: number;
  /** Reopen backoff: first delay and cap (default 1 s doubling to 60 s). */
  readonly backoffMs?: { readonly initial: number; readonly max: number };
  /** How long to leave the SDK to reconnect by itself before the adapter reopens the session (default 60 s). */
  readonly reopenAfterMs?: number;
  /** This machine's UTC clock (tests set it): quotes and candles stamped past it by more than the tolerance are refused. */
  readonly now?: () => number;
  /** Attempts at start before `connect` gives up (default 5). */
  readonly startAttempts?: number;
  /**
   * How long attaching waits for each symbol's first quote (the SDK's subscribe waits for one);
   * symbols are subscribed in parallel, and with the market closed the session comes up after
   * this bound instead of 30 s per symbol (default 5 s).
   */
  readonly firstQuoteWaitMs?: number;
  /** How long a trade with an unknown outcome is watched for a late fill before answering 10031 (default 60 s). */
  readonly lateFillWindowMs?: number;
}

export type MetaApiTick = LiveTick;
export type MetaApiBar = LiveBar;

const DAY_MS = 86_400_000;

/**
 * The broker port over MetaApi (`metaapi.cloud-sdk`), for MT5 accounts without a Windows machine.
 * Orders are market orders with SL/TP (`createMarketBuyOrder`/`createMarketSellOrder`) and closes
 * (`closePosition`/`closePositionPartially`); each carries a MetaApi `clientId`. A refusal comes
 * back as a TradeResult with the terminal's retcode; when the outcome is unknown (timeout, lost
 * connection) the deal history is searched for the clientId before answering, and nothing is resent.
 */
export class MetaApiBroker implements LiveBrokerPort {
  readonly name = 'metaapi';
  readonly deals$: Observable<Deal>;
  readonly connection$: Observable<boolean>;
  readonly ticks$: Observable<MetaApiTick>;
  readonly bars$: Observable<MetaApiBar>;
  readonly reconciliation$: Observable<Reconciliation>;
  readonly problems$: Observable<string>;
  duplicatesDropped = 0;
  /** Sessions opened so far (1 at start; more after reopening). */
  sessionsOpened = 0;

  private readonly connected = new BehaviorSubject(false);
  private readonly dealSubject = new Subject<Deal>();
  private readonly tickSubject = new Subject<MetaApiTick>();
  private readonly barSubject = new Subject<MetaApiBar>();
  private readonly reconciliationSubject = new Subject<Reconciliation>();
  private readonly problemSubject = new Subject<string>();
  private readonly prices = new Map<string, MetaApiSymbolPrice>();
  private readonly formingCandles = new Map<string, MetaApiCandle>();
  private readonly seenDeals = new Set<number>();
  /** Tickets actually published on deals$ (a subset of seenDeals). */
  private readonly emittedDeals = new Set<number>();
  private readonly ownClientIds = new Set<string>();
  /** Orders of this engine sent and not yet answered. */
  private ordersInFlight = 0;
  /** Time of the earliest position-opening deal no order of this engine claims, waiting for its reconciliation (`openedElsewhere`). */
  private openingSince: number | null = null;
  /** Trades answered without a confirmed outcome, by clientId (value: when sent): a fill seen later is adopted. */
  private readonly lateWatch = new Map<string, number>();
  private session: MetaApiSession | null = null;
  private generation = 0;
  private lostAt: number | null = null;
  /**
   * Latest time seen in quotes and deals (UTC, as MetaApi reports them): where the terminal's
   * clock stood when the connection was lost, which the local clock need not agree with.
   */
  private serverTime = 0;
  private reopenTimer: NodeJS.Timeout | null = null;
  private closed = false;
  private readonly timeframe: Timeframe;

  private constructor(private readonly open: MetaApiOpener, private readonly options: MetaApiBrokerOptions) {
    this.timeframe = options.timeframe ?? 'M1';
    this.deals$ = this.dealSubject.asObservable();
    this.connection$ = this.connected.asObservable();
    this.ticks$ = this.tickSubject.asObservable();
    this.bars$ = this.barSubject.asObservable();
    this.reconciliation$ = this.reconciliationSubject.asObservable();
    this.problems$ = this.problemSubject.asObservable();
    this.stamps = new FutureStamps(options.now ?? Date.now, (text) => this.problemSubject.next(text), 'metaapi');
  }

  /** Quotes and candles stamped in the future (a terminal's clock or zone gone wrong) are refused, as the MT5 bridge refuses them. */
  private readonly stamps: FutureStamps;

  /** Opens the session (retrying with backoff), subscribes to quotes and candles. */
  static async connect(open: MetaApiOpener, options: MetaApiBrokerOptions): Promise<MetaApiBroker> {
    const broker = new MetaApiBroker(open, options);
    await broker.openAndAttach(options.startAttempts ?? 5);
    return broker;
  }

  isConnected(): boolean {
    return this.connected.value;
  }

  orderSend(request: TradeRequest): Promise<TradeResult> {
    if (!this.session || !this.isConnected()) return Promise.resolve(failure(this.orderContext(), TRADE_RETCODE.CONNECTION, request, 'MetaApi connection is down'));
    const clientId = `TL_${randomBytes(6).toString('hex').slice(0, 8)}`;
    this.ownClientIds.add(clientId);
    this.ordersInFlight += 1;
    return sendMetaApiOrder(this.orderContext(), request, clientId).then((result) => {
      // Not confirmed: should it have executed after all, the reconciliation must adopt it.
      if (result.retcode !== TRADE_RETCODE.DONE && result.retcode !== TRADE_RETCODE.PLACED) this.ownClientIds.delete(clientId);
      return result;
    }).finally(() => {
      this.ordersInFlight -= 1;
      // A position opened elsewhere while this order was in flight: classified now (after the order's own fill is the bot's).
      if (this.openingSince !== null) queueMicrotask(() => this.reconcileOpenings());
    });
  }

  async accountInfo(): Promise<AccountInfo> {
    return toAccountInfo(await this.rpc().getAccountInformation());
  }

  async symbolInfo(symbol: string): Promise<SymbolInfo | null> {
    let spec;
    try {
      spec = await this.rpc().getSymbolSpecification(symbol);
    } catch (err) {
      if ((err as { name?: string }).name === 'NotFoundError') return null;
      throw err;
    }
    if (!spec) return null;
    const price = this.prices.get(symbol) ?? (await this.rpc().getSymbolPrice(symbol, false).catch(() => null));
    return toSymbolInfo(spec, price);
  }

  async positionsGet(symbol?: string): Promise<Position[]> {
    return (await this.rpc().getPositions()).filter((p) => !symbol || p.symbol === symbol).map(toPosition);
  }

  async historyDealsGet(fromMs: number, toMs: number): Promise<Deal[]> {
    const deals = await allDealsByTimeRange(this.rpc(), new Date(fromMs), new Date(toMs));
    return deals.map(toDeal).filter((d): d is Deal => d !== null && d.time >= fromMs && d.time <= toMs);
  }

  async close(): Promise<void> {
    this.closed = true;
    this.generation += 1;
    if (this.reopenTimer) clearTimeout(this.reopenTimer);
    await this.session?.close().catch(() => undefined);
    this.session = null;
    this.connected.next(false);
    for (const s of [this.dealSubject, this.tickSubject, this.barSubject, this.reconciliationSubject, this.problemSubject, this.connected]) s.complete();
  }

  private rpc() {
    if (!this.session) throw new Error('metaapi: no session (connection lost and not yet reopened)');
    return this.session.rpc;
  }

  /**
   * Opens a session and attaches to it (listener, subscriptions), retrying the whole of it with
   * backoff: a subscription that throws fails the attempt like a failed open, and the session of a
   * failed attempt is closed before the next one. `maxAttempts` Infinity: until `close()`.
   */
  private async openAndAttach(maxAttempts: number): Promise<void> {
    let delay = this.options.backoffMs?.initial ?? 1_000;
    for (let attempt = 1; ; attempt++) {
      let session: MetaApiSession | null = null;
      try {
        session = await this.open();
        this.sessionsOpened += 1;
        await this.attach(session);
        return;
      } catch (err) {
        if (session && this.session === session) this.session = null;
        this.generation += 1; // events of the failed session are ignored from now on
        await session?.close().catch(() => undefined);
        const message = (err as Error).message ?? String(err);
        this.problemSubject.next(`metaapi: opening the session failed (attempt ${attempt}): ${message}`);
        if (attempt >= maxAttempts || this.closed) throw new Error(`metaapi: could not open the session after ${attempt} attempts: ${message}`);
        await new Promise((r) => setTimeout(r, delay));
        delay = Math.min(delay * 2, this.options.backoffMs?.max ?? 60_000);
      }
    }
  }

  private async attach(session: MetaApiSession): Promise<void> {
    if (this.closed) { await session.close(); return; }
    this.session = session;
    const generation = ++this.generation;
    session.listen(this.events(generation));
    const timeframe = metaApiTimeframe(this.timeframe);
    const waitMs = this.options.firstQuoteWaitMs ?? 5_000;
    await Promise.all(this.options.symbols.map((symbol) => this.subscribeBounded(session, symbol, [{ type: 'quotes' }, { type: 'candles', timeframe }], waitMs, generation)));
    if (generation !== this.generation) throw new Error('session replaced while subscribing');
    this.up();
  }

  /**
   * One subscription; the SDK resolves it on the symbol's first quote. A refusal fails the attach;
   * no quote within `waitMs` (market closed) is noted and the attach goes on, the quotes come when they come.
   */
  private subscribeBounded(session: MetaApiSession, symbol: string, subscriptions: { type: string; timeframe?: string }[], waitMs: number, generation: number): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        if (generation === this.generation) this.problemSubject.next(`metaapi: no first quote for ${symbol} within ${waitMs} ms (market closed?); carrying on`);
        resolve();
      }, waitMs);
      session.subscribe(symbol, subscriptions).then(
        () => { clearTimeout(timer); resolve(); },
        (err: Error) => {
          clearTimeout(timer);
          if (generation === this.generation) this.problemSubject.next(`metaapi: subscribing ${symbol} failed: ${err?.message ?? err}`);
          reject(new Error(`subscribing ${symbol} failed: ${err?.message ?? err}`));
        },
      );
    });
  }

  private events(generation: number): MetaApiEvents {
    const live = () => generation === this.generation;
    return {
      onConnected: () => {},
      // The SDK calls onDisconnected only when the last replica goes; onStreamClosed comes for each
      // replica's stream and means "down" only if no replica is left connected (terminalState.connected).
      onDisconnected: () => { if (live()) this.down('MetaApi reports the terminal disconnected'); },
      onStreamClosed: (instance) => {
        if (!live()) return;
        const session = this.session;
        if (session?.connected && !session.connected()) this.down(`MetaApi stream ${instance} closed and no replica is connected`);
      },
      onDealsSynchronized: () => { if (live() && !this.isConnected()) this.up(); },
      onDealAdded: (_i, raw) => {
        if (!live()) return;
        const deal = toDeal(raw);
        if (!deal) return;
        if (this.seenDeals.has(deal.ticket)) { this.duplicatesDropped += 1; return; }
        this.seenDeals.add(deal.ticket);
        this.serverTime = Math.max(this.serverTime, deal.time);
        // Replayed or missed while away: the reconciliation reports it instead.
        if (this.isConnected()) { this.emittedDeals.add(deal.ticket); this.dealSubject.next(deal); }
        if (raw.clientId && this.lateWatch.has(raw.clientId)) this.adoptLate(raw.clientId, deal.ticket);
        else if (this.isConnected() && deal.entry === DEAL_ENTRY_IN && !(raw.clientId && this.ownClientIds.has(raw.clientId))) this.openedElsewhere(deal);
      },
      onSymbolPriceUpdated: (_i, price) => {
        if (!live()) return;
        const time = timeMs(price.time);
        // A quote far ahead of this clock would move the engine's clock and freeze later quotes.
        if (!this.stamps.tickOk(price.symbol, time)) return;
        this.prices.set(price.symbol, price);
        this.serverTime = Math.max(this.serverTime, time);
        const tick = { symbol: price.symbol, time, bid: price.bid, ask: price.ask, last: 0, volume: 0 };
        this.tickSubject.next(this.stamps.ahead(time) ? { ...tick, ahead: true } : tick);
      },
      onCandlesUpdated: (_i, candles) => { if (live()) for (const c of candles) this.candle(c); },
    };
  }

  /** MetaApi streams the forming candle; a candle is closed when the next one opens. */
  private candle(c: MetaApiCandle): void {
    // A candle opening in the future would close the forming one there and hold every later candle back.
    if (!this.stamps.formingOk(c.symbol, c.timeframe, timeMs(c.time))) return;
    const key = `${c.symbol}|${c.timeframe}`;
    const previous = this.formingCandles.get(key);
    if (previous && timeMs(c.time) > timeMs(previous.time) && c.timeframe === metaApiTimeframe(this.timeframe)) {
      this.barSubject.next({
        symbol: previous.symbol, timeframe: this.timeframe,
        bar: { time: timeMs(previous.time), open: previous.open, high: previous.high, low: previous.low, close: previous.close, volume: previous.tickVolume ?? previous.volume ?? 0 },
      });
    }
    if (!previous || timeMs(c.time) >= timeMs(previous.time)) this.formingCandles.set(key, c);
  }

  private up(): void {
    if (this.reopenTimer) { clearTimeout(this.reopenTimer); this.reopenTimer = null; }
    this.connected.next(true);
    void this.reconcileNow().catch((err: Error) => this.problemSubject.next(`metaapi: reconciliation failed: ${err.message}`));
  }

  private down(reason: string): void {
    if (!this.isConnected() || this.closed) return;
    this.lostAt = this.serverTime || Date.now();
    this.problemSubject.next(`metaapi: ${reason}`);
    this.connected.next(false);
    this.reopenTimer = setTimeout(() => void this.reopen(), this.options.reopenAfterMs ?? 60_000);
  }

  private async reopen(): Promise<void> {
    this.reopenTimer = null;
    if (this.closed || this.isConnected()) return;
    this.generation += 1;
    await this.session?.close().catch(() => undefined);
    this.session = null;
    try {
      await this.openAndAttach(Number.POSITIVE_INFINITY);
    } catch (err) {
      if (!this.closed) this.problemSubject.next(`metaapi: reopening stopped: ${(err as Error).message}`);
    }
  }

  /**
   * A position-opening deal on the live stream that no order of this engine claims (opened by
   * hand, by another EA, by another instance with the bot's magic): the same reconciliation as a
   * reconnection classifies it (foreign_position, or the bot's magic: adopted or kept as a
   * duplicate), once, as the MT5 bridge does. While an order of the engine's is in flight the deal
   * may be its fill: the reconciliation waits until none is.
   */
  private openedElsewhere(deal: Deal): void {
    this.openingSince = Math.min(this.openingSince ?? deal.time, deal.time);
    this.reconcileOpenings();
  }

  private reconcileOpenings(): void {
    if (this.openingSince === null || !this.isConnected() || this.ordersInFlight > 0) return;
    const since = this.openingSince - DAY_MS;
    this.openingSince = null;
    void this.reconcileNow(since, true).catch((err: Error) => this.problemSubject.next(`metaapi: reconciliation after a position opened on the terminal failed: ${err.message}`));
  }

  /** A fill of a trade answered without one: reported, and adopted through a reconciliation. */
  private adoptLate(clientId: string, ticket: number): void {
    const sentAt = this.lateWatch.get(clientId);
    if (sentAt === undefined) return;
    this.lateWatch.delete(clientId);
    this.problemSubject.next(`metaapi: late fill of clientId ${clientId} (deal ${ticket}): adopted, not repeated`);
    void this.reconcileNow(sentAt - DAY_MS, true).catch((err: Error) => this.problemSubject.next(`metaapi: reconciliation after a late fill failed: ${err.message}`));
  }

  private async reconcileNow(from?: number, connected = false): Promise<void> {
    const known = this.options.knownPositions;
    if (!known || !this.session) return;
    const since = from ?? this.lostAt ?? this.options.firstSyncSince ?? firstSyncSince(known(), Date.now());
    const at = Date.now();
    const rpc = this.session.rpc;
    const [raw, history] = await Promise.all([rpc.getPositions(), allDealsByTimeRange(rpc, new Date(since), new Date(Math.max(at, this.serverTime) + DAY_MS))]);
    const delivered = this.emittedDeals;
    const deals = history.map(toDeal).filter((d): d is Deal => d !== null);
    for (const d of deals) this.seenDeals.add(d.ticket);
    const own = new Set(raw.filter((p) => p.clientId && this.ownClientIds.has(p.clientId)).map((p) => ticketOf(p.id)));
    const result = reconcile(known(), { positions: raw.map(toPosition), deals, since, at }, (p) => own.has(p.ticket));
    const closed = result.closed.filter((c) => !(c.exitDeals.length > 0 && c.exitDeals.every((d) => delivered.has(d.ticket))));
    this.reconciliationSubject.next({ ...result, closed, clean: result.opened.length === 0 && closed.length === 0 && result.changed.length === 0, ...(connected ? { connected } : {}) });
  }

  private orderContext(): MetaApiOrderContext {
    const broker = this;
    return {
      get rpc() { return broker.rpc(); },
      price: (symbol) => this.prices.get(symbol),
      get serverTime() { return broker.serverTime; },
      lateFillWindowMs: this.options.lateFillWindowMs,
      watchLate: (clientId, sentAt) => { this.lateWatch.set(clientId, sentAt); },
    };
  }
}
