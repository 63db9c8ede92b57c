import type {
  MetaApiDeal, MetaApiEvents, MetaApiOpener, MetaApiPosition, MetaApiRpc, MetaApiSession, MetaApiTradeOptions, MetaApiTradeResponse,
} from '../../engine/broker/metaapi/metaapi-shapes.ts';
import {
  DEAL_ENTRY_IN, DEAL_ENTRY_OUT, DEAL_TYPE_BUY, ORDER_TYPE_BUY, ORDER_TYPE_SELL, POSITION_TYPE_BUY, TRADE_ACTION_DEAL,
  TRADE_RETCODE, retcodeText, type Deal, type Position, type TradeRequest,
} from '../../engine/model/mt5.ts';
import type { FakeTerminal } from './fake-terminal.ts';

/** MetaApi's `stringCode` for the retcodes the fake produces. */
const STRING_CODE: Record<number, string> = {
  10004: 'TRADE_RETCODE_REQUOTE', 10006: 'TRADE_RETCODE_REJECT', 10009: 'TRADE_RETCODE_DONE', 10013: 'TRADE_RETCODE_INVALID',
  10014: 'TRADE_RETCODE_INVALID_VOLUME', 10016: 'TRADE_RETCODE_INVALID_STOPS', 10018: 'TRADE_RETCODE_MARKET_CLOSED',
  10019: 'TRADE_RETCODE_NO_MONEY', 10021: 'TRADE_RETCODE_PRICE_OFF', 10036: 'TRADE_RETCODE_POSITION_CLOSED',
};
const REASON: Record<number, string> = { 0: 'DEAL_REASON_CLIENT', 3: 'DEAL_REASON_EXPERT', 4: 'DEAL_REASON_SL', 5: 'DEAL_REASON_TP' };

/** Errors shaped like the SDK's: TradeError carries numericCode/stringCode; others are known by `name`. */
function sdkError(name: string, message: string, numericCode?: number): Error {
  const err = new Error(message) as Error & { numericCode?: number; stringCode?: string };
  err.name = name;
  if (numericCode !== undefined) { err.numericCode = numericCode; err.stringCode = STRING_CODE[numericCode] ?? `TRADE_RETCODE_${numericCode}`; }
  return err;
}

/**
 * A fake MetaApi account connection over a FakeTerminal, answering with the packet shapes MetaApi
 * documents: string ids, `POSITION_TYPE_*`/`DEAL_TYPE_*`/`DEAL_ENTRY_*`/`DEAL_REASON_*` strings,
 * `stopLoss`/`takeProfit` omitted when unset, `clientId` split out of the comment, times as Date
 * objects (what the SDK hands out) or, with `isoTimes`, the ISO-8601 strings of the raw packets.
 * Scripted faults: failing opens, stream disconnects and resynchronisation, trade timeouts.
 */
export class FakeMetaApi {
  opens = 0;
  failOpens = 0;
  /** Sessions closed by the adapter (a failed attach must close its session). */
  closes = 0;
  /** The next N subscriptions throw (MetaApi refusing or timing out a subscribe while reopening). */
  failSubscribes = 0;
  /** Market closed: a subscription resolves only on the symbol's first quote, as the SDK's does (up to its 30 s default). */
  marketClosed = false;
  /** The most subscriptions in flight at once (parallel subscribing). */
  maxConcurrentSubscribes = 0;
  /** The next trade executes on the terminal but the call fails with the SDK's TimeoutError. */
  timeoutAfterNextExecution = false;
  /** The next trade's call fails at once with TimeoutError; the terminal fills it this many ms later (a late fill). */
  lateFillNextMs = 0;
  streaming = true;
  /** The replicas (instances) connected: the SDK streams each one's events under its instance index. */
  readonly instances = new Set(['vint-hill:0:ps-mpa-1']);
  private listeners: MetaApiEvents[] = [];
  private inFlightSubscribes = 0;
  private readonly quoteWaiters = new Map<string, (() => void)[]>();
  readonly subscriptions: { symbol: string; subscriptions: { type: string; timeframe?: string }[] }[] = [];

