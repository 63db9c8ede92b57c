import { BehaviorSubject, Subject, type Observable } from 'rxjs';
import { TRADE_RETCODE, type AccountInfo, type Deal, type Position, type SymbolInfo, type TradeRequest, type TradeResult } from '../../model/mt5.ts';
import type { RestoredPosition } from '../../live/restored-state.ts';
import type { LiveBar, LiveBrokerPort, LiveTick } from '../live-broker-port.ts';
import { reconcile, type Reconciliation } from '../reconcile.ts';
import { BridgeServer, type BridgeServerOptions, type BridgeSessionInfo } from './bridge-server.ts';
import type { EaMessage, EaMessageOf, EaMessageType, EngineMessage } from './bridge-protocol.ts';
import { clientIdOf, commentWithClientId, newClientOrderId } from './client-order-id.ts';
import { PendingRequests, type PendingOrder, type PendingQuery } from './pending-requests.ts';
import { LOOKUP_MARGIN_MS, failure, resultFromFound } from './order-results.ts';

export interface Mt5BridgeBrokerOptions extends BridgeServerOptions {
  /** How long a connected EA may take to answer (default 15 s). */
  readonly requestTimeoutMs?: number;
  /** How long requests cut off by a lost connection wait for the EA to come back (default 60 s). */
  readonly reconnectWindowMs?: number;
  /** The journal's open positions; when given, every (re)connection emits a reconciliation. */
  readonly knownPositions?: () => readonly RestoredPosition[];
  /** Start of the window reconciled on the first connection (default: 7 days back). */
  readonly firstSyncSince?: number;
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
  private server!: BridgeServer;
  private lostAt: number | null = null;
  /** Latest time seen in ticks and deals: the trade server's clock, which is often hours off UTC. */
  private serverTime = 0;
  private currentSession: BridgeSessionInfo | null = null;

  private constructor(private readonly options: Mt5BridgeBrokerOptions) {
    this.deals$ = this.dealSubject.asObservable();
    this.connection$ = this.connected.asObservable();
    this.ticks$ = this.tickSubject.asObservable();
    this.bars$ = this.barSubject.asObservable();
    this.reconciliation$ = this.reconciliationSubject.asObservable();
    this.problems$ = this.problemSubject.asObservable();
  }

