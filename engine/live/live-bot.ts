import type { Subscription } from 'rxjs';
import { formatSeconds } from '../../protocol/envelope.ts';
import { POSITION_TYPE_BUY, TRADE_RETCODE } from '../model/mt5.ts';
import type { LiveBrokerPort } from '../broker/live-broker-port.ts';
import { splitByOwner, type AdoptedPosition, type Reconciliation } from '../broker/reconcile.ts';
import type { RestoredState } from '../model/restored-state.ts';
import { governorSnapshot, TradingBot, type BotMarket, type TradingBotOptions } from './trading-bot.ts';
import { round2 } from '../util/rounding.ts';

/**
 * The magic number a live bot stamps on its orders unless `magic` is configured: positions
 * carrying it are the bot's, every other position on the account is the user's.
 */
export const DEFAULT_LIVE_MAGIC = 7_100_700;

export interface LiveBotOptions extends TradingBotOptions {
  /** A connected (or connecting) real-account broker: the MT5 bridge or MetaApi. */
  readonly brokerPort: LiveBrokerPort;
  /** The journal's state: positions to manage before the broker's reconciliation confirms them. */
  readonly restored?: RestoredState | null;
}

const EXIT_REASON = { stop_loss: 'Stop loss hit', take_profit: 'Take profit hit', stop_out: 'Stop out', closed: 'Closed on the terminal' } as const;

/**
 * Live trading's market: closed bars from the terminal's feed, orders to the real broker. The
 * terminal manages stop-loss and take-profit itself; exits reach the actors as deals. A lost
 * connection pauses new entries (the actors refuse them while the broker is disconnected) and
 * is reported as BOT_STATUS; on reconnection the broker's reconciliation is applied, matched by
 * MT5 position id so nothing is adopted or closed twice:
 * - a position opened while away with the bot's magic number is the bot's: adopted (TRADE_ENTRY,
 *   journaled); if the symbol already holds one of the bot's, the new one is kept beside it, never
 *   in its place, an ERROR names both and no new entry goes out on that symbol until one is closed;
 * - any other position (magic 0: opened by hand; another EA's) is the user's: reported once as
 *   DECISION `foreign_position` (ticket, symbol, volume, magic) and never adopted or closed;
 * - a position of the bot's closed while away is closed and reported (TRADE_EXIT);
 * - volume or stops of a position of the bot's changed while away are taken over, on that ticket only.
 * A close the user asked for before a restart and not executed (the journal's `close_requests`)
 * waits for the terminal: sent once a reconciliation shows that very ticket open (BOT_STATUS
 * "closing it now"), dropped if it shows it gone (BOT_STATUS "dropped", after its TRADE_EXIT);
 * another position on the symbol is never closed in its place.
 */
class LiveMarket implements BotMarket {
  readonly mode = 'live' as const;
  readonly clock = 'wall' as const;
  readonly sim = null;
  /** The journal's positions are the terminal's only once a reconciliation shows them: pending closes wait for it. */
  readonly confirmsPositions = true;
  readonly broker: LiveBrokerPort;
  readonly settings: Readonly<Record<string, unknown>>;
  private delivering = false;
  private readonly subscriptions: Subscription[] = [];
  private bot: TradingBot | null = null;
  /** Ticks older than the symbol's quote, ignored, by symbol. */
  private readonly staleTicks = new Map<string, number>();
  /** Positions whose TRADE_ENTRY this process emitted (filled or adopted): counted in their week already. */
  private readonly entered = new Set<number>();
  /** Positions of someone else already reported (once each per process). */
  private readonly reportedForeign = new Set<number>();
  /** Journal positions the terminal showed open since the link last came up (a pending close of one can go out). */
  private readonly seenOpen = new Set<number>();
  /** Whether the start said which closes wait for the terminal (once per process). */
  private toldWaiting = false;
  readonly magic: number;

  constructor(private readonly options: LiveBotOptions) {
    this.broker = options.brokerPort;
    this.magic = options.magic ?? DEFAULT_LIVE_MAGIC;
    this.settings = { feed: `${options.brokerPort.name} closed bars` };
  }

