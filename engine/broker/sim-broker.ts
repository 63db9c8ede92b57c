import { BehaviorSubject, Subject, type Observable } from 'rxjs';
import { TRADE_RETCODE, TRADE_ACTION_DEAL, ORDER_TYPE_BUY, ORDER_TYPE_SELL, DEAL_ENTRY_IN, DEAL_ENTRY_OUT,
  DEAL_REASON_EXPERT, DEAL_REASON_SL, DEAL_REASON_TP, POSITION_TYPE_BUY, POSITION_TYPE_SELL, retcodeText,
  type AccountInfo, type Deal, type Position, type SymbolInfo, type TradeRequest, type TradeResult } from '../model/mt5.ts';
import { normalizePrice, profitToAccount, type SymbolSpec } from '../model/symbol-spec.ts';
import { isValidVolume } from '../governor/position-sizing.ts';
import type { BrokerPort } from './broker-port.ts';
import type { BarSeries } from '../model/bar.ts';
import { DealHistory } from './deal-history.ts';
import { fixed } from '../util/rounding.ts';

export interface SimBrokerConfig {
  readonly balance: number;
  readonly currency: string;
  readonly leverage: number;
  /** Spread in points per symbol; defaults to the symbol spec's `spreadPoints`. */
  readonly spreadPoints: Readonly<Record<string, number>>;
  /** Adverse slippage in points on market fills and stop-loss exits. */
  readonly slippagePoints: number;
  /** Commission in account currency per lot per side (charged on entry and on exit). */
  readonly commissionPerLot: number;
  /** Deals kept for `historyDealsGet`; older ones are dropped so long runs keep flat memory. */
  readonly historyLimit: number;
  /** First order/deal/position ticket (paper trading starts from the clock so restarts never reuse one). */
  readonly firstTicket: number;
}

export const DEFAULT_SIM_BROKER_CONFIG: SimBrokerConfig = {
  balance: 10_000, currency: 'USD', leverage: 100, spreadPoints: {}, slippagePoints: 0, commissionPerLot: 0, historyLimit: 100_000, firstTicket: 1,
};

/** The current quote of a symbol: written twice a bar, so a class (fields updated in place). */
class Quote {
  time = 0.5;
  bid = 0.5;
  ask = 0.5;
}

/** Why a simulated position closed, as TRADE_EXIT words it. */
export const EXIT_REASON_BY_DEAL_REASON: Readonly<Record<number, string>> = {
  [DEAL_REASON_SL]: 'Stop loss hit',
  [DEAL_REASON_TP]: 'Take profit hit',
};

/**
 * A simulated MT5 broker (hedging account) behind the same port as a real terminal. Prices
 * come from the feed through `setQuote` (bid/ask around the feed's mid price with the
 * configured spread); market orders fill at the current quote plus slippage.
 *
 * Stop rule inside a bar (`checkStops`): a long position exits at the bid, a short at the ask.
 * If the bar opens beyond the stop (a gap) the exit is at the open; if both the stop and the
 * take-profit lie inside one bar's range, the stop is taken (the conservative choice: OHLC
 * data cannot tell which came first).
 */
/** One symbol's market in the simulator: spec, current quote and open positions. */
export interface SymbolBook {
  readonly spec: SymbolSpec;
  readonly halfSpread: number;
  /** Adverse slippage in price units. */
  readonly slip: number;
  readonly quote: Quote;
  hasQuote: boolean;
  readonly positions: Position[];
  /** How profit in the symbol's profit currency becomes account currency (see `toAccount`). */
  readonly conversion: Conversion;
  /**
   * A bar whose mid low is above `lowTrigger` and mid high below `highTrigger` reaches no
   * stop or target of this book (bounds widened by a hair so rounding never skips a real
   * hit); `checkStopsAt` skips such bars with two comparisons.
   */
  lowTrigger: number;
  highTrigger: number;
}

/** Profit already in account currency, divided by the price (base = account), or no rate. */
type Conversion = 'same' | 'divide' | 'none';

/** A deal with its number fields updated in place (the simulator's reused deal). */
class SimDeal implements Deal {
  ticket = 0;
  order = 0;
  time = 0.5;
  type = 0;
  entry = 0;
  magic = 0;
  position_id = 0;
  reason = 0;
  volume = 0.5;
  price = 0.5;
  commission = 0.5;
  swap = 0.5;
  profit = 0.5;
  symbol = '';
  comment = '';
}