  /** Starts listening; the broker is connected once an EA has authenticated. */
  static async listen(options: Mt5BridgeBrokerOptions): Promise<Mt5BridgeBroker> {
    const broker = new Mt5BridgeBroker(options);
    broker.server = await BridgeServer.listen(options, {
      onReady: (session) => broker.onReady(session),
      onMessage: (message) => broker.onMessage(message),
      onClosed: (_session, reason) => broker.onClosed(reason),
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

  orderSend(request: TradeRequest): Promise<TradeResult> {
    if (!this.isConnected()) return Promise.resolve(failure(TRADE_RETCODE.CONNECTION, request, 'MT5 bridge: no EA connected'));
    const clientId = newClientOrderId();
    this.ownClientIds.add(clientId);
    const { type: orderType, ...rest } = request;
    const message = { type: 'order' as const, id: '', client_id: clientId, ...rest, order_type: orderType, comment: commentWithClientId(clientId, request.comment) };
    return new Promise<TradeResult>((resolve) => {
      const order: PendingOrder = { kind: 'order', id: this.pending.nextId(), clientId, message, sentAt: Date.now(), resolve, timer: null, orphaned: false };
      this.pending.add(order);
      this.transmit(order);
    });
  }

  async accountInfo(): Promise<AccountInfo> {
    return (await this.query({ type: 'account_get', id: '' }, 'account')).account;
  }

  async symbolInfo(symbol: string): Promise<SymbolInfo | null> {
    return (await this.query({ type: 'symbol_get', id: '', symbol }, 'symbol')).symbol;
  }

  async positionsGet(symbol?: string): Promise<Position[]> {
    return (await this.query({ type: 'positions_get', id: '', symbol: symbol ?? '' }, 'positions')).positions;
  }

  async historyDealsGet(fromMs: number, toMs: number): Promise<Deal[]> {
    return (await this.query({ type: 'deals_get', id: '', from: fromMs, to: toMs }, 'deals')).deals;
  }

  async close(): Promise<void> {
    for (const p of this.pending.all()) {
      this.pending.take(p.id);
      if (p.kind === 'order') p.resolve(failure(TRADE_RETCODE.CONNECTION, null, 'MT5 bridge closed'));
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

  private query<K extends EaMessageType>(message: EngineMessage, expect: K): Promise<EaMessageOf<K>> {
    return new Promise((resolve, reject) => {
      const query: PendingQuery = {
        kind: 'query', id: this.pending.nextId(), message, expect,
        resolve: (reply) => resolve(reply as EaMessageOf<K>), reject, timer: null,
      };
      this.pending.add(query);
      if (this.isConnected()) this.transmit(query);
      else this.orphan(query);
    });
  }

  private transmit(p: PendingOrder | PendingQuery): void {
    if (p.timer) clearTimeout(p.timer);
    (p.message as { id: string }).id = p.id;
    if (!this.server.send(p.message)) return this.orphan(p);
    const timeoutMs = this.options.requestTimeoutMs ?? 15_000;
    p.timer = setTimeout(() => {
      if (!this.pending.take(p.id)) return;
      if (p.kind === 'order') {
        this.ownClientIds.delete(p.clientId); // if it did execute, the next reconciliation adopts it
        p.resolve(failure(TRADE_RETCODE.TIMEOUT, p.message, `no result from the EA within ${timeoutMs} ms; order state unknown (a fill would arrive as a deal)`));
      }
      else p.reject(new Error(`mt5-bridge: no reply to "${p.message.type}" within ${timeoutMs} ms`));
    }, timeoutMs);
  }

  /** Parks a request whose connection is gone until the EA returns or the window closes. */
  private orphan(p: PendingOrder | PendingQuery): void {
    if (p.timer) clearTimeout(p.timer);
    if (p.kind === 'order') p.orphaned = true;
    const windowMs = this.options.reconnectWindowMs ?? 60_000;
    p.timer = setTimeout(() => {
      if (!this.pending.take(p.id)) return;
      if (p.kind === 'order') {
        this.ownClientIds.delete(p.clientId); // no longer "ours in flight": the reconciliation adopts it if it executed
        p.resolve(failure(TRADE_RETCODE.CONNECTION, p.message, `connection to the EA lost and not back within ${windowMs} ms; if the order executed, the next reconciliation reports it`));
      }
      else p.reject(new Error(`mt5-bridge: no EA connected within ${windowMs} ms to answer "${p.message.type}"`));
    }, windowMs);
  }

  private onReady(session: BridgeSessionInfo): void {
    this.currentSession = session;
    this.connected.next(true);
    void this.recover().catch((err: Error) => this.problemSubject.next(`mt5-bridge: recovery after reconnect failed: ${err.message}`));
  }

  private onClosed(reason: string): void {
    this.currentSession = null;
    this.lostAt = this.serverTime || Date.now();
    this.problemSubject.next(`mt5-bridge: EA session closed: ${reason}`);
    for (const p of this.pending.all()) this.orphan(p);
    this.connected.next(false);
  }

  /** After (re)connecting: settle cut-off orders without duplicating them, resend reads, reconcile. */
  private async recover(): Promise<void> {
    const orphans = this.pending.all().filter((p) => p.timer && (p.kind === 'query' || p.orphaned));
    for (const p of orphans) {
      if (p.kind === 'query') { this.pending.rekey(p); this.transmit(p); continue; }
      let found: EaMessageOf<'found'>;
      try {
        found = await this.query({ type: 'lookup', id: '', client_id: p.clientId, from: p.sentAt - LOOKUP_MARGIN_MS }, 'found');
      } catch (err) {
        // Lost again mid-lookup: the order stays parked (onClosed re-armed its window timer).
        this.problemSubject.next(`mt5-bridge: lookup of client order ${p.clientId} failed: ${(err as Error).message}`);
        continue;
      }
      if (!this.pending.take(p.id)) continue;
      const result = resultFromFound(found, p.message);
      if (result) {
        for (const deal of found.deals) this.deliverDeal(deal);
        p.resolve(result);
      } else {
        p.orphaned = false;
        this.pending.add(p);
        this.pending.rekey(p);
        this.transmit(p);
      }
    }
    const known = this.options.knownPositions;
    if (!known) return;
    const since = this.lostAt ?? this.options.firstSyncSince ?? Date.now() - 7 * 86_400_000;
    const at = Date.now();
    const [positions, deals] = await Promise.all([this.positionsGet(), this.historyDealsGet(since, Math.max(at, this.serverTime) + LOOKUP_MARGIN_MS)]);
    const delivered = this.emittedDeals;
    for (const d of deals) this.seenDeals.add(d.ticket);
    const ownOrder = (p: Position) => this.ownClientIds.has(clientIdOf(p.comment) ?? '');
    const result = reconcile(known(), { positions, deals, since, at }, ownOrder);
    const closed = result.closed.filter((c) => !(c.exitDeals.length > 0 && c.exitDeals.every((d) => delivered.has(d.ticket))));
    this.reconciliationSubject.next({ ...result, closed, clean: result.opened.length === 0 && closed.length === 0 && result.changed.length === 0 });
  }

  private onMessage(message: EaMessage): void {
    switch (message.type) {
      case 'tick': {
        const { type: _type, symbol, ...tick } = message;
        this.serverTime = Math.max(this.serverTime, tick.time);
        this.tickSubject.next({ symbol, ...tick });
        return;
      }
      case 'bar': {
        const { symbol, timeframe, time, open, high, low, close, volume } = message;
        this.barSubject.next({ symbol, timeframe, bar: { time, open, high, low, close, volume } });
        return;
      }
      case 'deal':
        return this.deliverDeal(message.deal);
      case 'order_result': {
        const p = this.pending.take(message.id);
        if (!p || p.kind !== 'order') { this.duplicatesDropped += 1; return; }
        return p.resolve(message.result);
      }
      case 'error':
        if (message.id) {
          const p = this.pending.take(message.id);
          if (p?.kind === 'query') return p.reject(new Error(`mt5-bridge: EA error for "${p.message.type}": ${message.message}`));
          if (p?.kind === 'order') return p.resolve(failure(TRADE_RETCODE.ERROR, p.message, `EA error: ${message.message}`));
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

  private deliverDeal(deal: Deal): void {
    if (this.seenDeals.has(deal.ticket)) { this.duplicatesDropped += 1; return; }
    this.seenDeals.add(deal.ticket);
    this.serverTime = Math.max(this.serverTime, deal.time);
    this.emittedDeals.add(deal.ticket);
    this.dealSubject.next(deal);
  }
}
