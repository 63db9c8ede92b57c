import { BehaviorSubject } from 'rxjs/internal/BehaviorSubject';
import { Subject } from 'rxjs/internal/Subject';
import type { Observable } from 'rxjs';
import { DEAL_ENTRY_IN, TRADE_RETCODE, type AccountInfo, type Deal, type Position, type SymbolInfo, type TradeRequest, type TradeResult } from '../../model/mt5.ts';
import type { RestoredPosition } from '../../model/restored-state.ts';
import type { LiveBar, LiveBrokerPort, LiveTick } from '../live-broker-port.ts';
import { firstSyncSince, reconcile, type Reconciliation } from '../reconcile.ts';
import type { Bar } from '../../model/bar.ts';
import { BridgeServer, type BridgeServerOptions, type BridgeSessionInfo } from './bridge-server.ts';
import type { EaMessage, EaMessageOf, EaMessageType, EngineMessage } from './bridge-protocol.ts';
import { clientIdOf, commentWithClientId, newClientOrderId } from './client-order-id.ts';
import { PendingRequests, type PendingOrder, type PendingQuery } from './pending-requests.ts';
import { LOOKUP_MARGIN_MS, failure, resultFromFound } from './order-results.ts';
import { normaliseRequest, type BridgeSymbolRules } from './order-normalise.ts';
import { BarGaps } from './bar-gaps.ts';
import { FutureStamps } from '../future-stamps.ts';
import { ServerClock } from './server-clock.ts';

export interface Mt5BridgeBrokerOptions extends BridgeServerOptions {
  /** How long a connected EA may take to answer (default 15 s). */
  readonly requestTimeoutMs?: number;
  /** How long requests cut off by a lost connection wait for the EA to come back (default 60 s). */
  readonly reconnectWindowMs?: number;
  /** The journal's open positions; when given, every (re)connection emits a reconciliation. */
  readonly knownPositions?: () => readonly RestoredPosition[];
  /** Start of the window reconciled on the first connection (default: 7 days back, or a day before the earliest known position opened: `firstSyncSince`). */
  readonly firstSyncSince?: number;
  /** Deals per `deals_get` reply and bars per `history` reply (default 500: replies stay far below the line limit). */
  readonly historyPageSize?: number;
  /** This machine's UTC clock (default `Date.now`): bars and ticks stamped later than it (`FUTURE_TOLERANCE_MS`) are refused. */
  readonly now?: () => number;
}

export type BridgeTick = LiveTick;
export type BridgeBar = LiveBar;

/**
 * The broker port over the MT5 socket bridge: the engine listens, the TradeloomBridge EA inside
 * the terminal connects, authenticates and executes. Rejections come back as TradeResults with
 * the terminal's retcode; nothing here throws for a refused order.
 *
 * Never twice: each order carries a client order id in its comment. If the connection drops
 * before the result arrives, the order waits (up to `reconnectWindowMs`) for the EA to return,
 * then the terminal is searched for that id; only if nothing carries it is the order resent
 * (and the EA itself answers a repeated id from its own memory instead of trading again).
 */
export class Mt5BridgeBroker implements LiveBrokerPort {
  readonly name = 'mt5-bridge';
  readonly deals$: Observable<Deal>;
  readonly connection$: Observable<boolean>;
  readonly ticks$: Observable<BridgeTick>;
  readonly bars$: Observable<BridgeBar>;
  /** One per (re)connection when `knownPositions` is given: what changed while away. */
  readonly reconciliation$: Observable<Reconciliation>;
  /** Bad lines, refused peers, lost sessions: for the log. */
  readonly problems$: Observable<string>;
  /** Duplicate deals and results dropped so far (observability, tests). */
  duplicatesDropped = 0;