  isSynthetic(): boolean {
    return false;
  }

  bind(bot: TradingBot): void {
    this.bot = bot;
    const timeframes = new Map(this.options.symbols.map((s) => [s.symbol, s.timeframe]));
    this.subscriptions.push(
      bot.events$.subscribe((e) => {
        if (e.event_type === 'TRADE_ENTRY' && e.data.position_id !== undefined) this.entered.add(e.data.position_id);
      }),
      this.broker.bars$.subscribe(({ symbol, timeframe, bar }) => {
        if (this.delivering && timeframes.get(symbol) === timeframe) bot.deliver(symbol, bar.time, bar.open, bar.high, bar.low, bar.close, bar.volume);
      }),
      // The latest tick of each symbol: a live entry is sized from the price it is sent at. An
      // older tick than the quote held is ignored (counted, reported at the 1st, 10th, 100th...),
      // unless the quote held is stamped ahead of this machine's clock: such a tick never freezes the quote.
      this.broker.ticks$.subscribe((tick) => {
        if (bot.actor(tick.symbol)?.quote(tick.bid, tick.ask, tick.time, tick.ahead === true) === false) this.staleTick(bot, tick.symbol, tick.time);
      }),
      this.broker.connection$.subscribe((connected) => {
        if (!connected) this.seenOpen.clear();
        bot.emitStatus(connected ? `${this.broker.name} connected` : `${this.broker.name} connection lost: new entries paused until it returns`);
      }),
      this.broker.reconciliation$.subscribe((r) => this.apply(bot, r)),
      this.broker.problems$.subscribe((problem) => {
        bot.publish(bot.engine.events.make('ERROR', 'ERROR', { error: `${this.broker.name}: ${problem}`, traceback: '', source: this.broker.name }));
      }),
    );
    for (const p of this.options.restored?.positions ?? []) {
      bot.actor(p.symbol)?.adoptPosition({
        ticket: p.positionId, direction: p.direction, entryPrice: p.entryPrice, lotSize: p.lotSize,
        stopLoss: p.stopLoss, takeProfit: p.takeProfit, entryTime: p.entryTime, entryIndex: Number.NaN,
      });
      // Parts closed before the restart: booked then (the journal's balance has them), added into the round trip when the rest closes.
      if (p.exits) bot.actor(p.symbol)?.restoreExits(p.positionId, p.exits);
    }
  }

  start(): void {
    this.delivering = true;
    const bot = this.bot;
    if (!bot) return;
    // Found in the journal before anyone listened: said again now that someone does.
    for (const actor of bot.engine.actors.values()) if (actor.duplicates.size > 0) actor.reportDuplicates();
    this.sendPendingCloses(bot);
    if (this.toldWaiting) return;
    this.toldWaiting = true;
    for (const { symbol, ticket } of bot.pendingCloses()) {
      bot.emitStatus(`${symbol} position #${ticket}: the close asked for before the restart goes out once the terminal shows the position still open`);
    }
  }

  stop(): void {
    this.delivering = false;
  }

  async close(): Promise<void> {
    for (const s of this.subscriptions) s.unsubscribe();
    await this.broker.close();
  }

  private staleTick(bot: TradingBot, symbol: string, time: number): void {
    const count = (this.staleTicks.get(symbol) ?? 0) + 1;
    this.staleTicks.set(symbol, count);
    if (!Number.isInteger(Math.log10(count))) return;
    bot.publish(bot.engine.events.make('ERROR', 'DEBUG', {
      error: `${symbol}: ${count} tick${count === 1 ? '' : 's'} older than the latest quote ignored so far (the last stamped ${formatSeconds(time)}); orders are sized from the latest quote`,
      traceback: '', symbol, source: this.broker.name,
    }));
  }

