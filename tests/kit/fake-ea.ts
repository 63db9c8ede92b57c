import { connect, type Socket } from 'node:net';
import { connect as tlsConnect } from 'node:tls';
import { createHash } from 'node:crypto';
import { DEAL_ENTRY_IN, DEAL_ENTRY_OUT, TRADE_RETCODE, type Deal, type TradeRequest, type TradeResult } from '../../engine/model/mt5.ts';
import type { FakeTerminal } from './fake-terminal.ts';

export interface FakeEaOptions {
  readonly port: number;
  readonly secret: string;
  readonly terminal: FakeTerminal;
  /** `whole`: one write per line; `split`: every line in 1–5 byte pieces; `coalesced`: several lines per write. */
  readonly chunking?: 'whole' | 'split' | 'coalesced';
  /** Sends every deal and order result twice (a flaky link retransmitting). */
  readonly duplicateDeliveries?: boolean;
  readonly protocolVersion?: number;
  /** An EA build before paging: `deals_get` is answered in one line whatever `limit` says. */
  readonly ignoresPaging?: boolean;
  /** Connects over TLS, trusting this CA (the EA's `InpTls`). */
  readonly tlsCa?: string | Buffer;
  /** The MT5 login it reports (two EAs of one account share it). */
  readonly login?: number;
  /**
   * Stores executed client ids in the terminal's global variables as TradeloomBridge.mq5 does
   * (default true). false plays an EA whose store is gone (a fresh terminal data folder).
   */
  readonly persistIds?: boolean;
  /**
   * The trade server's clock minus UTC in seconds, reported in the hello and on every heartbeat as
   * TradeloomBridge 1.20 does (default 0, a server on UTC). null plays an EA before 1.20, which
   * reports none. The times the fake sends are the terminal's, that is on this server clock.
   */
  readonly serverOffsetS?: number | null;
}

type Flat = Record<string, string | number>;

/**
 * Plays the terminal's side of the MT5 bridge protocol, as TradeloomBridge.mq5 does: hello,
 * challenge-response auth, heartbeats, ticks, order execution on a FakeTerminal (answering a
 * repeated client order id from memory, never trading twice), lookups, history. Scripted faults:
 * dying mid-message, dying after executing an order but before answering, duplicate deliveries.
 */
export class FakeEa {
  readonly received: Flat[] = [];
  /** Set: the next order executes on the terminal, then the socket dies before the result is sent. */
  dieAfterNextExecution = false;
  /** Set: the next order is ignored (the terminal never sees it) and the socket dies. */
  dieOnNextOrder = false;
  /** Set: the EA hangs (answers nothing, not even heartbeats). */
  silent = false;
  /** Set: the next order's trade server answers only after this many ms; the EA, blocked in OrderSend, handles nothing meanwhile. */
  slowNextExecutionMs = 0;
  /** Lines are handled one at a time, like the EA's single-threaded event loop. */
  private inbox: Promise<void> = Promise.resolve();
  private socket: Socket | null = null;
  private writes: Promise<void> = Promise.resolve();
  private tail = '';
  private readonly answered = new Map<string, TradeResult>();
  private readyResolve: (() => void) | null = null;
  private readyReject: ((e: Error) => void) | null = null;
  private offsetS: number | null;

  constructor(private readonly options: FakeEaOptions) {
    options.terminal.onDeal((deal) => this.pushDeal(deal));
    this.offsetS = options.serverOffsetS === undefined ? 0 : options.serverOffsetS;
  }

  /** The trade server's clock changed (DST): like the EA, reports it at once with a heartbeat, before anything stamped later. */
  changeServerOffset(offsetS: number): void {
    this.offsetS = offsetS;
    this.send({ type: 'heartbeat', t: Date.now(), server_offset_s: offsetS });
  }

  get connected(): boolean {
    return this.socket !== null && !this.socket.destroyed;
  }

  /** Connects and authenticates; resolves on `welcome`, rejects on `reject`/close. */
  connect(): Promise<void> {
    const socket = this.options.tlsCa
      ? tlsConnect({ port: this.options.port, host: '127.0.0.1', ca: this.options.tlsCa, servername: 'localhost' })
      : connect({ port: this.options.port, host: '127.0.0.1', noDelay: true });
    this.socket = socket;
    this.tail = '';
    this.writes = Promise.resolve();
    // Lines still arriving on a socket this EA has replaced (say, the engine's reject) are not for the new session.
    socket.on('data', (chunk) => { if (this.socket === socket) this.receive(chunk.toString('utf8')); });
    socket.on('error', () => {});
    const ready = new Promise<void>((resolve, reject) => { this.readyResolve = resolve; this.readyReject = reject; });
    const rejectThis = this.readyReject;
    socket.on('close', () => {
      if (this.socket === socket) this.socket = null;
      if (this.readyReject === rejectThis) this.readyReject?.(new Error('fake EA: connection closed before welcome'));
    });
    const offset = this.offsetS === null ? {} : { server_offset_s: this.offsetS };
    this.send({ type: 'hello', v: this.options.protocolVersion ?? 1, ea: 'FakeEA', login: this.options.login ?? 5_001_234, server: 'Fake-Demo', build: 4000, ...offset });
    return ready;
  }