  constructor(readonly terminal: FakeTerminal, private readonly options: { isoTimes?: boolean } = {}) {
    terminal.onDeal((deal) => { if (this.streaming) this.emit((l) => l.onDealAdded('vint-hill:0:ps-mpa-1', this.deal(deal))); });
  }

  readonly opener: MetaApiOpener = async () => {
    this.opens += 1;
    if (this.failOpens > 0) { this.failOpens -= 1; throw sdkError('NotConnectedError', 'fake: region not reachable'); }
    this.listeners = [];
    this.streaming = true;
    const session: MetaApiSession = {
      rpc: this.rpc,
      subscribe: (symbol, subscriptions) => this.subscribe(symbol, subscriptions),
      listen: (events) => { this.listeners.push(events); },
      connected: () => this.instances.size > 0,
      close: async () => { this.closes += 1; this.listeners = []; },
    };
    return session;
  };

  private async subscribe(symbol: string, subscriptions: { type: string; timeframe?: string }[]): Promise<void> {
    this.inFlightSubscribes += 1;
    this.maxConcurrentSubscribes = Math.max(this.maxConcurrentSubscribes, this.inFlightSubscribes);
    try {
      await new Promise((r) => setImmediate(r));
      if (this.failSubscribes > 0) { this.failSubscribes -= 1; throw sdkError('TimeoutError', `fake: subscribing ${symbol} timed out`); }
      this.subscriptions.push({ symbol, subscriptions });
      if (this.marketClosed && !this.terminal.quotes.has(symbol)) {
        await new Promise<void>((resolve) => { const list = this.quoteWaiters.get(symbol) ?? []; list.push(resolve); this.quoteWaiters.set(symbol, list); });
      }
    } finally {
      this.inFlightSubscribes -= 1;
    }
  }

  /** Two replicas (another region's instance): events then come under either instance index. */
  addReplica(instance = 'new-york:0:ps-mpa-1'): void {
    this.instances.add(instance);
    this.emit((l) => l.onConnected(instance, 2));
  }

  /**
   * One replica's stream closes, as the SDK reports it: onStreamClosed for that instance, preceded
   * by onDisconnected only if it was the last one connected.
   */
  closeStream(instance: string): void {
    this.instances.delete(instance);
    if (this.instances.size === 0) { this.streaming = false; this.emit((l) => l.onDisconnected(instance)); }
    this.emit((l) => l.onStreamClosed(instance));
  }

  price(symbol: string, time: number, bid: number, ask: number): void {
    this.terminal.setQuote(symbol, time, bid, ask);
    for (const resolve of this.quoteWaiters.get(symbol) ?? []) resolve();
    this.quoteWaiters.delete(symbol);
    this.emit((l) => l.onSymbolPriceUpdated('0', { symbol, bid, ask, profitTickValue: 1, lossTickValue: 1, time: this.time(time), ...{ brokerTime: new Date(time).toISOString().replace('T', ' ').slice(0, 23) } }));
  }

  candle(symbol: string, time: number, ohlc: [number, number, number, number]): void {
    const [open, high, low, close] = ohlc;
    this.emit((l) => l.onCandlesUpdated('0', [{ symbol, timeframe: '1m', time: this.time(time), open, high, low, close, tickVolume: 12, volume: 0 }]));
  }

  /** The stream drops (the SDK reports it per instance). Deals keep happening on the terminal. */
  disconnect(): void {
    this.streaming = false;
    for (const instance of [...this.instances]) this.instances.delete(instance);
    this.emit((l) => l.onDisconnected('vint-hill:0:ps-mpa-1'));
    this.emit((l) => l.onStreamClosed('vint-hill:0:ps-mpa-1'));
  }

