import { BehaviorSubject } from 'rxjs/internal/BehaviorSubject';
import { Subject } from 'rxjs/internal/Subject';
import type { Observable } from 'rxjs';
import type { StopModel } from '../../protocol/index.ts';
import { TRADE_RETCODE, TRADE_ACTION_DEAL, ORDER_TYPE_BUY, ORDER_TYPE_SELL, DEAL_ENTRY_IN, DEAL_ENTRY_OUT,
  DEAL_REASON_EXPERT, DEAL_REASON_SL, DEAL_REASON_SO, DEAL_REASON_TP, POSITION_TYPE_BUY, POSITION_TYPE_SELL, retcodeText,
  type AccountInfo, type Deal, type Position, type SymbolInfo, type TradeRequest, type TradeResult } from '../model/mt5.ts';
import { conversionProblem, normalizePrice, profitConversion, profitToAccount, SWAP_MODE, type ProfitConversion, type SymbolSpec } from '../model/symbol-spec.ts';
import { isValidVolume } from '../governor/position-sizing.ts';
import type { BrokerPort } from './broker-port.ts';
import type { BarPrices, BarSeries, TickPath } from '../model/bar.ts';
import { DealHistory } from './deal-history.ts';
import { fixed, MAX_MONEY_DIGITS, roundMoney } from '../util/rounding.ts';

const DAY_MS = 86_400_000;

export interface SimBrokerConfig {
  readonly balance: number;
  readonly currency: string;
  readonly leverage: number;
  /**
   * Spread in points per symbol; defaults to the symbol spec's `spreadPoints`. Set here, it is
   * the user's: it also replaces the per-bar spreads of bid bars (`setBarPrices`).
   */
  readonly spreadPoints: Readonly<Record<string, number>>;
  /** Adverse slippage in points on market fills and stop-loss exits. */
  readonly slippagePoints: number;
  /** Commission in account currency per lot per side (charged on entry and on exit). */
  readonly commissionPerLot: number;
  /**
   * Deals kept for `historyDealsGet`; older ones are dropped so long runs keep flat memory. 0
   * keeps none (`historyDealsGet` answers no deal): a backtest's own simulator, which nothing
   * outside the run can ask.
   */
  readonly historyLimit: number;
  /** First order/deal/position ticket (paper trading starts from the clock so restarts never reuse one). */
  readonly firstTicket: number;
  /** Decimals of the deposit currency: each deal's profit, commission and swap is booked rounded to them. */
  readonly currencyDigits: number;
  /** Margin level (equity / margin, %) at or below which the account is in margin call (MT5 `ACCOUNT_MARGIN_SO_CALL`). */
  readonly marginCallLevel: number;
  /** Margin level (%) at or below which positions are closed, largest loss first (MT5 `ACCOUNT_MARGIN_SO_SO`). */
  readonly stopOutLevel: number;
  /**
   * How stops, targets and the stop-out price are tested inside a bar. `bars` (default): over the
   * bar's range, MT5's rule for OHLC bars (a level inside it fills at the level, a bar that opens
   * beyond it at the open). `ticks`: MT5's "every tick based on real ticks" on a series built from
   * ticks or `time,price` samples (`BarSeries.ticks`): each of the bar's ticks in order, a level
   * triggering at the first tick at or beyond it and filling at that tick's price. Bars without
   * ticks (MT5 bar exports) are tested as `bars`.
   */
  readonly model: SimModel;
}

/** See `SimBrokerConfig.model`: the protocol's `StopModel`, as `run_backtest` and the config spell it. */
export type SimModel = StopModel;

export const DEFAULT_SIM_BROKER_CONFIG: SimBrokerConfig = {
  balance: 10_000, currency: 'USD', leverage: 100, spreadPoints: {}, slippagePoints: 0, commissionPerLot: 0, historyLimit: 100_000, firstTicket: 1,
  currencyDigits: 2, marginCallLevel: 100, stopOutLevel: 50, model: 'bars',
};

/** A simulated position: MT5's fields plus the price at which it would be stopped out. */
interface SimPosition extends Position {
  /**
   * The exit-side price (bid for a long, ask for a short) at which the account's margin level
   * would fall to the stop-out level with every other position at its current price; NaN when
   * no price does. Recomputed after every deal and rollover (`refreshRisk`).
   */
  stopOut: number;
  /** The margin it holds, account currency (fixed by its volume and open price). */
  readonly margin: number;
}

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
  [DEAL_REASON_SO]: 'Stop out',
};

/**
 * A simulated MT5 broker (hedging account) behind the same port as a real terminal. Prices
 * come from the feed through `setQuote` (bid/ask around the feed's mid price with the
 * configured spread; for a symbol of bid bars, `setBarPrices`, bid = the bar's price and ask =
 * bid + the bar's spread); market orders fill at the current quote plus slippage.
 *
 * Stop rule inside a bar (`checkStops`): a long position exits at the bid, a short at the ask.
 * If the bar opens beyond the stop (a gap) the exit is at the open; if both the stop and the
 * take-profit lie inside one bar's range, the stop is taken (the conservative choice: OHLC
 * data cannot tell which came first).
 */
/** One symbol's market in the simulator: spec, current quote and open positions. */
export interface SymbolBook {
  readonly spec: SymbolSpec;
  /** Half the spread, price units: a mid bar's bid and ask lie this far below and above its price. */
  readonly halfSpread: number;
  /**
   * The symbol's bars are bids (an MT5 bar export, `setBarPrices`): bid = the bar's price, ask =
   * bid + the bar's spread (`barSpread`). False: mid bars, quoted with `halfSpread` either side.
   */
  bidBars: boolean;
  /** The spread, price units: the user's (`SimBrokerConfig.spreadPoints`) or the spec's. */
  readonly spread: number;
  /** The user fixed the spread (`SimBrokerConfig.spreadPoints`): bid bars then ignore their own. */
  readonly spreadFixed: boolean;
  /** Bid bars: the spread (price units) of the bar last quoted, the ask's distance above the bid. */
  barSpread: number;
  /** Adverse slippage in price units. */
  readonly slip: number;
  readonly quote: Quote;
  hasQuote: boolean;
  readonly positions: SimPosition[];
  /** How profit in the symbol's profit currency becomes account currency (see `toAccount`). */
  readonly conversion: ProfitConversion;
  /**
   * A bar whose mid low is above `lowTrigger` and mid high below `highTrigger` reaches no
   * stop or target of this book (bounds widened by half a point and a hair: the bid and ask
   * are compared on the symbol's digits); `checkStopsAt` skips such bars with two comparisons.
   */
  lowTrigger: number;
  highTrigger: number;
  /**
   * Bid bars: the band above is on the bid (the bar's price: longs' stops and targets) and this
   * one on the ask (the bar's price + its spread: shorts'), both checked per bar.
   */
  askLowTrigger: number;
  askHighTrigger: number;
  /** The spec charges a swap (a mode and a non-zero rate): only then do its positions arm the rollover. */
  readonly chargesSwap: boolean;
}