  /** The terminal (or the EA) restarts: its memory is gone, the terminal's global variables stay; it connects again. */
  async restart(): Promise<void> {
    this.disconnect();
    this.answered.clear();
    await this.connect();
  }

  /** The network fails: no goodbye. */
  disconnect(): void {
    this.socket?.destroy();
    this.socket = null;
  }

  /** Writes the first half of a message, then the connection dies. */
  async disconnectMidMessage(): Promise<void> {
    const line = JSON.stringify({ type: 'tick', symbol: 'EURUSD', time: 1, bid: 1, ask: 1, last: 0, volume: 0 });
    await this.flush();
    this.socket?.write(line.slice(0, 20));
    await new Promise((r) => setTimeout(r, 20));
    this.disconnect();
  }

  tick(symbol: string, time: number, bid: number, ask: number): void {
    this.options.terminal.setQuote(symbol, time, bid, ask);
    this.send({ type: 'tick', symbol, time, bid, ask, last: 0, volume: 0 });
  }

  bar(symbol: string, timeframe: string, bar: { time: number; open: number; high: number; low: number; close: number; volume: number }): void {
    this.options.terminal.closeBar(symbol, timeframe, bar);
    this.send({ type: 'bar', symbol, timeframe, ...bar });
  }

  /** Sends raw text (malformed input tests). */
  sendRaw(text: string): void {
    this.enqueue(text);
  }

  /** Resolves when every queued write has been handed to the socket. */
  flush(): Promise<void> {
    return this.writes;
  }

  private pushDeal(deal: Deal): void {
    if (!this.connected) return; // the real EA cannot send while its socket is down; the engine reconciles
    this.send({ type: 'deal', deal });
    if (this.options.duplicateDeliveries) this.send({ type: 'deal', deal });
  }

  private receive(text: string): void {
    this.tail += text;
    let nl = this.tail.indexOf('\n');
    while (nl >= 0) {
      const line = this.tail.slice(0, nl);
      this.tail = this.tail.slice(nl + 1);
      if (line.trim()) {
        const m = JSON.parse(line) as Flat;
        this.inbox = this.inbox.then(() => this.handle(m));
      }
      nl = this.tail.indexOf('\n');
    }
  }

  private handle(m: Flat): void | Promise<void> {
    this.received.push(m);
    if (this.silent) return;
    const t = this.options.terminal;
    switch (m.type) {
      case 'challenge':
        return this.send({ type: 'auth', digest: createHash('sha256').update(String(m.nonce) + this.options.secret).digest('hex') });
      case 'welcome':
        this.readyReject = null;
        this.readyResolve?.();
        return;
      case 'reject':
        this.readyReject?.(new Error(`fake EA refused: ${m.reason}`));
        this.readyReject = null;
        return;
      case 'heartbeat':
        return this.send({ type: 'heartbeat', t: Date.now(), ...(this.offsetS === null ? {} : { server_offset_s: this.offsetS }) });
      case 'order':
        return this.order(m);
      case 'symbol_get':
        return this.send({ type: 'symbol', id: m.id, name: m.symbol, symbol: t.symbolInfo(String(m.symbol)) });
      case 'account_get':
        return this.send({ type: 'account', id: m.id, account: t.account() });
      case 'positions_get':
        return this.send({ type: 'positions', id: m.id, positions: t.positionsList(String(m.symbol) || undefined) });
      case 'deals_get': {
        const all = t.dealsBetween(Number(m.from), Number(m.to));
        if (this.options.ignoresPaging || m.limit === undefined) return this.send({ type: 'deals', id: m.id, deals: all });
        const offset = Number(m.offset);
        return this.send({ type: 'deals', id: m.id, deals: all.slice(offset, offset + Number(m.limit)), total: all.length });
      }
      case 'history': {
        const to = Number(m.to) || Number.POSITIVE_INFINITY;
        const bars = (t.bars.get(`${m.symbol}|${m.timeframe}`) ?? []).filter((b) => b.time >= Number(m.from) && b.time <= to);
        return this.send({ type: 'bars', id: m.id, symbol: m.symbol, timeframe: m.timeframe, bars: bars.slice(0, Number(m.limit)) });
      }
      case 'lookup':
        return this.send({ type: 'found', id: m.id, client_id: m.client_id, ...this.lookup(m) });
    }
  }

  /**
   * By client id in the comment; if nothing carries it and the engine gave the order's details,
   * by magic, symbol, volume, side and time as TradeloomBridge.mq5 does (the broker may have
   * rewritten the comment). Deals carrying another client id are never matched.
   */
  private lookup(m: Flat): { deals: Deal[]; positions: ReturnType<FakeTerminal['positionsList']>; by?: string } {
    const t = this.options.terminal;
    const byComment = t.findClient(String(m.client_id));
    if (byComment.deals.length || byComment.positions.length || m.symbol === undefined) return byComment;
    const from = Number(m.from);
    const position = Number(m.position);
    const deals = t.deals.filter((d) => d.symbol === m.symbol && d.magic === Number(m.magic) && Math.abs(d.volume - Number(m.volume)) < 1e-9
      && d.type === Number(m.order_type) && d.time >= from && !/^T[0-9a-z]{8}(\s|$)/.test(d.comment)
      && (position ? d.entry === DEAL_ENTRY_OUT && d.position_id === position : d.entry === DEAL_ENTRY_IN));
    return { deals, positions: [], by: 'fallback' };
  }