  /**
   * A reconciliation: what changed on the terminal is applied, then the journal's pending closes
   * are settled against what it shows (see the class comment).
   */
  private apply(bot: TradingBot, r: Reconciliation): void {
    for (const ticket of r.unchanged) this.seenOpen.add(ticket);
    for (const changed of r.changed) this.seenOpen.add(changed.known.positionId);
    if (!r.clean) this.applyChanges(bot, r);
    // A pending close whose position is gone (closed while away, its TRADE_EXIT just sent, or by a deal seen live) is dropped.
    for (const { symbol, ticket } of bot.pendingCloses()) {
      const actor = bot.actor(symbol);
      if (actor?.holds(ticket)) continue;
      bot.dropPendingClose(ticket);
      const gone = r.closed.find((c) => c.known.positionId === ticket);
      const now = actor?.position;
      bot.emitStatus(`${symbol} position #${ticket}: the close asked for before the restart is dropped: the position was already closed on the terminal`
        + (gone ? ` (${EXIT_REASON[gone.reason]})` : '') + (now && now.ticket !== ticket ? `; #${now.ticket}, open on ${symbol} now, is not closed` : ''));
    }
    this.sendPendingCloses(bot);
  }

  /**
   * The journal's pending closes of positions the terminal has shown open: sent, once each (by
   * ticket: a symbol may have several), while running and connected.
   */
  private sendPendingCloses(bot: TradingBot): void {
    if (!this.delivering || !this.broker.isConnected()) return;
    for (const { symbol, ticket } of bot.pendingCloses()) {
      if (!this.seenOpen.has(ticket)) continue;
      if (bot.sendPendingClose(ticket)) bot.emitStatus(`${symbol} position #${ticket}: closing it now, as the user asked before the restart (the terminal shows it open)`);
    }
  }

  /** Applies what changed on the terminal while the engine could not see it (see the class comment for the rules). */
  private applyChanges(bot: TradingBot, r: Reconciliation): void {
    const { own, foreign } = splitByOwner(r.opened, this.magic);
    // What closed is booked before what opened is adopted: a position that replaced a closed one
    // on its symbol is then the symbol's only one, not a "second position" for a moment (an ERROR
    // and a DECISION that were no longer true when the reconciliation ended).
    for (const closed of r.closed) {
      const actor = bot.actor(closed.known.symbol);
      if (!actor?.holds(closed.known.positionId)) continue;
      // Its exit deals are booked like live ones (those already booked, live or journaled, are
      // skipped); the last one closes the round trip, whose TRADE_EXIT adds in every part.
      const reason = `${EXIT_REASON[closed.reason]} (${r.connected ? 'found on the terminal' : 'while disconnected'})`;
      closed.exitDeals.forEach((deal, i) => actor.foundExitDeal(deal, i === closed.exitDeals.length - 1 ? reason : null));
      if (!actor.holds(closed.known.positionId)) continue;
      // Gone with no exit deal left to book (it closed before the window, or the history is short): closed at what is known.
      actor.positionClosedElsewhere(
        closed.known.positionId, closed.exitPrice ?? closed.known.entryPrice, closed.exitTime ?? r.at, 0, reason, round2(bot.engine.account.balance),
      );
    }
    let adopted = 0;
    for (const opened of own) if (this.adopt(bot, opened)) adopted += 1;
    for (const opened of foreign) this.reportForeign(bot, opened, r.at);
    for (const changed of r.changed) {
      const actor = bot.actor(changed.known.symbol);
      // A part closed while away: its exit deal is booked and tallied like a live one (once).
      for (const deal of changed.exitDeals) actor?.foundExitDeal(deal, null);
      actor?.updatePosition(changed.known.positionId, changed.position.volume, changed.position.sl, changed.position.tp);
    }
    // A check run while connected found what happened on the terminal meanwhile, not while away.
    bot.emitStatus(`reconciled with ${this.broker.name}: ${adopted} adopted, ${r.closed.length} closed, ${r.changed.length} changed ${r.connected ? 'on the terminal meanwhile' : 'while away'}`
      + (foreign.length ? `; ${foreign.length} not the bot's (magic other than ${this.magic}), left alone` : ''));
  }