/** Profit already in account currency, divided by the price (base = account), or no rate. */

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
  private readonly history: DealHistory | null;
  private balance: number;
  private nextTicket: number;
  private marketOpen: (symbol: string, time: number) => boolean = () => true;
  private readonly moneyDigits: number;
  /**
   * The next rollover (00:00 UTC) at which open positions are charged swap; +Infinity while
   * nothing is open. The engine calls `rollover` at the first bar at or after it.
   */
  nextRollover = Number.POSITIVE_INFINITY;
  /** Deals and rollovers so far: a change tells the engine the balance, the equity or the positions moved. */
  revision = 0;
  /** `config.model === 'ticks'`, read per bar that reaches a level. */
  private readonly tickModel: boolean;

  constructor(specs: readonly SymbolSpec[], config: Partial<SimBrokerConfig> = {}) {
    // One literal, not a spread: the config keeps one hidden class from run to run.
    const d = DEFAULT_SIM_BROKER_CONFIG;
    this.config = {
      balance: config.balance ?? d.balance, currency: config.currency ?? d.currency, leverage: config.leverage ?? d.leverage,
      spreadPoints: config.spreadPoints ?? d.spreadPoints, slippagePoints: config.slippagePoints ?? d.slippagePoints,
      commissionPerLot: config.commissionPerLot ?? d.commissionPerLot, historyLimit: config.historyLimit ?? d.historyLimit,
      firstTicket: config.firstTicket ?? d.firstTicket, currencyDigits: config.currencyDigits ?? d.currencyDigits,
      marginCallLevel: config.marginCallLevel ?? d.marginCallLevel, stopOutLevel: config.stopOutLevel ?? d.stopOutLevel,
      model: config.model ?? d.model,
    };
    if (this.config.model !== 'bars' && this.config.model !== 'ticks') throw new Error(`broker model "${this.config.model}": expected "bars" or "ticks"`);
    this.tickModel = this.config.model === 'ticks';
    this.moneyDigits = this.config.currencyDigits;
    if (!(Number.isInteger(this.moneyDigits) && this.moneyDigits >= 0 && this.moneyDigits <= MAX_MONEY_DIGITS)) {
      throw new Error(`broker currencyDigits ${this.moneyDigits}: a deposit currency has 0-${MAX_MONEY_DIGITS} decimals`);
    }
    checkCosts(this.config);
    this.balance = this.config.balance;
    this.nextTicket = this.config.firstTicket;
    const limit = this.config.historyLimit;
    if (!(limit === 0 || (limit >= 1 && (Number.isInteger(limit) || limit === Number.POSITIVE_INFINITY)))) {
      throw new Error(`SimBroker: historyLimit must be 0 (keep no deals) or a whole number of deals, at least 1, got ${limit}`);
    }
    this.history = limit > 0 ? new DealHistory(limit) : null;
    this.deals$ = this.dealSubject.asObservable();
    this.connection$ = new BehaviorSubject(true).asObservable();
    for (const spec of specs) this.addSymbol(spec);
  }

  addSymbol(spec: SymbolSpec): void {
    const unconvertible = conversionProblem(spec, this.config.currency);
    if (unconvertible) throw new Error(`SimBroker: ${unconvertible}`);
    const fixed = this.config.spreadPoints[spec.name];
    const points = fixed ?? spec.spreadPoints;
    const book: SymbolBook = {
      spec, halfSpread: (points * spec.point) / 2, bidBars: false, spread: points * spec.point, spreadFixed: fixed !== undefined,
      barSpread: points * spec.point, slip: this.config.slippagePoints * spec.point,
      quote: new Quote(), hasQuote: false, positions: [],
      conversion: profitConversion(spec, this.config.currency),
      lowTrigger: Number.NEGATIVE_INFINITY, highTrigger: Number.POSITIVE_INFINITY,
      askLowTrigger: Number.NEGATIVE_INFINITY, askHighTrigger: Number.POSITIVE_INFINITY,
      chargesSwap: spec.swapMode !== SWAP_MODE.DISABLED && (spec.swapLong !== 0 || spec.swapShort !== 0),
    };
    this.books.set(spec.name, book);
    this.bookList.push(book);
  }

  /**
   * What the symbol's bars are (the engine tells it from the series, `BarSeries.prices`): mid
   * prices (the default) or bids, quoted bid = price, ask = price + the bar's spread (its
   * `BarSeries.spread` in points; the symbol's spread without that column or when the user
   * fixed one).
   */
  setBarPrices(symbol: string, prices: BarPrices): void {
    const book = this.bookOf(symbol);
    book.bidBars = prices === 'bid';
    if (book.positions.length > 0) this.updateTriggers(book);
  }

  /** Bid bars: bar `i`'s spread in price units (its own, or the symbol's when fixed or not given). */
  spreadAt(book: SymbolBook, bars: BarSeries, i: number): number {
    return barSpread(book, bars.spread ? bars.spread[i] : Number.NaN);
  }

  /** Bid bars: the ask for bid `price` with bar `i`'s spread, on the symbol's digits (as MT5 quotes it). */
  askAt(book: SymbolBook, bars: BarSeries, i: number, price: number): number {
    return normalizePrice(book.spec, price + this.spreadAt(book, bars, i));
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
   * NaN when there is no sole position in `book` or its profit converts through another rate,
   * or the book's bars are bids (a short's mark moves with each bar's spread: every bar is
   * sampled); ±Infinity when no price gives that equity (on the side where it would lie).
   */
  midAtEquity(book: SymbolBook, equity: number): number {
    if (this.openCount !== 1 || book.positions.length !== 1 || book.bidBars) return Number.NaN;
    const p = book.positions[0];
    const direction = p.type === POSITION_TYPE_BUY ? 1 : -1;
    const k = direction * p.volume * book.spec.contractSize;
    const profit = equity - this.balance - p.swap;
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
    if (book.bidBars) {
      quoteBid(book, mid, this.spreadAt(book, bars, i));
    } else {
      q.bid = mid - book.halfSpread;
      q.ask = mid + book.halfSpread;
    }
    book.hasQuote = true;
  }

  /**
   * The quote at a bar's open (`time`), given its price alone (a portfolio's or the paper bot's
   * OPEN step, before the bar is in a series): mid bars around `open` with the symbol's spread;
   * bid bars bid = `open`, ask = `open` + the bar's spread (`spreadPoints`, NaN when the bars
   * carry none: the symbol's; the user's when fixed), as `quoteBar` quotes them.
   */
  quoteOpen(book: SymbolBook, open: number, time: number, spreadPoints: number): void {
    if (!book.bidBars) {
      this.quoteClose(book, open, time);
      return;
    }
    book.quote.time = time;
    quoteBid(book, open, barSpread(book, spreadPoints));
    book.hasQuote = true;
  }

  /** The quote at a mid bar's close (`close` mid, `time` its close time): the bar loop's path, inlined there. */
  quoteClose(book: SymbolBook, close: number, time: number): void {
    const q = book.quote;
    q.time = time;
    q.bid = close - book.halfSpread;
    q.ask = close + book.halfSpread;
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
   * Checks every open position of `symbol` against one bar of its prices (mid; bid bars with
   * the spread of the bar last quoted) and closes those whose stop or take-profit the bar
   * reached. Exits are published on `deals$` synchronously.
   */
  checkStops(symbol: string, time: number, open: number, high: number, low: number): void {
    const book = this.bookOf(symbol);
    if (book.bidBars) this.checkBidStopsIn(book, time, open, high, low);
    else this.checkStopsIn(book, time, open, high, low);
  }

  /**
   * `checkStops` for bar `i` of `bars` on a book handle: the per-bar fast path. A bar inside
   * the book's trigger band returns after two comparisons; otherwise the quote moves to the
   * bar's open (the price anything inside the bar executes against) and the stops are checked.
   * Prices are read here, not passed, so nothing is boxed when the call is not inlined.
   */
  checkStopsAt(book: SymbolBook, bars: BarSeries, i: number, barMs: number): void {
    if (book.bidBars) {
      this.checkBidStopsAt(book, bars, i, barMs);
      return;
    }
    if (bars.low[i] > book.lowTrigger && bars.high[i] < book.highTrigger) return;
    this.quoteBar(book, bars, i, false, barMs);
    const path = this.tickModel ? bars.ticks : null;
    if (path) this.checkStopsOnTicks(book, bars.time[i], path, i);
    else this.checkStopsIn(book, bars.time[i], bars.open[i], bars.high[i], bars.low[i]);
  }

  /**
   * The real-ticks model inside bar `i`: each tick in order is a price the rule of `checkStopsIn`
   * is applied to (open, high and low alike), so a level triggers at the first tick at or beyond
   * it and fills there (a long's stop at that tick's bid, a target at it, a short's at the ask).
   * Ticks inside the book's trigger band are skipped with two comparisons.
   */
  private checkStopsOnTicks(book: SymbolBook, time: number, path: TickPath, i: number): void {
    const { primary, other, first } = path;
    const end = first[i + 1];
    for (let k = first[i]; k < end && book.positions.length > 0; k++) {
      const p = other === null ? primary[k] : (primary[k] + other[k]) / 2;
      if (p > book.lowTrigger && p < book.highTrigger) continue;
      this.checkStopsIn(book, time, p, p, p);
    }
  }

  /** `checkStopsAt` for bid bars: the bid band (longs), then the ask band with the bar's spread (shorts). */
  private checkBidStopsAt(book: SymbolBook, bars: BarSeries, i: number, barMs: number): void {
    const spread = this.spreadAt(book, bars, i);
    const low = bars.low[i], high = bars.high[i];
    if (low > book.lowTrigger && high < book.highTrigger && low + spread > book.askLowTrigger && high + spread < book.askHighTrigger) return;
    this.quoteBar(book, bars, i, false, barMs);
    this.checkBidStopsIn(book, bars.time[i], bars.open[i], high, low);
  }

  /** Recomputes the book's trigger band after its positions changed. */
  private updateTriggers(book: SymbolBook): void {
    if (book.bidBars) {
      this.updateBidTriggers(book);
      return;
    }
    const hs = book.halfSpread;
    let low = Number.NEGATIVE_INFINITY;
    let high = Number.POSITIVE_INFINITY;
    for (const p of book.positions) {
      const buy = p.type === POSITION_TYPE_BUY;
      // Long: stop when low - hs <= sl, target when high - hs >= tp. Short: stop when
      // high + hs >= sl, target when low + hs <= tp.
      // The stop-out price is a second stop (the nearer of the two counts).
      const so = p.stopOut;
      const longStop = so > p.sl ? so : p.sl > 0 ? p.sl : Number.NEGATIVE_INFINITY;
      const shortStop = so === so && (p.sl === 0 || so < p.sl) ? so : p.sl > 0 ? p.sl : Number.POSITIVE_INFINITY;
      const lowLevel = buy ? longStop + hs : p.tp > 0 ? p.tp - hs : Number.NEGATIVE_INFINITY;
      const highLevel = buy ? (p.tp > 0 ? p.tp + hs : Number.POSITIVE_INFINITY) : shortStop - hs;
      if (lowLevel > low) low = lowLevel;
      if (highLevel < high) high = highLevel;
    }
    // The bid and ask are compared on the symbol's digits (`checkStopsIn`): a mid price within
    // half a point of a level rounds onto it.
    const slack = book.spec.point * (0.5 + 1e-3);
    book.lowTrigger = low + slack;
    book.highTrigger = high - slack;
  }

  /**
   * Bid bars' band: longs' stops and targets on the bid (the bar's price itself), shorts' on the
   * ask (the bar's price + its spread, checked per bar: `checkBidStopsAt`). The ask is rounded to
   * the symbol's digits, so its band is widened by half a point.
   */
  private updateBidTriggers(book: SymbolBook): void {
    let low = Number.NEGATIVE_INFINITY, high = Number.POSITIVE_INFINITY;
    let askLow = Number.NEGATIVE_INFINITY, askHigh = Number.POSITIVE_INFINITY;
    for (const p of book.positions) {
      const so = p.stopOut;
      if (p.type === POSITION_TYPE_BUY) {
        const stop = so > p.sl ? so : p.sl > 0 ? p.sl : Number.NEGATIVE_INFINITY;
        if (stop > low) low = stop;
        if (p.tp > 0 && p.tp < high) high = p.tp;
      } else {
        const stop = so === so && (p.sl === 0 || so < p.sl) ? so : p.sl > 0 ? p.sl : Number.POSITIVE_INFINITY;
        if (stop < askHigh) askHigh = stop;
        if (p.tp > 0 && p.tp > askLow) askLow = p.tp;
      }
    }
    const slack = book.spec.point * 1e-3;
    const askSlack = book.spec.point * 0.5 + slack;
    book.lowTrigger = low + slack;
    book.highTrigger = high - slack;
    book.askLowTrigger = askLow + askSlack;
    book.askHighTrigger = askHigh - askSlack;
  }

  /**
   * The stop rule above, with the stop-out level as a second stop: whichever of the stop-loss
   * and the stop-out price the bar reaches first (the nearer one) closes the position; a stop-out
   * closes the account's largest loss first (`stopOut`). Prices of the book's bars: mid, or bids
   * with the spread of the bar last quoted (`barSpread`).
   */
  checkStopsIn(book: SymbolBook, time: number, open: number, high: number, low: number): void {
    if (book.positions.length === 0) return;
    // Bid and ask on the symbol's digits, as the levels are: 1.4607 - 0.0001 is
    // 1.4606000000000001 in floating point, which must reach a stop at 1.4606.
    const spec = book.spec, hs = book.halfSpread;
    this.checkStopsOn(book, time, normalizePrice(spec, open - hs), normalizePrice(spec, high - hs), normalizePrice(spec, low - hs),
      normalizePrice(spec, open + hs), normalizePrice(spec, high + hs), normalizePrice(spec, low + hs));
  }

  /**
   * `checkStopsIn` for bid bars: a long exits on the bid (the bar's prices), a short on the ask
   * (the bar's prices + its spread, `barSpread`, on the symbol's digits).
   */
  private checkBidStopsIn(book: SymbolBook, time: number, bidOpen: number, bidHigh: number, bidLow: number): void {
    if (book.positions.length === 0) return;
    const spec = book.spec, spread = book.barSpread;
    this.checkStopsOn(book, time, bidOpen, bidHigh, bidLow,
      normalizePrice(spec, bidOpen + spread), normalizePrice(spec, bidHigh + spread), normalizePrice(spec, bidLow + spread));
  }

  /** The stop rule of `checkStopsIn` on one bar's bid and ask prices: longs on the bids, shorts on the asks. */
  private checkStopsOn(book: SymbolBook, time: number, bidOpen: number, bidHigh: number, bidLow: number,
    askOpen: number, askHigh: number, askLow: number): void {
    const positions = book.positions;
    const slip = book.slip;
    for (let k = positions.length - 1; k >= 0; k--) {
      if (k >= positions.length) continue; // a stop-out closed more than one
      const position = positions[k];
      const so = position.stopOut;
      if (position.type === POSITION_TYPE_BUY) {
        const soFirst = so > position.sl; // false when NaN (no stop-out price)
        const stop = soFirst ? so : position.sl;
        if ((soFirst || stop > 0) && bidLow <= stop) {
          const price = Math.min(stop, bidOpen) - slip;
          if (soFirst) this.stopOut(book, position, price, time);
          else this.closePosition(book, position, price, time, DEAL_REASON_SL);
        } else if (position.tp > 0 && bidHigh >= position.tp) {
          this.closePosition(book, position, Math.max(position.tp, bidOpen), time, DEAL_REASON_TP);
        }
      } else {
        const soFirst = so === so && (position.sl === 0 || so < position.sl);
        const stop = soFirst ? so : position.sl;
        if ((soFirst || stop > 0) && askHigh >= stop) {
          const price = Math.max(stop, askOpen) + slip;
          if (soFirst) this.stopOut(book, position, price, time);
          else this.closePosition(book, position, price, time, DEAL_REASON_SL);
        } else if (position.tp > 0 && askLow <= position.tp) {
          this.closePosition(book, position, Math.min(position.tp, askOpen), time, DEAL_REASON_TP);
        }
      }
    }
  }

  /**
   * The account reached the stop-out level: `trigger` (in `book`) is at `price`, its exit side
   * where the level was reached. As MT5 does, the position with the largest loss is closed
   * first (`trigger` at `price`, every other position at its current price), then the level is
   * checked again, until it is above the stop-out level or nothing is open.
   */
  private stopOut(book: SymbolBook, trigger: SimPosition, price: number, time: number): void {
    const level = this.config.stopOutLevel;
    // The level was reached at `price` (that is how the trigger was found): the first close is
    // certain; later ones only while the level is still at or below stop-out.
    for (let first = true; ; first = false) {
      const margin = this.usedMargin();
      if (margin === 0) return;
      let equity = this.balance;
      let worst: SimPosition | null = null;
      let worstBook: SymbolBook | null = null;
      let worstLoss = Number.POSITIVE_INFINITY;
      for (const b of this.bookList) {
        for (const p of b.positions) {
          const profit = (p === trigger ? this.profitAt(b, p, price) : this.floating(b, p)) + p.swap;
          equity += profit;
          if (profit < worstLoss) {
            worstLoss = profit;
            worst = p;
            worstBook = b;
          }
        }
      }
      const marginLevel = (equity / margin) * 100;
      if (worst === null || worstBook === null || (!first && marginLevel > level)) return;
      const exit = worst === trigger ? price : this.markPrice(worstBook, worst);
      const comment = `Stop out: margin level ${fixed(marginLevel, 2)}% <= stop-out level ${fixed(level, 2)}% (equity ${fixed(equity, 2)}, margin ${fixed(margin, 2)}, margin call at ${fixed(this.config.marginCallLevel, 2)}%); largest loss closed first`;
      this.closePosition(worstBook, worst, exit, time, DEAL_REASON_SO, comment);
    }
  }

  /**
   * Charges the overnight swap of every open position for each rollover (00:00 UTC) up to
   * `time`, as MT5's tester does: one night at the end of Monday to Friday, three at the end of
   * the symbol's `swapRollover3Days` (Wednesday by default: it carries the weekend), none at the
   * end of Saturday and Sunday. The swap accrues on the position (equity moves now) and is booked
   * to the balance in the closing deal's `swap`, each rollover's charge (a triple as one) rounded to cents.
   */
  rollover(time: number): void {
    let charged = false;
    while (this.nextRollover <= time) {
      // The weekday of the day that ends at this rollover (1970-01-01 was a Thursday).
      // (Also before 1970, where `%` gives a negative remainder.)
      // Days as an int32 (any date within 5 million years): `%` on a double is a library call.
      const weekday = ((((Math.floor(this.nextRollover / DAY_MS) | 0) + 3) % 7) + 7) % 7;
      if (weekday >= 1 && weekday <= 5) {
        const books = this.bookList;
        for (let b = 0; b < books.length; b++) {
          const book = books[b];
          const spec = book.spec;
          const positions = book.positions;
          if (spec.swapMode === SWAP_MODE.DISABLED || positions.length === 0) continue;
          const nights = weekday === spec.swapRollover3Days ? 3 : 1;
          for (let k = 0; k < positions.length; k++) {
            const p = positions[k];
            const night = roundMoney(nights * this.swapPerNight(book, p), this.moneyDigits);
            if (night === 0) continue;
            p.swap = roundMoney(p.swap + night, this.moneyDigits);
            charged = true;
          }
        }
      }
      this.nextRollover += DAY_MS;
    }
    if (this.openCount === 0) this.nextRollover = Number.POSITIVE_INFINITY;
    else {
      let armed = false;
      const books = this.bookList;
      for (let b = 0; b < books.length; b++) if (books[b].chargesSwap && books[b].positions.length > 0) armed = true;
      if (!armed) this.nextRollover = Number.POSITIVE_INFINITY;
    }
    // A night that charged nothing (a weekend, a swap under half a cent) moved no equity: the
    // stop-out prices and the engine's equity band stand.
    if (!charged) return;
    this.revision++;
    this.refreshRisk();
  }

  /** One night's swap of `position`, in account currency (before rounding), from the spec's mode and rates. */
  private swapPerNight(book: SymbolBook, position: Position): number {
    const spec = book.spec;
    const buy = position.type === POSITION_TYPE_BUY;
    const rate = buy ? spec.swapLong : spec.swapShort;
    if (rate === 0) return 0;
    const mark = this.markPrice(book, position);
    const lots = position.volume;
    switch (spec.swapMode) {
      case SWAP_MODE.POINTS:
        return this.toAccount(book, rate * spec.point * spec.contractSize * lots, mark);
      case SWAP_MODE.CURRENCY_SYMBOL:
      case SWAP_MODE.CURRENCY_MARGIN:
        // In the base currency: the account's already, or worth `mark` profit-currency units each.
        return spec.baseCurrency === this.config.currency ? rate * lots : this.toAccount(book, rate * lots * mark, mark);
      case SWAP_MODE.CURRENCY_DEPOSIT:
        return rate * lots;
      case SWAP_MODE.INTEREST_CURRENT:
        return this.toAccount(book, (mark * spec.contractSize * lots * rate) / 100 / 360, mark);
      case SWAP_MODE.INTEREST_OPEN:
        return this.toAccount(book, (position.price_open * spec.contractSize * lots * rate) / 100 / 360, mark);
      default:
        return 0;
    }
  }

  /**
   * Recomputes every position's stop-out price and every book's trigger band: after a deal or a
   * rollover, and per bar while several positions are open (each one's stop-out price then
   * depends on the others' prices).
   */
  refreshRisk(): void {
    // Nothing open: every book's band was reset when its last position closed.
    if (this.openCount === 0) return;
    const books = this.bookList;
    if (!(this.config.stopOutLevel > 0)) {
      for (let b = 0; b < books.length; b++) if (books[b].positions.length > 0) this.updateTriggers(books[b]);
      return;
    }
    if (this.openCount === 1) {
      // The common case, without the scratch column: the same sums in the same order.
      for (let b = 0; b < books.length; b++) {
        const book = books[b];
        if (book.positions.length === 0) continue;
        const p = book.positions[0];
        const f = this.floating(book, p);
        const equity = this.balance + (f + p.swap);
        p.stopOut = this.exitPriceAtProfit(book, p, (this.config.stopOutLevel / 100) * p.margin - (equity - f));
        this.updateTriggers(book);
        return;
      }
    }
    // Each position's floating profit once (a scratch column), then each one's stop-out price.
    const floats = this.floatColumn();
    let n = 0;
    let margin = 0;
    let equity = this.balance;
    for (let b = 0; b < books.length; b++) {
      const book = books[b];
      const positions = book.positions;
      for (let k = 0; k < positions.length; k++) {
        const p = positions[k];
        const f = this.floating(book, p);
        floats[n++] = f;
        margin += p.margin;
        equity += f + p.swap;
      }
    }
    const target = (this.config.stopOutLevel / 100) * margin;
    n = 0;
    for (let b = 0; b < books.length; b++) {
      const book = books[b];
      const positions = book.positions;
      if (positions.length === 0) continue;
      // Each position's profit at which equity would be the stop-out level's share of the margin.
      for (let k = 0; k < positions.length; k++) positions[k].stopOut = this.exitPriceAtProfit(book, positions[k], target - (equity - floats[n++]));
      this.updateTriggers(book);
    }
  }

  /** `refreshRisk`'s scratch column of floating profits, grown first if fewer than the open positions. */
  private floatColumn(): number[] {
    if (this.floatScratch.length < this.openCount) this.floatScratch = new Array<number>(this.openCount * 2).fill(0.5);
    return this.floatScratch;
  }

  private floatScratch: number[] = [0.5, 0.5, 0.5, 0.5];

  /** The exit-side price at which `position`'s profit would be `profit` (NaN when none is). */
  private exitPriceAtProfit(book: SymbolBook, position: Position, profit: number): number {
    const buy = position.type === POSITION_TYPE_BUY;
    const k = (buy ? 1 : -1) * position.volume * book.spec.contractSize;
    let price: number;
    if (book.conversion === 'same') price = position.price_open + profit / k;
    else if (book.conversion === 'divide') price = (k * position.price_open) / (k - profit);
    else return Number.NaN;
    return price > 0 && Number.isFinite(price) ? price : Number.NaN;
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
    const volume = request.volume;
    if (!book) return this.rejection(TRADE_RETCODE.INVALID, volume, undefined, `unknown symbol ${request.symbol}`);
    if (request.action !== TRADE_ACTION_DEAL) return this.rejection(TRADE_RETCODE.INVALID, volume, book, 'only market deals are simulated');
    if (request.type !== ORDER_TYPE_BUY && request.type !== ORDER_TYPE_SELL) {
      return this.marketRejection(book, volume) ?? this.rejection(TRADE_RETCODE.INVALID, volume, book, `order type ${request.type}`);
    }
    if (request.position) return this.marketClose(book, request.position, request.type, volume, request.comment);
    return this.marketEntry(book, request.type, volume, request.sl, request.tp, request.magic, request.comment);
  }

  /**
   * A market entry (`type` buy or sell) in `book`: `orderSend`'s checks, fill and deal, taken
   * directly by a symbol actor on the simulated path (no MT5 request object per order).
   */
  marketEntry(book: SymbolBook, type: number, volume: number, sl: number, tp: number, magic: number, comment: string, into?: TradeResult): TradeResult {
    const rejected = this.marketRejection(book, volume);
    if (rejected !== null) return rejected;
    const quote = book.quote;
    const spec = book.spec;
    // No free margin (a gap through a stop left the balance at or below zero): nothing can be
    // opened, whatever the volume (the sizing of such an account gives 0 lots).
    const free = this.freeMargin();
    if (!(roundMoney(free, this.moneyDigits) > 0)) return this.rejection(TRADE_RETCODE.NO_MONEY, volume, book, `free margin ${fixed(free, 2)}`);
    const buy = type === ORDER_TYPE_BUY;
    // A spread or slippage wider than the price itself leaves no price to trade at: a position
    // could not be closed at its bid.
    // (On the symbol's digits, as the fill would be: a bid of 0.004 on a 2-digit symbol is 0.00.)
    const exitBid = normalizePrice(spec, quote.bid - book.slip);
    if (!(exitBid > 0)) {
      return this.rejection(TRADE_RETCODE.INVALID_PRICE, volume, book, `the bid ${fixed(exitBid, spec.digits)} (after spread and slippage) is not a positive price`);
    }
    // The stops before the volume: a stop at the price (one that normalises onto it) sizes to
    // 0 lots, and the reason is the stop, not the volume.
    const fault = stopsFault(book, buy, sl, tp);
    if (fault !== STOPS_OK) return this.rejection(TRADE_RETCODE.INVALID_STOPS, volume, book, stopsRefusal(fault, book, buy, sl, tp));
    if (!isValidVolume(spec, volume)) {
      return this.rejection(TRADE_RETCODE.INVALID_VOLUME, volume, book, `${volume} lots (min ${spec.volumeMin}, step ${spec.volumeStep}, max ${spec.volumeMax})`);
    }
    const price = normalizePrice(spec, buy ? quote.ask + book.slip : quote.bid - book.slip);
    const margin = this.marginFor(book, volume, price);
    // In cents, as the account shows them: 1 lot of EURUSD at 1.1 with leverage 100 needs
    // 1,100.00 (1100.0000000000002 in doubles), which a free margin of 1,100.00 covers.
    if (roundMoney(margin, this.moneyDigits) > roundMoney(free, this.moneyDigits)) return this.rejection(TRADE_RETCODE.NO_MONEY, volume, book, `margin ${fixed(margin, 2)} > free ${fixed(free, 2)}`);

    const ticket = this.nextTicket++;
    const position: SimPosition = {
      ticket, time: quote.time, type: buy ? POSITION_TYPE_BUY : POSITION_TYPE_SELL, magic, identifier: ticket,
      volume, price_open: price, sl, tp, price_current: price, swap: 0, profit: 0,
      symbol: spec.name, comment, stopOut: Number.NaN, margin,
    };
    book.positions.push(position);
    this.openCount++;
    if (book.chargesSwap && this.nextRollover === Number.POSITIVE_INFINITY) this.nextRollover = (Math.floor(quote.time / DAY_MS) + 1) * DAY_MS;
    const commission = roundMoney(-this.config.commissionPerLot * volume, this.moneyDigits);
    this.balance = roundMoney(this.balance + commission, this.moneyDigits);
    this.refreshRisk();
    const deal = this.deal(position, DEAL_ENTRY_IN, type, price, quote.time, DEAL_REASON_EXPERT, 0, commission, 0);
    return this.result(TRADE_RETCODE.DONE, deal.ticket, deal.order, volume, price, book, 'Request completed', into);
  }

  /**
   * Closes position `ticket` of `book` in full at the market (`type` must be the opposite of
   * the position's): `orderSend`'s checks and deal, taken directly by a symbol actor on the
   * simulated path.
   */
  marketClose(book: SymbolBook, ticket: number, type: number, volume: number, comment: string, into?: TradeResult): TradeResult {
    const rejected = this.marketRejection(book, volume);
    if (rejected !== null) return rejected;
    const quote = book.quote;
    let position: SimPosition | undefined;
    for (const p of book.positions) if (p.ticket === ticket) position = p;
    if (!position) return this.result(TRADE_RETCODE.POSITION_CLOSED, 0, 0, volume, 0, book, retcodeText(TRADE_RETCODE.POSITION_CLOSED));
    const closingType = position.type === POSITION_TYPE_BUY ? ORDER_TYPE_SELL : ORDER_TYPE_BUY;
    if (type !== closingType || Math.abs(volume - position.volume) > 1e-9) {
      return this.result(TRADE_RETCODE.INVALID, 0, 0, volume, 0, book, 'Invalid request: close must be the opposite type and the full volume');
    }
    const price = position.type === POSITION_TYPE_BUY ? quote.bid - book.slip : quote.ask + book.slip;
    const deal = this.closePosition(book, position, price, quote.time, DEAL_REASON_EXPERT, comment);
    return this.result(TRADE_RETCODE.DONE, deal.ticket, deal.order, position.volume, deal.price, book, 'Request completed', into);
  }

  accountInfo(): AccountInfo {
    const equity = this.equity();
    const margin = this.usedMargin();
    const money = (x: number) => roundMoney(x, this.moneyDigits);
    return {
      login: 0, currency: this.config.currency, balance: this.balance, equity: money(equity), margin: money(margin), margin_free: money(equity - margin),
      margin_level: margin > 0 ? Math.round((equity / margin) * 10_000) / 100 : 0,
      margin_so_call: this.config.marginCallLevel, margin_so_so: this.config.stopOutLevel,
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
      bid: quote ? normalizePrice(spec, quote.bid) : 0, ask: quote ? normalizePrice(spec, quote.ask) : 0,
      // Bid bars: the spread of the bar quoted (the ask minus the bid, in points).
      spread: Math.round((book.bidBars ? book.barSpread : book.halfSpread * 2) / spec.point),
    };
  }

  positionsGet(symbol?: string): Position[] {
    const out: Position[] = [];
    for (const book of this.bookList) {
      if (symbol && book.spec.name !== symbol) continue;
      for (const p of book.positions) {
        // MT5's fields only (not the simulator's stop-out price), profit in cents.
        out.push({
          ticket: p.ticket, time: p.time, type: p.type, magic: p.magic, identifier: p.identifier, volume: p.volume,
          price_open: p.price_open, sl: p.sl, tp: p.tp, price_current: normalizePrice(book.spec, this.markPrice(book, p)),
          swap: p.swap, profit: roundMoney(this.floating(book, p), this.moneyDigits), symbol: p.symbol, comment: p.comment,
        });
      }
    }
    return out.sort((a, b) => a.ticket - b.ticket);
  }

  historyDealsGet(fromMs: number, toMs: number): Deal[] {
    return this.history === null ? [] : this.history.between(fromMs, toMs);
  }

  /** Balance plus the floating profit of every open position at the current quotes. */
  equity(): number {
    if (this.openCount === 0) return this.balance;
    let equity = this.balance;
    const books = this.bookList;
    for (let b = 0; b < books.length; b++) {
      const book = books[b];
      const positions = book.positions;
      for (let k = 0; k < positions.length; k++) equity += this.floating(book, positions[k]) + positions[k].swap;
    }
    return equity;
  }

  /** Puts back positions and balance after a restart (the journal is the source). */
  restore(balance: number, positions: readonly Position[]): void {
    this.balance = balance;
    for (const p of positions) {
      const book = this.bookOf(p.symbol);
      book.positions.push({ ...p, stopOut: Number.NaN, margin: this.marginFor(book, p.volume, p.price_open) });
      this.openCount++;
      this.nextTicket = Math.max(this.nextTicket, p.ticket + 1);
      if (book.chargesSwap && this.nextRollover === Number.POSITIVE_INFINITY) this.nextRollover = (Math.floor(p.time / DAY_MS) + 1) * DAY_MS;
    }
    this.refreshRisk();
  }

  close(): void {
    this.dealSubject.complete();
  }

  /**
   * Books the closing deal as MT5 does: profit, commission and the swap accrued on the position,
   * each rounded to the deposit currency's cents, and the balance moves by exactly their sum.
   */
  private closePosition(book: SymbolBook, position: SimPosition, rawPrice: number, time: number, reason: number, comment = ''): Deal {
    const price = normalizePrice(book.spec, rawPrice);
    const digits = this.moneyDigits;
    const profit = roundMoney(this.profitAt(book, position, price), digits);
    const commission = roundMoney(-this.config.commissionPerLot * position.volume, digits);
    const swap = roundMoney(position.swap, digits);
    this.balance = roundMoney(this.balance + profit + commission + swap, digits);
    // Shift down and pop: splice reallocates the list's storage each time it empties.
    const list = book.positions;
    for (let k = list.indexOf(position); k < list.length - 1; k++) list[k] = list[k + 1];
    list.pop();
    this.openCount--;
    if (this.openCount === 0) this.nextRollover = Number.POSITIVE_INFINITY;
    // The book's last position gone (the common case): nothing left to trigger.
    if (list.length === 0) {
      book.lowTrigger = Number.NEGATIVE_INFINITY;
      book.highTrigger = Number.POSITIVE_INFINITY;
      book.askLowTrigger = Number.NEGATIVE_INFINITY;
      book.askHighTrigger = Number.POSITIVE_INFINITY;
    } else {
      this.updateTriggers(book);
    }
    this.refreshRisk();
    const type = position.type === POSITION_TYPE_BUY ? ORDER_TYPE_SELL : ORDER_TYPE_BUY;
    return this.deal(position, DEAL_ENTRY_OUT, type, price, time, reason, profit, commission, swap, comment || EXIT_REASON_BY_DEAL_REASON[reason] || '');
  }

  private deal(position: Position, entry: number, type: number, price: number, time: number, reason: number,
    profit: number, commission: number, swap: number, comment = position.comment): Deal {
    const ticket = this.nextTicket++;
    this.deals++;
    this.revision++;
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
    deal.swap = swap;
    deal.profit = profit;
    deal.symbol = position.symbol;
    deal.comment = comment;
    if (this.history !== null) this.history.add(deal);
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
    for (const book of this.bookList) for (const p of book.positions) margin += p.margin;
    return margin;
  }

  private freeMargin(): number {
    return this.equity() - this.usedMargin();
  }

  /** What every market order is checked for first: a quote, and the market open at its time. */
  private marketRejection(book: SymbolBook, volume: number): TradeResult | null {
    if (!book.hasQuote) return this.rejection(TRADE_RETCODE.PRICE_OFF, volume, undefined);
    if (!this.marketOpen(book.spec.name, book.quote.time)) return this.rejection(TRADE_RETCODE.MARKET_CLOSED, volume, book);
    return null;
  }

  private rejection(retcode: number, volume: number, book: SymbolBook | undefined, detail = ''): TradeResult {
    return this.result(retcode, 0, 0, volume, 0, book, detail ? `${retcodeText(retcode)}: ${detail}` : retcodeText(retcode));
  }

  /**
   * A result with the book's quote normalised to the symbol's digits (as a server reports it):
   * written into `into` when given (a symbol actor's own result, read before its next order),
   * else a new one.
   */
  private result(retcode: number, deal: number, order: number, volume: number, price: number, book: SymbolBook | undefined, comment: string,
    into?: TradeResult): TradeResult {
    const quoted = book !== undefined && book.hasQuote;
    const bid = quoted ? normalizePrice(book.spec, book.quote.bid) : 0;
    const ask = quoted ? normalizePrice(book.spec, book.quote.ask) : 0;
    if (into === undefined) return { retcode, deal, order, volume, price, bid, ask, comment, request_id: 0, retcode_external: 0 };
    into.retcode = retcode; into.deal = deal; into.order = order; into.volume = volume; into.price = price;
    into.bid = bid; into.ask = ask; into.comment = comment; into.request_id = 0; into.retcode_external = 0;
    return into;
  }
}