  /** A fill is stored by deal ticket; a refusal is forgotten (sending it again is safe). */
  private remember(clientId: string, result: TradeResult): void {
    if (this.options.persistIds === false) return;
    if (result.retcode === TRADE_RETCODE.DONE) this.options.terminal.globalVariables.set(this.storeKey(clientId), result.deal);
    else this.options.terminal.globalVariables.delete(this.storeKey(clientId));
  }

  private storeKey(clientId: string): string {
    return `TLB.${this.options.login ?? 5_001_234}.${clientId}`;
  }

  /** A repeated client id answered from the stored ids (deal ticket, or -1 while executing) after a restart. */
  private fromStore(clientId: string): TradeResult | null {
    if (this.options.persistIds === false) return null;
    const stored = this.options.terminal.globalVariables.get(this.storeKey(clientId));
    if (stored === undefined) return null;
    const deal = this.options.terminal.deals.find((d) => d.ticket === stored);
    if (!deal) return { retcode: TRADE_RETCODE.ERROR, deal: 0, order: 0, volume: 0, price: 0, bid: 0, ask: 0, comment: 'executed before a restart, outcome not in history yet; not sent again', request_id: 0, retcode_external: 0 };
    return { retcode: TRADE_RETCODE.DONE, deal: deal.ticket, order: deal.order, volume: deal.volume, price: deal.price, bid: 0, ask: 0, comment: 'Request completed (stored)', request_id: 0, retcode_external: 0 };
  }

  private async order(m: Flat): Promise<void> {
    if (this.dieOnNextOrder) { this.dieOnNextOrder = false; return this.disconnect(); }
    const clientId = String(m.client_id);
    const cached = this.answered.get(clientId) ?? this.fromStore(clientId) ?? undefined;
    let result = cached;
    if (!result) {
      const request: TradeRequest = {
        action: Number(m.action), symbol: String(m.symbol), volume: Number(m.volume), type: Number(m.order_type), price: Number(m.price),
        sl: Number(m.sl), tp: Number(m.tp), deviation: Number(m.deviation), magic: Number(m.magic), comment: String(m.comment),
        type_filling: Number(m.type_filling), type_time: Number(m.type_time), position: Number(m.position),
      };
      const store = this.options.persistIds !== false;
      if (store) this.options.terminal.globalVariables.set(this.storeKey(clientId), -1);
      if (this.dieAfterNextExecution) {
        this.dieAfterNextExecution = false;
        const socket = this.socket;
        this.socket = null; // deals of this execution are lost with the connection
        this.remember(clientId, this.options.terminal.execute(request));
        socket?.destroy();
        return;
      }
      if (this.slowNextExecutionMs) {
        const ms = this.slowNextExecutionMs;
        this.slowNextExecutionMs = 0;
        await new Promise((r) => setTimeout(r, ms));
      }
      result = this.options.terminal.execute(request);
      this.remember(clientId, result);
      this.answered.set(clientId, result);
    }
    // MT5 order: OrderSend returns before OnTradeTransaction reports the deal, so the deal follows.
    const reply = { type: 'order_result', id: m.id, client_id: clientId, result };
    this.send(reply);
    if (this.options.duplicateDeliveries) this.send(reply);
  }

  private send(message: object): void {
    this.enqueue(`${JSON.stringify(message)}\n`);
  }

  private enqueue(line: string): void {
    const socket = this.socket;
    if (!socket) return;
    const mode = this.options.chunking ?? 'whole';
    this.writes = this.writes.then(async () => {
      if (socket.destroyed) return;
      if (mode === 'whole') { socket.write(line); return; }
      if (mode === 'coalesced') { this.batch += line; if (!this.batchTimer) this.batchTimer = setTimeout(() => this.flushBatch(socket), 5); return; }
      const bytes = Buffer.from(line, 'utf8');
      for (let i = 0; i < bytes.length;) {
        // 1-5 byte pieces, then (past the first 256 bytes of a long reply) 1-4 KiB ones: still cut anywhere, in a bounded time.
        const n = i < 256 ? 1 + ((i * 7) % 5) : 1_024 + ((i * 7) % 3_072);
        socket.write(bytes.subarray(i, i + n));
        i += n;
        await new Promise((r) => setImmediate(r));
      }
    });
  }

  private batch = '';
  private batchTimer: NodeJS.Timeout | null = null;

  private flushBatch(socket: Socket): void {
    this.batchTimer = null;
    if (!socket.destroyed) socket.write(this.batch);
    this.batch = '';
  }
}