  private readonly connected = new BehaviorSubject(false);
  private readonly dealSubject = new Subject<Deal>();
  private readonly tickSubject = new Subject<BridgeTick>();
  private readonly barSubject = new Subject<BridgeBar>();
  private readonly reconciliationSubject = new Subject<Reconciliation>();
  private readonly problemSubject = new Subject<string>();
  private readonly pending = new PendingRequests();
  private readonly seenDeals = new Set<number>();
  /** Tickets actually published on deals$ (a subset of seenDeals). */
  private readonly emittedDeals = new Set<number>();
  private readonly ownClientIds = new Set<string>();
  /** Deal tickets that are some order's confirmed fill: a fallback lookup must not hand them to another order. */
  private readonly claimedDeals = new Set<number>();
  /** Orders answered without a confirmed outcome, by client id (value: when sent): a fill arriving later is adopted. */
  private readonly lateWatch = new Map<string, number>();
  private readonly symbolRules = new Map<string, BridgeSymbolRules>();
  private readonly barGaps: BarGaps;
  private readonly stamps: FutureStamps;
  private server!: BridgeServer;
  private lostAt: number | null = null;
  /** Latest time seen in ticks and deals (UTC: converted from the trade server's clock on arrival). */
  private serverTime = 0;
  /** The trade server's offset from UTC: every time from the EA is converted with it on arrival, every request bound on the way out. */
  private readonly clock: ServerClock;
  private currentSession: BridgeSessionInfo | null = null;
  /** Time of the earliest position-opening deal no order of this engine claims, waiting for its reconciliation (`openedElsewhere`). */
  private openingSince: number | null = null;

  private constructor(private readonly options: Mt5BridgeBrokerOptions) {
    this.deals$ = this.dealSubject.asObservable();
    this.connection$ = this.connected.asObservable();
    this.ticks$ = this.tickSubject.asObservable();
    this.bars$ = this.barSubject.asObservable();
    this.reconciliation$ = this.reconciliationSubject.asObservable();
    this.problems$ = this.problemSubject.asObservable();
    this.stamps = new FutureStamps(options.now ?? Date.now, (text) => this.problemSubject.next(text));
    this.barGaps = new BarGaps((bar) => this.barSubject.next(bar), (bar) => this.stamps.barOk(bar));
    this.clock = new ServerClock((text) => this.problemSubject.next(text));
  }

  /** Starts listening; the broker is connected once an EA has authenticated. */
  static async listen(options: Mt5BridgeBrokerOptions): Promise<Mt5BridgeBroker> {
    const broker = new Mt5BridgeBroker(options);
    broker.server = await BridgeServer.listen(options, {
      onReady: (session) => broker.onReady(session),
      onMessage: (message) => broker.onMessage(message),
      onClosed: (_session, reason, cause) => broker.onClosed(reason, cause.oversized),
      onProblem: (text) => broker.problemSubject.next(text),
    });
    return broker;
  }

  get port(): number {
    return this.server.port;
  }

  isConnected(): boolean {
    return this.connected.value;
  }

  /** The connected EA (login, server), for status displays; null while none is. */
  get eaSession(): BridgeSessionInfo | null {
    return this.currentSession;
  }