/** Why `stopsFault` refuses a pair of stops (0: it does not). */
const STOPS_OK = 0, STOPS_NEGATIVE = 1, STOPS_NOT_A_PRICE = 2, STOPS_SL_SIDE = 3, STOPS_TP_SIDE = 4;

/**
 * Whether MT5 would refuse these stops for a market order at the book's quote (retcode 10016),
 * and for which rule: a stop-loss or take-profit must be positive and lie on its side of the
 * price the position would close at (bid for a buy, ask for a sell), at least `stopsLevel` points
 * away. A number, not the wording (`stopsRefusal`), so that V8 inlines the check into
 * `marketEntry` without spending its inlining budget on text only a refused order needs.
 */
function stopsFault(book: SymbolBook, buy: boolean, sl: number, tp: number): number {
  if (sl < 0 || tp < 0) return STOPS_NEGATIVE;
  if (!(sl < Number.POSITIVE_INFINITY && tp < Number.POSITIVE_INFINITY)) return STOPS_NOT_A_PRICE;
  const spec = book.spec;
  const exitSide = normalizePrice(spec, buy ? book.quote.bid : book.quote.ask);
  // The nearest allowed stop on each side, as prices of the symbol's digits: 110.008 - 10 points
  // is 109.998, not the 109.99799999999999 a double gives, which would refuse a stop at it.
  const below = spec.stopsLevel > 0 ? normalizePrice(spec, exitSide - spec.stopsLevel * spec.point) : exitSide;
  const above = spec.stopsLevel > 0 ? normalizePrice(spec, exitSide + spec.stopsLevel * spec.point) : exitSide;
  if (sl !== 0 && (buy ? sl > below : sl < above)) return STOPS_SL_SIDE;
  if (tp !== 0 && (buy ? tp < above : tp > below)) return STOPS_TP_SIDE;
  return STOPS_OK;
}