export class SimBroker implements BrokerPort {
  readonly name = 'sim';
  readonly config: SimBrokerConfig;
  readonly deals$: Observable<Deal>;
  readonly connection$: Observable<boolean>;
  private readonly dealSubject = new Subject<Deal>();
  private dealListeners: ((deal: Deal) => void)[] = [];
  private readonly scratchDeal = new SimDeal();
  private dealDepth = 0;
  private readonly books = new Map<string, SymbolBook>();
  private readonly bookList: SymbolBook[] = [];
  private openCount = 0;
  private deals = 0;
  private readonly history: DealHistory;
  private balance: number;
  private nextTicket: number;
  private marketOpen: (symbol: string, time: number) => boolean = () => true;

  constructor(specs: readonly SymbolSpec[], config: Partial<SimBrokerConfig> = {}) {
    // One literal, not a spread: the config keeps one hidden class from run to run.
    const d = DEFAULT_SIM_BROKER_CONFIG;
    this.config = {
      balance: config.balance ?? d.balance, currency: config.currency ?? d.currency, leverage: config.leverage ?? d.leverage,
      spreadPoints: config.spreadPoints ?? d.spreadPoints, slippagePoints: config.slippagePoints ?? d.slippagePoints,
      commissionPerLot: config.commissionPerLot ?? d.commissionPerLot, historyLimit: config.historyLimit ?? d.historyLimit,
      firstTicket: config.firstTicket ?? d.firstTicket,
    };
    this.balance = this.config.balance;
    this.nextTicket = this.config.firstTicket;
    this.history = new DealHistory(this.config.historyLimit);
    this.deals$ = this.dealSubject.asObservable();
    this.connection$ = new BehaviorSubject(true).asObservable();
    for (const spec of specs) this.addSymbol(spec);
  }

  addSymbol(spec: SymbolSpec): void {
    const points = this.config.spreadPoints[spec.name] ?? spec.spreadPoints;
    const book: SymbolBook = {
      spec, halfSpread: (points * spec.point) / 2, slip: this.config.slippagePoints * spec.point,
      quote: new Quote(), hasQuote: false, positions: [],
      conversion: spec.profitCurrency === this.config.currency ? 'same' : spec.baseCurrency === this.config.currency ? 'divide' : 'none',
      lowTrigger: Number.NEGATIVE_INFINITY, highTrigger: Number.POSITIVE_INFINITY,
    };
    this.books.set(spec.name, book);
    this.bookList.push(book);
  }

  /** Number of open positions across symbols. */
  get openPositions(): number {
    return this.openCount;
  }

  /** Deals executed so far: a change tells the engine the balance or the positions moved. */
  get dealCount(): number {
    return this.deals;
  }

  /**
   * When exactly one position is open: +1 if it is long, -1 if short, as seen from `book`
   * (0 when the position is in another book or there is not exactly one). Equity then rises
   * with `direction × mid` and nothing else moves it until the next deal.
   */
  soleDirection(book: SymbolBook): number {
    if (this.openCount !== 1 || book.positions.length !== 1) return 0;
    return book.positions[0].type === POSITION_TYPE_BUY ? 1 : -1;
  }

  /**
   * The mid price at which the account's equity would be `equity`, with only the sole open
   * position (in `book`) moving it: equity rises with direction × mid (see `soleDirection`),
   * so the engine compares closes with this price instead of valuing the account each bar.
   * NaN when there is no sole position in `book` or its profit converts through another rate;
   * ±Infinity when no price gives that equity (on the side where it would lie).
   */
  midAtEquity(book: SymbolBook, equity: number): number {
    if (this.openCount !== 1 || book.positions.length !== 1) return Number.NaN;
    const p = book.positions[0];
    const direction = p.type === POSITION_TYPE_BUY ? 1 : -1;
    const k = direction * p.volume * book.spec.contractSize;
    const profit = equity - this.balance;
    // The exit side's price: profit = k × (mark - open), in account currency as is ('same')
    // or divided by the mark ('divide').
    let mark: number;
    if (book.conversion === 'same') {
      mark = p.price_open + profit / k;
      // Below any positive price (a long's loss or a short's gain larger than the position).
      if (!(mark > 0)) return Number.NEGATIVE_INFINITY;
    } else if (book.conversion === 'divide') {
      mark = (k * p.price_open) / (k - profit);
      // Beyond any price: profit in the base currency is bounded by the position's size.
      if (!(mark > 0) || !Number.isFinite(mark)) return Number.POSITIVE_INFINITY;
    } else {
      return Number.NaN;
    }
    return direction === 1 ? mark + book.halfSpread : mark - book.halfSpread;
  }