  /** The SDK reconnects and resynchronises: history deals are replayed, then deals are synchronised. */
  resynchronise(): void {
    this.streaming = true;
    this.instances.add('vint-hill:0:ps-mpa-1');
    this.emit((l) => l.onConnected('vint-hill:0:ps-mpa-1', 1));
    for (const d of this.terminal.deals) this.emit((l) => l.onDealAdded('0', this.deal(d)));
    this.emit((l) => l.onDealsSynchronized('0', 'sync-1'));
  }

  private emit(call: (l: MetaApiEvents) => unknown): void {
    for (const l of [...this.listeners]) void call(l);
  }

  private time(ms: number): Date | string {
    return this.options.isoTimes ? new Date(ms).toISOString() : new Date(ms);
  }

  private splitComment(comment: string): { comment?: string; clientId?: string } {
    const m = /^(TL_[0-9a-f]{8})(?: (.*))?$/.exec(comment);
    return m ? { clientId: m[1], ...(m[2] ? { comment: m[2] } : {}) } : comment ? { comment } : {};
  }

  private deal(d: Deal): MetaApiDeal {
    return {
      id: String(d.ticket), type: d.type === DEAL_TYPE_BUY ? 'DEAL_TYPE_BUY' : 'DEAL_TYPE_SELL',
      entryType: d.entry === DEAL_ENTRY_IN ? 'DEAL_ENTRY_IN' : d.entry === DEAL_ENTRY_OUT ? 'DEAL_ENTRY_OUT' : 'DEAL_ENTRY_INOUT',
      symbol: d.symbol, magic: d.magic, time: this.time(d.time), volume: d.volume, price: d.price, commission: d.commission,
      swap: d.swap, profit: d.profit, positionId: String(d.position_id), orderId: String(d.order), reason: REASON[d.reason] ?? 'DEAL_REASON_CLIENT',
      ...this.splitComment(d.comment), ...{ platform: 'mt5', brokerTime: new Date(d.time).toISOString().replace('T', ' ').slice(0, 23) },
    } as MetaApiDeal;
  }

  private position(p: Position): MetaApiPosition {
    return {
      id: String(p.ticket), type: p.type === POSITION_TYPE_BUY ? 'POSITION_TYPE_BUY' : 'POSITION_TYPE_SELL', symbol: p.symbol, magic: p.magic,
      time: this.time(p.time), openPrice: p.price_open, currentPrice: p.price_current, volume: p.volume, swap: p.swap, profit: p.profit,
      ...(p.sl ? { stopLoss: p.sl } : {}), ...(p.tp ? { takeProfit: p.tp } : {}), ...this.splitComment(p.comment),
    };
  }

  private trade(request: Omit<TradeRequest, 'comment'>, options: MetaApiTradeOptions | undefined): MetaApiTradeResponse {
    const comment = [options?.clientId, options?.comment].filter(Boolean).join(' ');
    if (this.lateFillNextMs) {
      const ms = this.lateFillNextMs;
      this.lateFillNextMs = 0;
      setTimeout(() => this.terminal.execute({ ...request, comment }), ms);
      throw sdkError('TimeoutError', 'fake: request timed out (the server fills it later)');
    }
    const result = this.terminal.execute({ ...request, comment });
    if (result.retcode !== TRADE_RETCODE.DONE) throw sdkError('TradeError', retcodeText(result.retcode), result.retcode);
    if (this.timeoutAfterNextExecution) { this.timeoutAfterNextExecution = false; throw sdkError('TimeoutError', 'fake: request timed out'); }
    const positionId = request.position || result.order;
    return { numericCode: 10009, stringCode: 'TRADE_RETCODE_DONE', message: 'Request completed', orderId: String(this.orderOf(result.deal)), positionId: String(positionId) };
  }

  private orderOf(dealTicket: number): number {
    return this.terminal.deals.find((d) => d.ticket === dealTicket)?.order ?? 0;
  }

