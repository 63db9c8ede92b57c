import type { Deal } from '../model/mt5.ts';
import { widened } from '../util/typed-arrays.ts';

/**
 * The simulator's deal history: the last `limit` deals in a columnar ring buffer. Deals are
 * copied in field by field (strings interned), so the Deal objects handed to listeners die
 * young: holding a backtest's hundred thousand deals as objects would promote every one of
 * them to the old generation and make garbage collection the largest cost of a trade.
 */
export class DealHistory {
  private capacity: number;
  /** Deals ever added; the ring holds the last min(count, limit). */
  private count = 0;
  private ticket: Float64Array;
  private order: Float64Array;
  private time: Float64Array;
  private position: Float64Array;
  private magic: Float64Array;
  private volume: Float64Array;
  private price: Float64Array;
  private commission: Float64Array;
  private swap: Float64Array;
  private profit: Float64Array;
  /** type, entry and reason: small MT5 enums. */
  private kind: Int32Array;
  private symbol: Int32Array;
  private comment: Int32Array;
  private readonly strings: string[] = [];
  private readonly stringIds = new Map<string, number>();
  private readonly recent: (string | null)[] = [null, null, null, null];
  private readonly recentIds = new Int32Array(4);
  private recentNext = 0;
  private lastSymbol = '';
  private lastSymbolId = -1;

  constructor(readonly limit: number) {
    if (!(limit >= 1)) throw new Error(`DealHistory: limit must be at least 1, got ${limit}`);
    // Small at first and doubled up to the limit as deals come: a short run (an optimiser's
    // trial) should not allocate and zero 100 KB of columns it never fills.
    const n = (this.capacity = Math.min(limit, 64));
    this.ticket = new Float64Array(n);
    this.order = new Float64Array(n);
    this.time = new Float64Array(n);
    this.position = new Float64Array(n);
    this.magic = new Float64Array(n);
    this.volume = new Float64Array(n);
    this.price = new Float64Array(n);
    this.commission = new Float64Array(n);
    this.swap = new Float64Array(n);
    this.profit = new Float64Array(n);
    this.kind = new Int32Array(n * 3);
    this.symbol = new Int32Array(n);
    this.comment = new Int32Array(n);
  }

  get size(): number {
    return Math.min(this.count, this.limit);
  }

  add(deal: Deal): void {
    if (this.count < this.limit && this.count === this.capacity) this.grow();
    const at = this.count % this.capacity;
    this.ticket[at] = deal.ticket;
    this.order[at] = deal.order;
    this.time[at] = deal.time;
    this.position[at] = deal.position_id;
    this.magic[at] = deal.magic;
    this.volume[at] = deal.volume;
    this.price[at] = deal.price;
    this.commission[at] = deal.commission;
    this.swap[at] = deal.swap;
    this.profit[at] = deal.profit;
    this.kind[at * 3] = deal.type;
    this.kind[at * 3 + 1] = deal.entry;
    this.kind[at * 3 + 2] = deal.reason;
    const symbol = deal.symbol;
    if (symbol !== this.lastSymbol) {
      this.lastSymbol = symbol;
      this.lastSymbolId = this.intern(symbol);
    }
    this.symbol[at] = this.lastSymbolId;
    this.comment[at] = this.intern(deal.comment);
    this.count++;
  }

  /** Deals with `from <= time <= to`, oldest first, as fresh objects. */
  between(from: number, to: number): Deal[] {
    const out: Deal[] = [];
    for (let k = this.count - this.size; k < this.count; k++) {
      const at = k % this.capacity;
      const time = this.time[at];
      if (time < from || time > to) continue;
      out.push({
        ticket: this.ticket[at], order: this.order[at], time, type: this.kind[at * 3], entry: this.kind[at * 3 + 1],
        magic: this.magic[at], position_id: this.position[at], reason: this.kind[at * 3 + 2], volume: this.volume[at],
        price: this.price[at], commission: this.commission[at], swap: this.swap[at], profit: this.profit[at],
        symbol: this.strings[this.symbol[at]], comment: this.strings[this.comment[at]],
      });
    }
    return out;
  }

  /** Comments repeat (the strategy's tag, exit reasons): each distinct text is kept once. */
  private intern(text: string): number {
    // Deals cycle through a handful of texts, usually the very same string objects: a small
    // ring of recent ones is checked before hashing.
    const recent = this.recent;
    for (let k = 0; k < recent.length; k++) if (recent[k] === text) return this.recentIds[k];
    let id = this.stringIds.get(text);
    if (id === undefined) {
      id = this.strings.length;
      this.strings.push(text);
      this.stringIds.set(text, id);
    }
    const slot = this.recentNext;
    recent[slot] = text;
    this.recentIds[slot] = id;
    this.recentNext = (slot + 1) & 3;
    return id;
  }

  private grow(): void {
    const n = Math.min(this.limit, this.capacity * 2);
    const widen = <A extends Float64Array | Int32Array>(a: A, per = 1): A => widened(a, n * per);
    this.ticket = widen(this.ticket);
    this.order = widen(this.order);
    this.time = widen(this.time);
    this.position = widen(this.position);
    this.magic = widen(this.magic);
    this.volume = widen(this.volume);
    this.price = widen(this.price);
    this.commission = widen(this.commission);
    this.swap = widen(this.swap);
    this.profit = widen(this.profit);
    this.kind = widen(this.kind, 3);
    this.symbol = widen(this.symbol);
    this.comment = widen(this.comment);
    this.capacity = n;
  }
}