  /** The symbol's book: a handle for the per-bar fast path (no lookup by name). */
  bookOf(symbol: string): SymbolBook {
    const book = this.books.get(symbol);
    if (!book) throw new Error(`SimBroker: unknown symbol ${symbol}`);
    return book;
  }

  /** Market-hours rule (for example the trading week); orders outside it get 10018. */
  setMarketHours(isOpen: (symbol: string, time: number) => boolean): void {
    this.marketOpen = isOpen;
  }

  isConnected(): boolean {
    return true;
  }

  /** Sets the current quote from a mid price (the feed's price) and the configured spread. */
  setMid(symbol: string, time: number, mid: number): void {
    const book = this.bookOf(symbol);
    this.setQuote(symbol, time, mid - book.halfSpread, mid + book.halfSpread);
  }

  /**
   * The quote at bar `i`'s open (`atClose` false) or close, from the series itself: the
   * per-bar path passes indexes, not prices, so nothing is boxed if the call is not inlined.
   */
  quoteBar(book: SymbolBook, bars: BarSeries, i: number, atClose: boolean, barMs: number): void {
    const q = book.quote;
    const mid = atClose ? bars.close[i] : bars.open[i];
    q.time = atClose ? bars.time[i] + barMs : bars.time[i];
    q.bid = mid - book.halfSpread;
    q.ask = mid + book.halfSpread;
    book.hasQuote = true;
  }

  setQuote(symbol: string, time: number, bid: number, ask: number): void {
    const book = this.bookOf(symbol);
    const q = book.quote;
    q.time = time;
    q.bid = bid;
    q.ask = ask;
    book.hasQuote = true;
  }

  /**
   * Checks every open position of `symbol` against one bar of mid prices and closes those
   * whose stop or take-profit the bar reached. Exits are published on `deals$` synchronously.
   */
  checkStops(symbol: string, time: number, open: number, high: number, low: number): void {
    this.checkStopsIn(this.bookOf(symbol), time, open, high, low);
  }

  /**
   * `checkStops` for bar `i` of `bars` on a book handle: the per-bar fast path. A bar inside
   * the book's trigger band returns after two comparisons; otherwise the quote moves to the
   * bar's open (the price anything inside the bar executes against) and the stops are checked.
   * Prices are read here, not passed, so nothing is boxed when the call is not inlined.
   */
  checkStopsAt(book: SymbolBook, bars: BarSeries, i: number, barMs: number): void {
    if (bars.low[i] > book.lowTrigger && bars.high[i] < book.highTrigger) return;
    this.quoteBar(book, bars, i, false, barMs);
    this.checkStopsIn(book, bars.time[i], bars.open[i], bars.high[i], bars.low[i]);
  }

  /** Recomputes the book's trigger band after its positions changed. */
  private updateTriggers(book: SymbolBook): void {
    const hs = book.halfSpread;
    let low = Number.NEGATIVE_INFINITY;
    let high = Number.POSITIVE_INFINITY;
    for (const p of book.positions) {
      const buy = p.type === POSITION_TYPE_BUY;
      // Long: stop when low - hs <= sl, target when high - hs >= tp. Short: stop when
      // high + hs >= sl, target when low + hs <= tp.
      const lowLevel = buy ? (p.sl > 0 ? p.sl + hs : Number.NEGATIVE_INFINITY) : p.tp > 0 ? p.tp - hs : Number.NEGATIVE_INFINITY;
      const highLevel = buy ? (p.tp > 0 ? p.tp + hs : Number.POSITIVE_INFINITY) : p.sl > 0 ? p.sl - hs : Number.POSITIVE_INFINITY;
      if (lowLevel > low) low = lowLevel;
      if (highLevel < high) high = highLevel;
    }
    const slack = book.spec.point * 1e-3;
    book.lowTrigger = low + slack;
    book.highTrigger = high - slack;
  }

