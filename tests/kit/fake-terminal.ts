import {
  ORDER_FILLING_FOK, ORDER_FILLING_IOC, ORDER_FILLING_RETURN,
  DEAL_ENTRY_IN, DEAL_ENTRY_OUT, DEAL_REASON_CLIENT, DEAL_REASON_EXPERT, DEAL_REASON_SL, ORDER_TYPE_BUY, ORDER_TYPE_SELL,
  POSITION_TYPE_BUY, POSITION_TYPE_SELL, TRADE_ACTION_DEAL, TRADE_RETCODE, retcodeText,
  type AccountInfo, type Deal, type Position, type SymbolInfo, type TradeRequest, type TradeResult,
} from '../../engine/model/mt5.ts';
import { BUILTIN_SYMBOL_SPECS, type SymbolSpec } from '../../engine/model/symbol-spec.ts';
import type { Bar } from '../../engine/model/bar.ts';

/** MT5's SYMBOL_TRADE_EXEMODE values. */
export const EXEMODE = { request: 0, instant: 1, market: 2, exchange: 3 } as const;
export type ExecutionMode = keyof typeof EXEMODE;

export interface FakeTerminalOptions {
  readonly balance?: number;
  readonly symbols?: readonly string[];
  /** Per symbol: instant/request execution accept Fill-or-Kill only (default market execution). */
  readonly execution?: Readonly<Record<string, ExecutionMode>>;
  /** Per symbol: SYMBOL_FILLING_MODE bits (1 FOK, 2 IOC; default from the symbol spec). */
  readonly fillingModes?: Readonly<Record<string, number>>;
  /** The broker rewrites order comments (some do): the client order id is lost from deals and positions. */
  readonly rewriteComment?: (comment: string) => string;
}

/**
 * A scripted MetaTrader 5 account for the fakes that play the terminal's side (fake EA, fake
 * MetaApi): hedging positions, deal history and MT5's validation retcodes. Its numbering starts
 * high like a real server's, so tests cannot pass by confusing a ticket with a count.
 */
export class FakeTerminal {
  readonly positions = new Map<number, Position>();
  readonly deals: Deal[] = [];
  readonly quotes = new Map<string, { time: number; bid: number; ask: number }>();
  private readonly specs = new Map<string, SymbolSpec>();
  private nextTicket = 50_000_000;
  private scriptedRejects: number[] = [];
  private scriptedPartials: number[] = [];
  private listeners: ((deal: Deal) => void)[] = [];
  balance: number;
  /** Orders that really executed (to prove that nothing executed twice). */
  executions = 0;
  /** The terminal's global variables (what an EA persists; they survive an EA or terminal restart). */
  readonly globalVariables = new Map<string, number>();
  /** Closed bars by `symbol|timeframe`, oldest first (what CopyRates answers). */
  readonly bars = new Map<string, Bar[]>();

  constructor(private readonly options: FakeTerminalOptions = {}) {
    this.balance = options.balance ?? 10_000;
    for (const name of options.symbols ?? ['EURUSD', 'USDJPY', 'XAUUSD']) this.specs.set(name, BUILTIN_SYMBOL_SPECS[name]!);
  }

  exeMode(symbol: string): number {
    return EXEMODE[this.options.execution?.[symbol] ?? 'market'];
  }

  fillingMode(symbol: string): number {
    return this.options.fillingModes?.[symbol] ?? this.specs.get(symbol)?.fillingMode ?? 3;
  }

  /** A bar of `timeframe` closed on the terminal. */
  closeBar(symbol: string, timeframe: string, bar: Bar): void {
    const key = `${symbol}|${timeframe}`;
    const list = this.bars.get(key) ?? [];
    list.push(bar);
    this.bars.set(key, list);
  }