  /** A position of the bot's (its magic) the journal did not know: adopted and journaled; true if it was new to the actor. */
  private adopt(bot: TradingBot, opened: AdoptedPosition): boolean {
    const p = opened.position;
    const actor = bot.actor(p.symbol);
    if (!actor) {
      bot.publish(bot.engine.events.make('ERROR', 'ERROR', {
        error: `position #${opened.restored.positionId} ${p.symbol} ${p.volume} lots carries this bot's magic ${this.magic} but ${p.symbol} is not one of its symbols: left alone`,
        traceback: '', symbol: p.symbol, source: this.broker.name,
      }));
      return false;
    }
    if (actor.holds(opened.restored.positionId)) return false;
    const role = actor.adoptPosition({
      ticket: opened.restored.positionId, direction: opened.restored.direction, entryPrice: p.price_open, lotSize: p.volume,
      stopLoss: p.sl, takeProfit: p.tp, entryTime: p.time, entryIndex: Number.NaN,
    });
    const g = bot.engine.governor;
    // An entry the governor did not reserve: counted once, in its week, if that is the current one.
    const counted = !this.entered.has(opened.restored.positionId) && g.recordAdopted(p.time);
    bot.publish(bot.engine.events.make('TRADE_ENTRY', 'INFO', {
      symbol: p.symbol, direction: p.type === POSITION_TYPE_BUY ? 'buy' : 'sell', price: p.price_open, lot_size: p.volume,
      stop_loss: p.sl, take_profit: p.tp, patterns_detected: [], sr_levels: { support: null, resistance: null },
      aggression_multiplier: g.aggression, trades_this_week: g.trades,
      execution_result: {
        retcode: TRADE_RETCODE.DONE, deal: opened.entryDeal?.ticket ?? 0, order: opened.entryDeal?.order ?? p.ticket, volume: p.volume,
        price: p.price_open, bid: 0, ask: 0, comment: 'adopted: opened on the terminal while the engine was disconnected',
      },
      position_id: opened.restored.positionId, time: formatSeconds(p.time),
      reason: (role === 'managed' ? 'adopted after reconnection' : 'adopted after reconnection as a second position of this bot on the symbol: kept, not managed; no new entries until one is closed')
        + (counted ? `; counted in this week's trades (${g.trades} of ${g.max})` : '; not counted in this week\'s trades (opened in another week, or counted already)'),
    }));
    return true;
  }

  /** Someone else's position (another magic): reported once, never adopted or closed. */
  private reportForeign(bot: TradingBot, opened: AdoptedPosition, at: number): void {
    const p = opened.position;
    if (this.reportedForeign.has(opened.restored.positionId)) return;
    this.reportedForeign.add(opened.restored.positionId);
    const g = bot.engine.governor;
    bot.publish(bot.engine.events.make('DECISION', 'INFO', {
      symbol: p.symbol, decision: 'foreign_position',
      reason: `position #${opened.restored.positionId} ${p.symbol} ${p.type === POSITION_TYPE_BUY ? 'buy' : 'sell'} ${p.volume} lots has magic ${p.magic}${p.magic === 0 ? ' (opened by hand)' : ''}, not this bot's ${this.magic}: left alone, never adopted or closed by the bot`,
      trades_this_week: g.trades, max_trades: g.max, aggression_multiplier: g.aggression, time: formatSeconds(at),
      ticket: opened.restored.positionId, lot_size: p.volume, magic: p.magic,
    }));
  }
}

/**
 * Creates the live bot over a real-account broker. The starting balance is the account's own
 * (asked of the broker when it is connected), else the journal's, else the configured one.
 */
export async function createLiveBot(options: LiveBotOptions): Promise<TradingBot> {
  let balance = options.restored?.balance ?? options.balance;
  if (options.brokerPort.isConnected()) {
    try {
      balance = (await options.brokerPort.accountInfo()).balance;
    } catch {
      // Keep the journal's balance; the first deal brings the account's own figures.
    }
  }
  const magic = options.magic ?? DEFAULT_LIVE_MAGIC;
  const bot = new TradingBot({ ...options, magic }, new LiveMarket({ ...options, magic }), balance);
  if (options.restored) {
    const now = Date.now();
    bot.engine.governor.restore(governorSnapshot(options.restored), now);
    bot.keepPaused(options.restored.paused);
    bot.keepCloseRequests(options.restored.closeRequests);
  }
  return bot;
}