  /** Resolves when an EA is connected (immediately if one is); rejects after `timeoutMs`. */
  waitConnected(timeoutMs = this.options.reconnectWindowMs ?? 60_000): Promise<void> {
    if (this.isConnected()) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => { sub.unsubscribe(); reject(new Error(`mt5-bridge: no EA connected within ${timeoutMs} ms (port ${this.port})`)); }, timeoutMs);
      const sub = this.connected.subscribe((up) => { if (up) { clearTimeout(timer); queueMicrotask(() => sub.unsubscribe()); resolve(); } });
    });
  }

  async orderSend(request: TradeRequest): Promise<TradeResult> {
    if (!this.isConnected()) return failure(TRADE_RETCODE.CONNECTION, request, 'MT5 bridge: no EA connected');
    const clientId = newClientOrderId();
    this.ownClientIds.add(clientId);
    const rules = await this.rulesOf(request.symbol);
    const { type: orderType, ...rest } = rules ? normaliseRequest(request, rules) : request;
    const message = { type: 'order' as const, id: '', client_id: clientId, ...rest, order_type: orderType, comment: commentWithClientId(clientId, request.comment) };
    return new Promise<TradeResult>((resolve) => {
      // The lookup window starts from the earlier of both clocks (an old EA's times may still be on the trade server's).
      const sentAt = Math.min(Date.now(), this.serverTime || Date.now());
      const order: PendingOrder = { kind: 'order', id: this.pending.nextId(), clientId, message, sentAt, resolve, timer: null, orphaned: false, settled: false };
      this.pending.add(order);
      this.transmit(order);
    });
  }

  async accountInfo(): Promise<AccountInfo> {
    return (await this.query({ type: 'account_get', id: '' }, 'account')).account;
  }

  async symbolInfo(symbol: string): Promise<SymbolInfo | null> {
    const info = (await this.query({ type: 'symbol_get', id: '', symbol }, 'symbol')).symbol;
    if (info) this.symbolRules.set(symbol, info);
    return info;
  }

  async positionsGet(symbol?: string): Promise<Position[]> {
    return (await this.query({ type: 'positions_get', id: '', symbol: symbol ?? '' }, 'positions')).positions;
  }

  /**
   * Deals in `[fromMs, toMs]`, fetched a page at a time (`offset`/`limit`) so that no reply comes
   * near the line limit however long the history. An EA without paging answers everything at once
   * (no `total`), which is taken as the whole answer.
   */
  async historyDealsGet(fromMs: number, toMs: number): Promise<Deal[]> {
    const limit = this.pageSize();
    const deals: Deal[] = [];
    for (let offset = 0; ;) {
      const page = await this.query({ type: 'deals_get', id: '', from: fromMs, to: toMs, offset, limit }, 'deals');
      deals.push(...page.deals);
      offset += page.deals.length;
      if (page.total === undefined || page.deals.length === 0 || offset >= page.total) return deals;
    }
  }

  /** Closed bars of `symbol`/`timeframe` opened at or after `fromMs` (`toMs` 0: up to the last closed one), a page at a time. */
  async historyBars(symbol: string, timeframe: string, fromMs: number, toMs = 0): Promise<Bar[]> {
    const limit = this.pageSize();
    const bars: Bar[] = [];
    for (let from = fromMs; ;) {
      const page = await this.query({ type: 'history', id: '', symbol, timeframe, from, to: toMs, limit }, 'bars');
      bars.push(...page.bars);
      if (page.bars.length < limit) return bars;
      from = page.bars[page.bars.length - 1]!.time + 1;
    }
  }

  async close(): Promise<void> {
    for (const p of this.pending.all()) {
      this.pending.take(p.id);
      if (p.kind === 'order') this.settle(p, failure(TRADE_RETCODE.CONNECTION, null, 'MT5 bridge closed'));
      else p.reject(new Error('mt5-bridge: broker closed'));
    }
    await this.server.close();
    this.connected.next(false);
    for (const s of [this.dealSubject, this.tickSubject, this.barSubject, this.reconciliationSubject, this.problemSubject, this.connected]) s.complete();
  }

  /** Drops the EA session as if the network failed (tests, operator action). */
  dropSession(reason = 'dropped by the engine'): void {
    this.server.dropSession(reason);
  }

  private pageSize(): number {
    return Math.max(1, this.options.historyPageSize ?? 500);
  }

  /** The symbol's trading rules (digits, tick, step, filling), asked once per session; null if the EA cannot say. */
  private async rulesOf(symbol: string): Promise<BridgeSymbolRules | null> {
    const known = this.symbolRules.get(symbol);
    if (known) return known;
    try {
      return await this.symbolInfo(symbol);
    } catch (err) {
      this.problemSubject.next(`mt5-bridge: no symbol rules for ${symbol} (${(err as Error).message}); the order goes out as given, the EA normalises it`);
      return null;
    }
  }

  private query<K extends EaMessageType>(message: EngineMessage, expect: K): Promise<EaMessageOf<K>> {
    return new Promise((resolve, reject) => {
      const query: PendingQuery = {
        kind: 'query', id: this.pending.nextId(), message, expect,
        resolve: (reply) => resolve(reply as EaMessageOf<K>), reject, timer: null, sent: false,
      };
      this.pending.add(query);
      if (this.isConnected()) this.transmit(query);
      else this.orphan(query);
    });
  }

  private transmit(p: PendingOrder | PendingQuery): void {
    if (p.timer) clearTimeout(p.timer);
    (p.message as { id: string }).id = p.id;
    if (!this.server.send(this.clock.toServer(p.message))) return this.orphan(p);
    if (p.kind === 'query') p.sent = true;
    const timeoutMs = this.options.requestTimeoutMs ?? 15_000;
    p.timer = setTimeout(() => {
      if (p.kind === 'order') return this.probe(p);
      if (!this.pending.take(p.id)) return;
      p.reject(new Error(`mt5-bridge: no reply to "${p.message.type}" within ${timeoutMs} ms`));
    }, timeoutMs);
  }

  /**
   * An order without a result after `requestTimeoutMs`: the trade server may still be filling it
   * (MT5's OrderSend blocks the EA meanwhile). The EA handles lines one at a time, so a `lookup`
   * sent now is answered only after that order is done: a late result settles the order first;
   * an empty answer proves the EA never executed it. Nothing is resent. If neither comes within a
   * second period the outcome is unknown: 10031, and a fill seen later is adopted.
   */
  private probe(p: PendingOrder): void {
    const timeoutMs = this.options.requestTimeoutMs ?? 15_000;
    p.timer = setTimeout(() => this.giveUp(p, `no result and no answer to a status lookup within ${2 * timeoutMs} ms`), timeoutMs);
    this.lookup(p).then((found) => {
      if (p.settled || p.orphaned) return;
      this.pending.take(p.id);
      const result = resultFromFound(found, p.message, this.claimedDeals);
      if (result) {
        for (const deal of found.deals) if (deal.ticket === result.deal) this.deliverDeal(deal);
        this.settle(p, result);
      } else {
        this.settle(p, failure(TRADE_RETCODE.REJECT, p.message, 'no result from the EA, and its lookup shows the order was never executed (not resent)'));
      }
    }, () => undefined); // lost mid-lookup: onClosed parked the order, recover() looks it up
  }

  private giveUp(p: PendingOrder, why: string): void {
    if (p.settled || !this.pending.take(p.id)) return;
    this.ownClientIds.delete(p.clientId); // if it executed, the reconciliation adopts it
    this.lateWatch.set(p.clientId, p.sentAt);
    this.settle(p, failure(TRADE_RETCODE.CONNECTION, p.message, `${why}; outcome unknown, do not resend: a fill arriving later is adopted and reported on reconciliation$`));
  }

  private settle(p: PendingOrder, result: TradeResult): void {
    if (p.settled) return;
    p.settled = true;
    if (p.timer) clearTimeout(p.timer);
    if (result.deal) this.claimedDeals.add(result.deal);
    if (result.retcode === TRADE_RETCODE.PLACED && !result.deal) {
      // Placed, not filled (yet): the engine takes no position and sends nothing again; a fill
      // arriving later is adopted through a reconciliation, like a late fill.
      this.ownClientIds.delete(p.clientId);
      this.lateWatch.set(p.clientId, p.sentAt);
    }
    p.resolve(result);
    // A position opened elsewhere while this order was in flight: classified now (after the order's own fill is the bot's).
    if (this.openingSince !== null) queueMicrotask(() => this.reconcileOpenings());
  }

  private lookup(p: PendingOrder): Promise<EaMessageOf<'found'>> {
    const m = p.message;
    return this.query({
      type: 'lookup', id: '', client_id: p.clientId, from: p.sentAt - LOOKUP_MARGIN_MS,
      symbol: m.symbol, magic: m.magic, volume: m.volume, order_type: m.order_type, position: m.position,
    }, 'found');
  }

  /** Parks a request whose connection is gone until the EA returns or the window closes. */
  private orphan(p: PendingOrder | PendingQuery): void {
    if (p.timer) clearTimeout(p.timer);
    if (p.kind === 'order') p.orphaned = true;
    else p.sent = false;
    const windowMs = this.options.reconnectWindowMs ?? 60_000;
    p.timer = setTimeout(() => {
      if (p.kind === 'order') return this.giveUp(p, `connection to the EA lost and not back within ${windowMs} ms`);
      if (!this.pending.take(p.id)) return;
      p.reject(new Error(`mt5-bridge: no EA connected within ${windowMs} ms to answer "${p.message.type}"`));
    }, windowMs);
  }

  private onReady(session: BridgeSessionInfo): void {
    this.currentSession = session;
    this.clock.startSession(session.serverOffsetS, session.ea);
    this.symbolRules.clear();
    const wasLost = this.lostAt !== null;
    this.connected.next(true);
    void this.recover(wasLost).catch((err: Error) => this.problemSubject.next(`mt5-bridge: recovery after reconnect failed: ${err.message}`));
  }

  /**
   * `oversized`: the EA's last line broke the size limit. Reads already sent on that session are
   * the suspects: asking them again as is would kill every following session the same way (the
   * old loop: 1, 3, 6 history requests and never a reconciliation), so they fail now instead.
   */
  private onClosed(reason: string, oversized: boolean): void {
    this.currentSession = null;
    this.lostAt = this.serverTime || Date.now();
    this.problemSubject.next(`mt5-bridge: EA session closed: ${reason}`);
    for (const p of this.pending.all()) {
      if (oversized && p.kind === 'query' && p.sent) {
        this.pending.take(p.id);
        p.reject(new Error(`mt5-bridge: the EA's reply to "${p.message.type}" broke the line size limit and ended the session; not asked again (${reason})`));
      } else this.orphan(p);
    }
    this.connected.next(false);
  }

  /** After (re)connecting: settle cut-off orders without duplicating them, resend reads, backfill bars, reconcile. */
  private async recover(wasLost: boolean): Promise<void> {
    const orphans = this.pending.all().filter((p) => p.timer && (p.kind === 'query' ? !p.sent : p.orphaned));
    for (const p of orphans) {
      if (p.kind === 'query') { this.pending.rekey(p); this.transmit(p); continue; }
      let found: EaMessageOf<'found'>;
      try {
        found = await this.lookup(p);
      } catch (err) {
        // Lost again mid-lookup: the order stays parked (onClosed re-armed its window timer).
        this.problemSubject.next(`mt5-bridge: lookup of client order ${p.clientId} failed: ${(err as Error).message}`);
        continue;
      }
      if (p.settled || !this.pending.take(p.id)) continue;
      const result = resultFromFound(found, p.message, this.claimedDeals);
      if (result) {
        for (const deal of found.deals) if (deal.ticket === result.deal) this.deliverDeal(deal);
        this.settle(p, result);
      } else {
        p.orphaned = false;
        this.pending.add(p);
        this.pending.rekey(p);
        this.transmit(p);
      }
    }
    if (wasLost) await this.barGaps.fill((symbol, timeframe, from) => this.historyBars(symbol, timeframe, from), (text) => this.problemSubject.next(text));
    await this.reconcileNow(this.lostAt ?? this.options.firstSyncSince ?? firstSyncSince(this.options.knownPositions?.() ?? [], Date.now()));
  }

  private async reconcileNow(since: number, connected = false): Promise<void> {
    const known = this.options.knownPositions;
    if (!known) return;
    const at = Date.now();
    const [positions, deals] = await Promise.all([this.positionsGet(), this.historyDealsGet(since, Math.max(at, this.serverTime) + LOOKUP_MARGIN_MS)]);
    const delivered = this.emittedDeals;
    for (const d of deals) this.seenDeals.add(d.ticket);
    const ownOrder = (p: Position) => this.ownClientIds.has(clientIdOf(p.comment) ?? '');
    const result = reconcile(known(), { positions, deals, since, at }, ownOrder);
    const closed = result.closed.filter((c) => !(c.exitDeals.length > 0 && c.exitDeals.every((d) => delivered.has(d.ticket))));
    this.reconciliationSubject.next({ ...result, closed, clean: result.opened.length === 0 && closed.length === 0 && result.changed.length === 0, ...(connected ? { connected } : {}) });
  }

  /**
   * A position-opening deal on the live stream that no order of this engine claims (opened by
   * hand, by another EA, by another instance with the bot's magic): the same reconciliation as a
   * reconnection classifies it (foreign_position, or the bot's magic: adopted or kept as a
   * duplicate), once. While an order of the engine's is in flight the deal may be its fill (a
   * broker that rewrites comments hides the client id): the reconciliation waits until none is,
   * by when that fill is the journal's.
   */
  private openedElsewhere(deal: Deal): void {
    if (this.claimedDeals.has(deal.ticket) || this.ownClientIds.has(clientIdOf(deal.comment) ?? '')) return;
    this.openingSince = Math.min(this.openingSince ?? deal.time, deal.time);
    this.reconcileOpenings();
  }

  private reconcileOpenings(): void {
    if (this.openingSince === null || !this.isConnected() || this.pending.all().some((p) => p.kind === 'order')) return;
    const since = this.openingSince - LOOKUP_MARGIN_MS;
    this.openingSince = null;
    void this.reconcileNow(since, true).catch((err: Error) => this.problemSubject.next(`mt5-bridge: reconciliation after a position opened on the terminal failed: ${err.message}`));
  }

  /** A fill of an order that had already been answered without one: reported, and adopted through a reconciliation. */
  private adoptLate(clientId: string, detail: string): void {
    const sentAt = this.lateWatch.get(clientId);
    if (sentAt === undefined) return;
    this.lateWatch.delete(clientId);
    this.problemSubject.next(`mt5-bridge: late fill of client order ${clientId} (${detail}): adopted, not repeated`);
    void this.reconcileNow(sentAt - LOOKUP_MARGIN_MS, true).catch((err: Error) => this.problemSubject.next(`mt5-bridge: reconciliation after a late fill failed: ${err.message}`));
  }

  private onMessage(received: EaMessage): void {
    const message = this.clock.toUtc(received);
    switch (message.type) {
      case 'heartbeat':
        if (message.server_offset_s !== undefined) this.clock.update(message.server_offset_s, 'heartbeat');
        return;
      case 'tick': {
        const { type: _type, symbol, ...tick } = message;
        if (!this.stamps.tickOk(symbol, tick.time)) return;
        this.serverTime = Math.max(this.serverTime, tick.time);
        this.tickSubject.next(this.stamps.ahead(tick.time) ? { symbol, ...tick, ahead: true } : { symbol, ...tick });
        return;
      }
      case 'bar': {
        const { symbol, timeframe, time, open, high, low, close, volume } = message;
        this.barGaps.live({ symbol, timeframe, bar: { time, open, high, low, close, volume } });
        return;
      }
      case 'deal': {
        const fresh = this.deliverDeal(message.deal);
        const id = clientIdOf(message.deal.comment);
        if (id && this.lateWatch.has(id)) this.adoptLate(id, `deal ${message.deal.ticket}`);
        else if (fresh && message.deal.entry === DEAL_ENTRY_IN) this.openedElsewhere(message.deal);
        return;
      }
      case 'order_result': {
        const p = this.pending.take(message.id);
        if (!p || p.kind !== 'order') {
          this.duplicatesDropped += 1;
          if ((message.result.retcode === TRADE_RETCODE.DONE || message.result.retcode === TRADE_RETCODE.DONE_PARTIAL) && this.lateWatch.has(message.client_id)) this.adoptLate(message.client_id, `result with deal ${message.result.deal}`);
          return;
        }
        return this.settle(p, message.result);
      }
      case 'error':
        if (message.id) {
          const p = this.pending.take(message.id);
          if (p?.kind === 'query') return p.reject(new Error(`mt5-bridge: EA error for "${p.message.type}": ${message.message}`));
          if (p?.kind === 'order') return this.settle(p, failure(TRADE_RETCODE.ERROR, p.message, `EA error: ${message.message}`));
        }
        this.problemSubject.next(`mt5-bridge: EA reports: ${message.message}`);
        return;
      default: {
        const id = (message as { id?: string }).id;
        if (!id) return; // unsolicited account/positions snapshots: the broker always asks fresh
        const p = this.pending.take(id);
        if (!p) { this.duplicatesDropped += 1; return; }
        if (p.kind === 'query' && p.expect === message.type) return p.resolve(message);
        if (p.kind === 'query') p.reject(new Error(`mt5-bridge: expected "${p.expect}" in reply to "${p.message.type}", got "${message.type}"`));
      }
    }
  }

  /** Publishes `deal` on deals$ once; false if it was seen already. */
  private deliverDeal(deal: Deal): boolean {
    if (this.seenDeals.has(deal.ticket)) { this.duplicatesDropped += 1; return false; }
    this.seenDeals.add(deal.ticket);
    this.serverTime = Math.max(this.serverTime, deal.time);
    this.emittedDeals.add(deal.ticket);
    this.dealSubject.next(deal);
    return true;
  }
}