  /** `count` old closed round trips (entry and exit deals), one a minute before `beforeMs`: a long account history. */
  seedHistory(count: number, beforeMs: number, symbol = 'EURUSD'): void {
    for (let i = 0; i < count; i += 2) {
      const time = beforeMs - (count - i) * 60_000;
      const position = this.nextTicket++;
      const base = { magic: 0, position_id: position, volume: 0.01, commission: 0, swap: 0, symbol, comment: 'history seed' };
      this.deals.push({ ...base, ticket: this.nextTicket++, order: position, time, type: ORDER_TYPE_BUY, entry: DEAL_ENTRY_IN, reason: DEAL_REASON_CLIENT, price: 1.1, profit: 0 });
      if (i + 1 < count) this.deals.push({ ...base, ticket: this.nextTicket++, order: this.nextTicket++, time: time + 30_000, type: ORDER_TYPE_SELL, entry: DEAL_ENTRY_OUT, reason: DEAL_REASON_CLIENT, price: 1.1001, profit: 0.1 });
    }
  }

  onDeal(listener: (deal: Deal) => void): void {
    this.listeners.push(listener);
  }

  setQuote(symbol: string, time: number, bid: number, ask: number): void {
    this.quotes.set(symbol, { time, bid, ask });
  }

  /** The next order is refused by the "trade server" with this retcode. */
  rejectNext(retcode: number): void {
    this.scriptedRejects.push(retcode);
  }

  /**
   * The next market order (entry or close) fills only `volume` lots and is answered 10010, as a
   * trade server does for an IOC order when the book holds less: the rest is cancelled.
   */
  partialNext(volume: number): void {
    this.scriptedPartials.push(volume);
  }

  execute(request: TradeRequest): TradeResult {
    const quote = this.quotes.get(request.symbol);
    const spec = this.specs.get(request.symbol);
    const fail = (retcode: number) => this.result(retcode, 0, 0, request.volume, 0, request.symbol);
    const scripted = this.scriptedRejects.shift();
    if (scripted !== undefined) return fail(scripted);
    if (!spec) return fail(TRADE_RETCODE.INVALID);
    if (request.action !== TRADE_ACTION_DEAL || (request.type !== ORDER_TYPE_BUY && request.type !== ORDER_TYPE_SELL)) return fail(TRADE_RETCODE.INVALID);
    if (!quote) return fail(TRADE_RETCODE.PRICE_OFF);
    // A trade server checks the request as sent: a volume off the step by float noise
    // (0.30000000000000004) or a price with more digits than the symbol's is refused.
    const steps = request.volume / spec.volumeStep;
    const onStep = Number((Math.round(steps) * spec.volumeStep).toFixed(8)) === request.volume;
    if (!(request.volume >= spec.volumeMin && request.volume <= spec.volumeMax) || !onStep) return fail(TRADE_RETCODE.INVALID_VOLUME);
    const normalised = (price: number) => !price || Number(price.toFixed(spec.digits)) === price;
    if (!normalised(request.price)) return fail(TRADE_RETCODE.INVALID_PRICE);
    if (!normalised(request.sl) || !normalised(request.tp)) return fail(TRADE_RETCODE.INVALID_STOPS);
    if (!this.fillingAllowed(request.symbol, request.type_filling)) return fail(TRADE_RETCODE.INVALID_FILL);
    const buy = request.type === ORDER_TYPE_BUY;
    const price = buy ? quote.ask : quote.bid;
    const partial = this.scriptedPartials.shift();
    if (partial !== undefined) {
      // The same order for the filled part only (its checks passed above), answered 10010.
      const part = this.scriptedPartials;
      this.scriptedPartials = [];
      const done = this.execute({ ...request, volume: partial });
      this.scriptedPartials = part;
      return done.retcode === TRADE_RETCODE.DONE ? { ...done, retcode: TRADE_RETCODE.DONE_PARTIAL, comment: retcodeText(TRADE_RETCODE.DONE_PARTIAL) } : done;
    }
    if (request.position) {
      const position = this.positions.get(request.position);
      if (!position) return fail(TRADE_RETCODE.POSITION_CLOSED);
      const closing = position.type === POSITION_TYPE_BUY ? ORDER_TYPE_SELL : ORDER_TYPE_BUY;
      if (request.type !== closing || request.volume > position.volume + 1e-9) return fail(TRADE_RETCODE.INVALID);
      this.executions += 1;
      const deal = this.closePart(position, request.volume, price, quote.time, DEAL_REASON_EXPERT, request.comment);
      return this.result(TRADE_RETCODE.DONE, deal.ticket, deal.order, request.volume, price, request.symbol);
    }
    const exitSide = buy ? quote.bid : quote.ask;
    if ((request.sl && (buy ? request.sl >= exitSide : request.sl <= exitSide)) || (request.tp && (buy ? request.tp <= exitSide : request.tp >= exitSide))) {
      return fail(TRADE_RETCODE.INVALID_STOPS);
    }
    this.executions += 1;
    const position = this.open(request.symbol, request.type, request.volume, price, quote.time, request.sl, request.tp, request.magic, request.comment, DEAL_REASON_EXPERT);
    const deal = this.deals[this.deals.length - 1]!;
    return this.result(TRADE_RETCODE.DONE, deal.ticket, position.ticket, request.volume, price, request.symbol);
  }