/** Bid bars: a bar's spread in price units from its own in points (NaN: none given), or the symbol's when fixed or not given. */
function barSpread(book: SymbolBook, spreadPoints: number): number {
  return book.spreadFixed || !(spreadPoints >= 0) ? book.spread : spreadPoints * book.spec.point;
}

/** Bid bars: bid = `bid`, ask = `bid` + `spread` on the symbol's digits, as MT5 quotes them; the spread kept for the bar's stops. */
function quoteBid(book: SymbolBook, bid: number, spread: number): void {
  book.barSpread = spread;
  book.quote.bid = bid;
  book.quote.ask = normalizePrice(book.spec, bid + spread);
}

/** The reason for a refusal `stopsFault` gave (`fault` its answer). */
function stopsRefusal(fault: number, book: SymbolBook, buy: boolean, sl: number, tp: number): string {
  if (fault === STOPS_NEGATIVE) return `${sl < 0 ? `stop-loss ${sl}` : `take-profit ${tp}`} is negative (0 means none)`;
  if (fault === STOPS_NOT_A_PRICE) return `stop-loss ${sl} / take-profit ${tp} is not a price`;
  const spec = book.spec;
  const side = buy ? 'bid' : 'ask';
  const exitSide = normalizePrice(spec, buy ? book.quote.bid : book.quote.ask);
  // The limit lies beyond the price on the stop's side: below it for a buy's stop-loss and a
  // sell's take-profit, above it for the other two.
  const gap = (below: boolean) => (spec.stopsLevel > 0 ? ` ${below ? '-' : '+'} ${spec.stopsLevel} points` : '');
  return fault === STOPS_SL_SIDE
    ? `${buy ? 'buy' : 'sell'} stop-loss ${sl} is not ${buy ? 'below' : 'above'} the ${side} ${exitSide}${gap(buy)} it would close at`
    : `${buy ? 'buy' : 'sell'} take-profit ${tp} is not ${buy ? 'above' : 'below'} the ${side} ${exitSide}${gap(!buy)} it would close at`;
}