  private readonly rpc: MetaApiRpc = {
    getAccountInformation: async () => {
      const a = this.terminal.account();
      return { platform: 'mt5', broker: 'Fake Broker Ltd', currency: a.currency, server: a.server, balance: a.balance, equity: a.equity, margin: a.margin,
        freeMargin: a.margin_free, leverage: a.leverage, tradeAllowed: a.trade_allowed, login: a.login, name: 'Demo', ...{ marginLevel: 0, type: 'ACCOUNT_TRADE_MODE_DEMO', credit: 0, currencyDigits: 2 } };
    },
    getPositions: async () => this.terminal.positionsList().map((p) => this.position(p)),
    // MetaApi pages history: at most `limit` deals (default and cap 1,000) from `offset`.
    getDealsByTimeRange: async (start, end, offset = 0, limit = 1_000) => {
      const page = this.terminal.dealsBetween(start.getTime(), end.getTime()).slice(offset, offset + Math.min(limit, 1_000));
      return { deals: page.map((d) => this.deal(d)), synchronizing: false } as { deals: MetaApiDeal[] };
    },
    getDealsByPosition: async (positionId) => ({ deals: this.terminal.deals.filter((d) => String(d.position_id) === positionId).map((d) => this.deal(d)) }),
    getSymbolSpecification: async (symbol) => {
      const s = this.terminal.symbolInfo(symbol);
      if (!s) throw sdkError('NotFoundError', `Specification for ${symbol} symbol not found`);
      return { symbol, tickSize: s.trade_tick_size, minVolume: s.volume_min, maxVolume: s.volume_max, volumeStep: s.volume_step,
        fillingModes: ['SYMBOL_FILLING_FOK', 'SYMBOL_FILLING_IOC'], contractSize: s.trade_contract_size, digits: s.digits, point: s.point,
        stopsLevel: s.trade_stops_level, baseCurrency: s.currency_base, profitCurrency: s.currency_profit };
    },
    getSymbolPrice: async (symbol) => {
      const q = this.terminal.quotes.get(symbol);
      if (!q) throw sdkError('NotFoundError', `no price for ${symbol}`);
      return { symbol, bid: q.bid, ask: q.ask, profitTickValue: 1, lossTickValue: 1, time: this.time(q.time) };
    },
    createMarketBuyOrder: async (symbol, volume, stopLoss, takeProfit, options) => this.trade(this.request(symbol, volume, ORDER_TYPE_BUY, stopLoss, takeProfit, 0, options), options),
    createMarketSellOrder: async (symbol, volume, stopLoss, takeProfit, options) => this.trade(this.request(symbol, volume, ORDER_TYPE_SELL, stopLoss, takeProfit, 0, options), options),
    closePosition: async (positionId, options) => this.close(positionId, undefined, options),
    closePositionPartially: async (positionId, volume, options) => this.close(positionId, volume, options),
  };

  private close(positionId: string, volume: number | undefined, options: MetaApiTradeOptions): MetaApiTradeResponse {
    const p = this.terminal.positions.get(Number(positionId));
    if (!p) throw sdkError('TradeError', 'Position not found', TRADE_RETCODE.POSITION_CLOSED);
    const type = p.type === POSITION_TYPE_BUY ? ORDER_TYPE_SELL : ORDER_TYPE_BUY;
    return this.trade(this.request(p.symbol, volume ?? p.volume, type, undefined, undefined, p.ticket, options), options);
  }

  private request(symbol: string, volume: number, type: number, sl: number | undefined, tp: number | undefined, position: number, options?: MetaApiTradeOptions): Omit<TradeRequest, 'comment'> {
    return { action: TRADE_ACTION_DEAL, symbol, volume, type, price: 0, sl: sl ?? 0, tp: tp ?? 0, deviation: options?.slippage ?? 0, magic: options?.magic ?? 0, type_filling: 0, type_time: 0, position };
  }
}