  checkStopsIn(book: SymbolBook, time: number, open: number, high: number, low: number): void {
    const positions = book.positions;
    if (positions.length === 0) return;
    const hs = book.halfSpread;
    const slip = book.slip;
    for (let k = positions.length - 1; k >= 0; k--) {
      const position = positions[k];
      if (position.sl === 0 && position.tp === 0) continue;
      if (position.type === POSITION_TYPE_BUY) {
        const bidOpen = open - hs;
        if (position.sl > 0 && low - hs <= position.sl) {
          this.closePosition(book, position, Math.min(position.sl, bidOpen) - slip, time, DEAL_REASON_SL);
        } else if (position.tp > 0 && high - hs >= position.tp) {
          this.closePosition(book, position, Math.max(position.tp, bidOpen), time, DEAL_REASON_TP);
        }
      } else {
        const askOpen = open + hs;
        if (position.sl > 0 && high + hs >= position.sl) {
          this.closePosition(book, position, Math.max(position.sl, askOpen) + slip, time, DEAL_REASON_SL);
        } else if (position.tp > 0 && low + hs <= position.tp) {
          this.closePosition(book, position, Math.min(position.tp, askOpen), time, DEAL_REASON_TP);
        }
      }
    }
  }

  /**
   * Deals, synchronously, without an Observable hop: the symbol actors' path in backtests.
   * The deal object is reused: read it during the call, do not keep it (`deals$` hands out
   * copies). Returns the function that removes the listener.
   */
  onDeal(listener: (deal: Deal) => void): () => void {
    this.dealListeners = [...this.dealListeners, listener];
    return () => {
      this.dealListeners = this.dealListeners.filter((l) => l !== listener);
    };
  }

  orderSend(request: TradeRequest): TradeResult {
    const book = this.books.get(request.symbol);
    const quote = book?.hasQuote ? book.quote : undefined;
    const volume = request.volume;
    if (!book) return this.rejection(TRADE_RETCODE.INVALID, volume, quote, `unknown symbol ${request.symbol}`);
    if (request.action !== TRADE_ACTION_DEAL) return this.rejection(TRADE_RETCODE.INVALID, volume, quote, 'only market deals are simulated');
    if (request.type !== ORDER_TYPE_BUY && request.type !== ORDER_TYPE_SELL) {
      return this.marketRejection(book, volume) ?? this.rejection(TRADE_RETCODE.INVALID, volume, quote, `order type ${request.type}`);
    }
    if (request.position) return this.marketClose(book, request.position, request.type, volume, request.comment);
    return this.marketEntry(book, request.type, volume, request.sl, request.tp, request.magic, request.comment);
  }

  /**
   * A market entry (`type` buy or sell) in `book`: `orderSend`'s checks, fill and deal, taken
   * directly by a symbol actor on the simulated path (no MT5 request object per order).
   */
  marketEntry(book: SymbolBook, type: number, volume: number, sl: number, tp: number, magic: number, comment: string): TradeResult {
    const rejected = this.marketRejection(book, volume);
    if (rejected !== null) return rejected;
    const quote = book.quote;
    const spec = book.spec;
    if (!isValidVolume(spec, volume)) {
      return this.rejection(TRADE_RETCODE.INVALID_VOLUME, volume, quote, `${volume} lots (min ${spec.volumeMin}, step ${spec.volumeStep}, max ${spec.volumeMax})`);
    }
    const buy = type === ORDER_TYPE_BUY;
    const price = normalizePrice(spec, buy ? quote.ask + book.slip : quote.bid - book.slip);
    const minDistance = spec.stopsLevel * spec.point;
    const exitSide = buy ? quote.bid : quote.ask;
    const badSl = sl !== 0 && (buy ? sl > exitSide - minDistance : sl < exitSide + minDistance);
    const badTp = tp !== 0 && (buy ? tp < exitSide + minDistance : tp > exitSide - minDistance);
    if (badSl || badTp) return this.rejection(TRADE_RETCODE.INVALID_STOPS, volume, quote, `sl ${sl} tp ${tp} at ${buy ? 'bid' : 'ask'} ${exitSide}`);
    const margin = this.marginFor(book, volume, price);
    const free = this.freeMargin();
    if (margin > free) return this.rejection(TRADE_RETCODE.NO_MONEY, volume, quote, `margin ${fixed(margin, 2)} > free ${fixed(free, 2)}`);

    const ticket = this.nextTicket++;
    const position: Position = {
      ticket, time: quote.time, type: buy ? POSITION_TYPE_BUY : POSITION_TYPE_SELL, magic, identifier: ticket,
      volume, price_open: price, sl, tp, price_current: price, swap: 0, profit: 0,
      symbol: spec.name, comment,
    };
    book.positions.push(position);
    this.updateTriggers(book);
    this.openCount++;
    const commission = -this.config.commissionPerLot * volume;
    this.balance += commission;
    const deal = this.deal(position, DEAL_ENTRY_IN, type, price, quote.time, DEAL_REASON_EXPERT, 0, commission);
    return this.result(TRADE_RETCODE.DONE, deal.ticket, deal.order, volume, price, quote, 'Request completed');
  }