/** The simulator's costs and levels, each checked by name: a negative spread or commission would pay the trader. */
function checkCosts(c: SimBrokerConfig): void {
  const refuse = (what: string, value: unknown, rule: string): never => {
    throw new Error(`broker ${what} ${JSON.stringify(value)}: ${rule}`);
  };
  const atLeastZero = (v: number) => Number.isFinite(v) && v >= 0;
  if (!(Number.isFinite(c.balance) && c.balance > 0)) refuse('balance', c.balance, 'must be greater than 0');
  if (!(Number.isFinite(c.leverage) && c.leverage > 0)) refuse('leverage', c.leverage, 'must be greater than 0');
  if (!atLeastZero(c.commissionPerLot)) refuse('commissionPerLot', c.commissionPerLot, 'must be 0 or more (charged per lot per side)');
  if (!atLeastZero(c.slippagePoints)) refuse('slippagePoints', c.slippagePoints, 'must be 0 or more');
  for (const [symbol, points] of Object.entries(c.spreadPoints)) {
    if (!atLeastZero(points)) refuse(`spreadPoints.${symbol}`, points, 'must be 0 or more');
  }
  if (!atLeastZero(c.stopOutLevel)) refuse('stopOutLevel', c.stopOutLevel, 'must be a margin level in %, 0 or more (0: no stop-out)');
  if (!(Number.isFinite(c.marginCallLevel) && c.marginCallLevel >= c.stopOutLevel)) {
    refuse('marginCallLevel', c.marginCallLevel, `must be a margin level in %, at or above the stop-out level (${c.stopOutLevel} %)`);
  }
}