  /** SYMBOL_TRADE_EXEMODE and SYMBOL_FILLING_MODE as a trade server applies them to a market deal. */
  private fillingAllowed(symbol: string, filling: number): boolean {
    const exe = this.exeMode(symbol);
    if (exe === EXEMODE.request || exe === EXEMODE.instant) return filling === ORDER_FILLING_FOK;
    const modes = this.fillingMode(symbol);
    if (filling === ORDER_FILLING_FOK) return (modes & 1) !== 0;
    if (filling === ORDER_FILLING_IOC) return (modes & 2) !== 0;
    return filling === ORDER_FILLING_RETURN && exe === EXEMODE.exchange;
  }

  /** A position opened by hand in the terminal (no client order id). */
  openByHand(symbol: string, type: number, volume: number, time: number): Position {
    const q = this.quotes.get(symbol)!;
    return this.open(symbol, type, volume, type === ORDER_TYPE_BUY ? q.ask : q.bid, time, 0, 0, 0, '', DEAL_REASON_CLIENT);
  }

  /** The stop loss of a position is hit at `price`. */
  hitStop(ticket: number, price: number, time: number): Deal {
    const position = this.positions.get(ticket)!;
    return this.closePart(position, position.volume, price, time, DEAL_REASON_SL, '[sl]');
  }

  /** Everything that carries a client order id in its comment (all history: times are market times). */
  findClient(clientId: string): { deals: Deal[]; positions: Position[] } {
    return {
      deals: this.deals.filter((d) => d.comment.startsWith(clientId)),
      positions: [...this.positions.values()].filter((p) => p.comment.startsWith(clientId)),
    };
  }

  account(): AccountInfo {
    let floating = 0;
    for (const p of this.positions.values()) floating += this.profitOf(p, this.mark(p));
    return { login: 5_001_234, currency: 'USD', balance: this.balance, equity: this.balance + floating, margin: 0, margin_free: this.balance + floating, leverage: 100, server: 'Fake-Demo', trade_allowed: true };
  }

  symbolInfo(name: string): (SymbolInfo & { trade_exemode: number }) | null {
    const spec = this.specs.get(name);
    if (!spec) return null;
    const q = this.quotes.get(name);
    return {
      name, digits: spec.digits, point: spec.point, trade_tick_size: spec.tickSize, trade_tick_value: spec.tickValueProfit,
      trade_contract_size: spec.contractSize, volume_min: spec.volumeMin, volume_step: spec.volumeStep, volume_max: spec.volumeMax,
      trade_stops_level: spec.stopsLevel, filling_mode: this.fillingMode(name), trade_exemode: this.exeMode(name), currency_base: spec.baseCurrency, currency_profit: spec.profitCurrency,
      bid: q?.bid ?? 0, ask: q?.ask ?? 0, spread: q ? Math.round((q.ask - q.bid) / spec.point) : 0,
    };
  }

