import { BehaviorSubject, Subject, type Observable } from 'rxjs';
import { randomBytes } from 'node:crypto';
import {
  TRADE_RETCODE,
  type AccountInfo, type Deal, type Position, type SymbolInfo, type TradeRequest, type TradeResult,
} from '../../model/mt5.ts';
import type { Timeframe } from '../../model/bar.ts';
import type { RestoredPosition } from '../../live/restored-state.ts';
import type { LiveBar, LiveBrokerPort, LiveTick } from '../live-broker-port.ts';
import { reconcile, type Reconciliation } from '../reconcile.ts';
import type { MetaApiCandle, MetaApiEvents, MetaApiOpener, MetaApiSession, MetaApiSymbolPrice } from './metaapi-shapes.ts';
import { failure, sendMetaApiOrder, type MetaApiOrderContext } from './metaapi-orders.ts';
import { metaApiTimeframe, ticketOf, timeMs, toAccountInfo, toDeal, toPosition, toSymbolInfo } from './metaapi-mapping.ts';

export interface MetaApiBrokerOptions {
  /** Symbols whose quotes and candles are streamed on ticks$/bars$. */
  readonly symbols: readonly string[];
  readonly timeframe?: Timeframe;
  /** The journal's open positions; when given, every (re)synchronisation emits a reconciliation. */
  readonly knownPositions?: () => readonly RestoredPosition[];
  readonly firstSyncSince?: number;
  /** Reopen backoff: first delay and cap (default 1 s doubling to 60 s). */
  readonly backoffMs?: { readonly initial: number; readonly max: number };
  /** How long to leave the SDK to reconnect by itself before the adapter reopens the session (default 60 s). */
  readonly reopenAfterMs?: number;
  /** Attempts at start before `connect` gives up (default 5). */
  readonly startAttempts?: number;
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
  private session: MetaApiSession | null = null;
  private generation = 0;
  private lostAt: number | null = null;
  /** Latest time seen in quotes and deals: the trade server's clock, which is often hours off UTC. */
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
  }

  /** Opens the session (retrying with backoff), subscribes to quotes and candles. */
  static async connect(open: MetaApiOpener, options: MetaApiBrokerOptions): Promise<MetaApiBroker> {
    const broker = new MetaApiBroker(open, options);
    await broker.attach(await broker.openWithBackoff(options.startAttempts ?? 5));
    return broker;
  }

  isConnected(): boolean {
    return this.connected.value;
  }

  orderSend(request: TradeRequest): Promise<TradeResult> {
    if (!this.session || !this.isConnected()) return Promise.resolve(failure(this.orderContext(), TRADE_RETCODE.CONNECTION, request, 'MetaApi connection is down'));
    const clientId = `TL_${randomBytes(6).toString('hex').slice(0, 8)}`;
    this.ownClientIds.add(clientId);
    return sendMetaApiOrder(this.orderContext(), request, clientId).then((result) => {
      // Not confirmed: should it have executed after all, the reconciliation must adopt it.
      if (result.retcode !== TRADE_RETCODE.DONE && result.retcode !== TRADE_RETCODE.PLACED) this.ownClientIds.delete(clientId);
      return result;
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
    const { deals } = await this.rpc().getDealsByTimeRange(new Date(fromMs), new Date(toMs));
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

  private async openWithBackoff(maxAttempts: number): Promise<MetaApiSession> {
    let delay = this.options.backoffMs?.initial ?? 1_000;
    for (let attempt = 1; ; attempt++) {
      try {
        const session = await this.open();
        this.sessionsOpened += 1;
        return session;
      } catch (err) {
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
    for (const symbol of this.options.symbols) {
      await session.subscribe(symbol, [{ type: 'quotes' }, { type: 'candles', timeframe }]);
    }
    this.up();
  }

  private events(generation: number): MetaApiEvents {
    const live = () => generation === this.generation;
    return {
      onConnected: () => {},
      onDisconnected: () => { if (live()) this.down('MetaApi reports the terminal disconnected'); },
      onStreamClosed: () => { if (live()) this.down('MetaApi stream closed'); },
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
      },
      onSymbolPriceUpdated: (_i, price) => {
        if (!live()) return;
        this.prices.set(price.symbol, price);
        this.serverTime = Math.max(this.serverTime, timeMs(price.time));
        this.tickSubject.next({ symbol: price.symbol, time: timeMs(price.time), bid: price.bid, ask: price.ask, last: 0, volume: 0 });
      },
      onCandlesUpdated: (_i, candles) => { if (live()) for (const c of candles) this.candle(c); },
    };
  }

  /** MetaApi streams the forming candle; a candle is closed when the next one opens. */
  private candle(c: MetaApiCandle): void {
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
      await this.attach(await this.openWithBackoff(Number.POSITIVE_INFINITY));
    } catch (err) {
      this.problemSubject.next(`metaapi: reopening stopped: ${(err as Error).message}`);
    }
  }

  private async reconcileNow(): Promise<void> {
    const known = this.options.knownPositions;
    if (!known || !this.session) return;
    const since = this.lostAt ?? this.options.firstSyncSince ?? Date.now() - 7 * DAY_MS;
    const at = Date.now();
    const rpc = this.session.rpc;
    const [raw, history] = await Promise.all([rpc.getPositions(), rpc.getDealsByTimeRange(new Date(since), new Date(Math.max(at, this.serverTime) + DAY_MS))]);
    const delivered = this.emittedDeals;
    const deals = history.deals.map(toDeal).filter((d): d is Deal => d !== null);
    for (const d of deals) this.seenDeals.add(d.ticket);
    const own = new Set(raw.filter((p) => p.clientId && this.ownClientIds.has(p.clientId)).map((p) => ticketOf(p.id)));
    const result = reconcile(known(), { positions: raw.map(toPosition), deals, since, at }, (p) => own.has(p.ticket));
    const closed = result.closed.filter((c) => !(c.exitDeals.length > 0 && c.exitDeals.every((d) => delivered.has(d.ticket))));
    this.reconciliationSubject.next({ ...result, closed, clean: result.opened.length === 0 && closed.length === 0 && result.changed.length === 0 });
  }

  private orderContext(): MetaApiOrderContext {
    const broker = this;
    return {
      get rpc() { return broker.rpc(); },
      price: (symbol) => this.prices.get(symbol),
      get serverTime() { return broker.serverTime; },
    };
  }
}