  /**
   * Closes position `ticket` of `book` in full at the market (`type` must be the opposite of
   * the position's): `orderSend`'s checks and deal, taken directly by a symbol actor on the
   * simulated path.
   */
  marketClose(book: SymbolBook, ticket: number, type: number, volume: number, comment: string): TradeResult {
    const rejected = this.marketRejection(book, volume);
    if (rejected !== null) return rejected;
    const quote = book.quote;
    let position: Position | undefined;
    for (const p of book.positions) if (p.ticket === ticket) position = p;
    if (!position) return this.result(TRADE_RETCODE.POSITION_CLOSED, 0, 0, volume, 0, quote, retcodeText(TRADE_RETCODE.POSITION_CLOSED));
    const closingType = position.type === POSITION_TYPE_BUY ? ORDER_TYPE_SELL : ORDER_TYPE_BUY;
    if (type !== closingType || Math.abs(volume - position.volume) > 1e-9) {
      return this.result(TRADE_RETCODE.INVALID, 0, 0, volume, 0, quote, 'Invalid request: close must be the opposite type and the full volume');
    }
    const price = position.type === POSITION_TYPE_BUY ? quote.bid - book.slip : quote.ask + book.slip;
    const deal = this.closePosition(book, position, price, quote.time, DEAL_REASON_EXPERT, comment);
    return this.result(TRADE_RETCODE.DONE, deal.ticket, deal.order, position.volume, deal.price, quote, 'Request completed');
  }

  accountInfo(): AccountInfo {
    const equity = this.equity();
    const margin = this.usedMargin();
    return {
      login: 0, currency: this.config.currency, balance: this.balance, equity, margin, margin_free: equity - margin,
      leverage: this.config.leverage, server: 'tradeloom-sim', trade_allowed: true,
    };
  }

  symbolInfo(symbol: string): SymbolInfo | null {
    const book = this.books.get(symbol);
    if (!book) return null;
    const spec = book.spec;
    const quote = book.hasQuote ? book.quote : undefined;
    return {
      name: spec.name, digits: spec.digits, point: spec.point, trade_tick_size: spec.tickSize,
      trade_tick_value: quote ? profitToAccount(spec, spec.tickValueProfit, quote.bid, this.config.currency) : spec.tickValueProfit,
      trade_contract_size: spec.contractSize, volume_min: spec.volumeMin, volume_step: spec.volumeStep,
      volume_max: spec.volumeMax, trade_stops_level: spec.stopsLevel, filling_mode: spec.fillingMode,
      currency_base: spec.baseCurrency, currency_profit: spec.profitCurrency,
      bid: quote?.bid ?? 0, ask: quote?.ask ?? 0, spread: Math.round((book.halfSpread * 2) / spec.point),
    };
  }

  positionsGet(symbol?: string): Position[] {
    const out: Position[] = [];
    for (const book of this.bookList) {
      if (symbol && book.spec.name !== symbol) continue;
      for (const p of book.positions) out.push({ ...p, price_current: this.markPrice(book, p), profit: this.floating(book, p) });
    }
    return out.sort((a, b) => a.ticket - b.ticket);
  }

  historyDealsGet(fromMs: number, toMs: number): Deal[] {
    return this.history.between(fromMs, toMs);
  }

  /** Balance plus the floating profit of every open position at the current quotes. */
  equity(): number {
    if (this.openCount === 0) return this.balance;
    let equity = this.balance;
    const books = this.bookList;
    for (let b = 0; b < books.length; b++) {
      const book = books[b];
      const positions = book.positions;
      for (let k = 0; k < positions.length; k++) equity += this.floating(book, positions[k]);
    }
    return equity;
  }

  /** Puts back positions and balance after a restart (the journal is the source). */
  restore(balance: number, positions: readonly Position[]): void {
    this.balance = balance;
    for (const p of positions) {
      const book = this.bookOf(p.symbol);
      book.positions.push({ ...p });
      this.updateTriggers(book);
      this.openCount++;
      this.nextTicket = Math.max(this.nextTicket, p.ticket + 1);
    }
  }

  close(): void {
    this.dealSubject.complete();
  }