  positionsList(symbol?: string): Position[] {
    return [...this.positions.values()].filter((p) => !symbol || p.symbol === symbol).map((p) => ({ ...p, price_current: this.mark(p), profit: this.profitOf(p, this.mark(p)) }));
  }

  dealsBetween(fromMs: number, toMs: number): Deal[] {
    return this.deals.filter((d) => d.time >= fromMs && d.time <= toMs);
  }

  private open(symbol: string, type: number, volume: number, price: number, time: number, sl: number, tp: number, magic: number, sentComment: string, reason: number): Position {
    const comment = this.options.rewriteComment && reason === DEAL_REASON_EXPERT ? this.options.rewriteComment(sentComment) : sentComment;
    const ticket = this.nextTicket++;
    const position: Position = {
      ticket, time, type: type === ORDER_TYPE_BUY ? POSITION_TYPE_BUY : POSITION_TYPE_SELL, magic, identifier: ticket, volume,
      price_open: price, sl, tp, price_current: price, swap: 0, profit: 0, symbol, comment,
    };
    this.positions.set(ticket, position);
    this.addDeal({ ticket: this.nextTicket++, order: ticket, time, type, entry: DEAL_ENTRY_IN, magic, position_id: ticket, reason, volume, price, commission: 0, swap: 0, profit: 0, symbol, comment });
    return position;
  }

  /** The user closes `volume` lots of position `ticket` by hand on the terminal, at `price` (a DEAL_REASON_CLIENT exit deal). */
  closeByHand(ticket: number, volume: number, price: number, time: number): Deal {
    const position = this.positions.get(ticket);
    if (!position) throw new Error(`no open position #${ticket}`);
    return this.closePart(position, volume, price, time, DEAL_REASON_CLIENT, '');
  }

  private closePart(position: Position, volume: number, price: number, time: number, reason: number, sentComment: string): Deal {
    const comment = this.options.rewriteComment && reason === DEAL_REASON_EXPERT ? this.options.rewriteComment(sentComment) : sentComment;
    const profit = this.profitOf(position, price) * (volume / position.volume);
    this.balance += profit;
    if (volume >= position.volume - 1e-9) this.positions.delete(position.ticket);
    else this.positions.set(position.ticket, { ...position, volume: Math.round((position.volume - volume) * 1e8) / 1e8 });
    const order = this.nextTicket++;
    const deal: Deal = {
      ticket: this.nextTicket++, order, time, type: position.type === POSITION_TYPE_BUY ? ORDER_TYPE_SELL : ORDER_TYPE_BUY, entry: DEAL_ENTRY_OUT,
      magic: position.magic, position_id: position.identifier, reason, volume, price, commission: 0, swap: 0, profit, symbol: position.symbol, comment,
    };
    this.addDeal(deal);
    return deal;
  }

  private addDeal(deal: Deal): void {
    this.deals.push(deal);
    for (const l of this.listeners) l(deal);
  }

  private mark(p: Position): number {
    const q = this.quotes.get(p.symbol);
    return q ? (p.type === POSITION_TYPE_BUY ? q.bid : q.ask) : p.price_open;
  }

  private profitOf(p: Position, price: number): number {
    const spec = this.specs.get(p.symbol)!;
    const diff = p.type === POSITION_TYPE_BUY ? price - p.price_open : p.price_open - price;
    return Math.round(diff * p.volume * spec.contractSize * 100) / 100;
  }

  private result(retcode: number, deal: number, order: number, volume: number, price: number, symbol: string): TradeResult {
    const q = this.quotes.get(symbol);
    return { retcode, deal, order, volume, price, bid: q?.bid ?? 0, ask: q?.ask ?? 0, comment: retcodeText(retcode), request_id: 0, retcode_external: 0 };
  }
}