  private closePosition(book: SymbolBook, position: Position, rawPrice: number, time: number, reason: number, comment = ''): Deal {
    const price = normalizePrice(book.spec, rawPrice);
    const profit = this.profitAt(book, position, price);
    const commission = -this.config.commissionPerLot * position.volume;
    this.balance += profit + commission;
    // Shift down and pop: splice reallocates the list's storage each time it empties.
    const list = book.positions;
    for (let k = list.indexOf(position); k < list.length - 1; k++) list[k] = list[k + 1];
    list.pop();
    this.updateTriggers(book);
    this.openCount--;
    const type = position.type === POSITION_TYPE_BUY ? ORDER_TYPE_SELL : ORDER_TYPE_BUY;
    return this.deal(position, DEAL_ENTRY_OUT, type, price, time, reason, profit, commission, comment || EXIT_REASON_BY_DEAL_REASON[reason] || '');
  }

  private deal(position: Position, entry: number, type: number, price: number, time: number, reason: number,
    profit: number, commission: number, comment = position.comment): Deal {
    const ticket = this.nextTicket++;
    this.deals++;
    // Direct listeners get one reused deal (a fresh one if a listener's work makes another deal).
    const deal = this.dealDepth === 0 ? this.scratchDeal : new SimDeal();
    deal.ticket = ticket;
    deal.order = entry === DEAL_ENTRY_IN ? position.identifier : ticket;
    deal.time = time;
    deal.type = type;
    deal.entry = entry;
    deal.magic = position.magic;
    deal.position_id = position.identifier;
    deal.reason = reason;
    deal.volume = position.volume;
    deal.price = price;
    deal.commission = commission;
    deal.swap = 0;
    deal.profit = profit;
    deal.symbol = position.symbol;
    deal.comment = comment;
    this.history.add(deal);
    this.dealDepth++;
    try {
      const listeners = this.dealListeners;
      for (let k = 0; k < listeners.length; k++) listeners[k](deal);
      if (this.dealSubject.observed) this.dealSubject.next({ ...deal });
    } finally {
      this.dealDepth--;
    }
    return deal;
  }

  private profitAt(book: SymbolBook, position: Position, price: number): number {
    const diff = position.type === POSITION_TYPE_BUY ? price - position.price_open : position.price_open - price;
    return this.toAccount(book, diff * position.volume * book.spec.contractSize, price);
  }

  /** An amount in the symbol's profit currency in account currency, at `price`. */
  private toAccount(book: SymbolBook, amount: number, price: number): number {
    const conversion = book.conversion;
    if (conversion === 'same') return amount;
    if (conversion === 'divide') return amount / price;
    return profitToAccount(book.spec, amount, price, this.config.currency); // throws: no cross rate
  }

  private markPrice(book: SymbolBook, position: Position): number {
    if (!book.hasQuote) return position.price_open;
    return position.type === POSITION_TYPE_BUY ? book.quote.bid : book.quote.ask;
  }

  private floating(book: SymbolBook, position: Position): number {
    return this.profitAt(book, position, this.markPrice(book, position));
  }

  private marginFor(book: SymbolBook, volume: number, price: number): number {
    const notionalBase = volume * book.spec.contractSize;
    const inAccount = book.conversion === 'divide' ? notionalBase : this.toAccount(book, notionalBase * price, price);
    return inAccount / this.config.leverage;
  }

  private usedMargin(): number {
    if (this.openCount === 0) return 0;
    let margin = 0;
    for (const book of this.bookList) for (const p of book.positions) margin += this.marginFor(book, p.volume, p.price_open);
    return margin;
  }

  private freeMargin(): number {
    return this.equity() - this.usedMargin();
  }

  /** What every market order is checked for first: a quote, and the market open at its time. */
  private marketRejection(book: SymbolBook, volume: number): TradeResult | null {
    if (!book.hasQuote) return this.rejection(TRADE_RETCODE.PRICE_OFF, volume, undefined);
    if (!this.marketOpen(book.spec.name, book.quote.time)) return this.rejection(TRADE_RETCODE.MARKET_CLOSED, volume, book.quote);
    return null;
  }

  private rejection(retcode: number, volume: number, quote: Quote | undefined, detail = ''): TradeResult {
    return this.result(retcode, 0, 0, volume, 0, quote, detail ? `${retcodeText(retcode)}: ${detail}` : retcodeText(retcode));
  }

  private result(retcode: number, deal: number, order: number, volume: number, price: number, quote: Quote | undefined, comment: string): TradeResult {
    return { retcode, deal, order, volume, price, bid: quote?.bid ?? 0, ask: quote?.ask ?? 0, comment, request_id: 0, retcode_external: 0 };
  }
}
