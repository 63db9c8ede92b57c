import type { Subscription } from 'rxjs';
import { formatSeconds } from '../../protocol/envelope.ts';
import { POSITION_TYPE_BUY, TRADE_RETCODE } from '../model/mt5.ts';
import type { LiveBrokerPort } from '../broker/live-broker-port.ts';
import type { Reconciliation } from '../broker/reconcile.ts';
import type { RestoredState } from '../model/restored-state.ts';
import { TradingBot, type BotMarket, type TradingBotOptions } from './trading-bot.ts';
import { round2 } from '../util/rounding.ts';

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
 * is reported as BOT_STATUS; on reconnection the broker's reconciliation is applied: positions
 * opened while away are adopted and reported, positions closed while away are closed and
 * reported, never twice.
 */
class LiveMarket implements BotMarket {
  readonly mode = 'live' as const;
  readonly clock = 'wall' as const;
  readonly sim = null;
  readonly broker: LiveBrokerPort;
  readonly settings: Readonly<Record<string, unknown>>;
  private delivering = false;
  private readonly subscriptions: Subscription[] = [];
  private bot: TradingBot | null = null;

  constructor(private readonly options: LiveBotOptions) {
    this.broker = options.brokerPort;
    this.settings = { feed: `${options.brokerPort.name} closed bars` };
  }

  isSynthetic(): boolean {
    return false;
  }

  bind(bot: TradingBot): void {
    this.bot = bot;
    const timeframes = new Map(this.options.symbols.map((s) => [s.symbol, s.timeframe]));
    this.subscriptions.push(
      this.broker.bars$.subscribe(({ symbol, timeframe, bar }) => {
        if (this.delivering && timeframes.get(symbol) === timeframe) bot.deliver(symbol, bar.time, bar.open, bar.high, bar.low, bar.close, bar.volume);
      }),
      // The latest tick of each symbol: a live entry is sized from the price it is sent at.
      this.broker.ticks$.subscribe((tick) => bot.actor(tick.symbol)?.quote(tick.bid, tick.ask)),
      this.broker.connection$.subscribe((connected) => {
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
        stopLoss: p.stopLoss, takeProfit: p.takeProfit, entryTime: p.entryTime, entryIndex: 0,
      });
    }
  }

  start(): void {
    this.delivering = true;
  }

  stop(): void {
    this.delivering = false;
  }

  async close(): Promise<void> {
    for (const s of this.subscriptions) s.unsubscribe();
    await this.broker.close();
  }

  /** Applies what changed on the terminal while the engine could not see it. */
  private apply(bot: TradingBot, r: Reconciliation): void {
    if (r.clean) return;
    const g = bot.engine.governor;
    for (const opened of r.opened) {
      const p = opened.position;
      const actor = bot.actor(p.symbol);
      if (!actor || actor.position?.ticket === opened.restored.positionId) continue;
      actor.adoptPosition({
        ticket: opened.restored.positionId, direction: opened.restored.direction, entryPrice: p.price_open, lotSize: p.volume,
        stopLoss: p.sl, takeProfit: p.tp, entryTime: p.time, entryIndex: 0,
      });
      bot.publish(bot.engine.events.make('TRADE_ENTRY', 'INFO', {
        symbol: p.symbol, direction: p.type === POSITION_TYPE_BUY ? 'buy' : 'sell', price: p.price_open, lot_size: p.volume,
        stop_loss: p.sl, take_profit: p.tp, patterns_detected: [], sr_levels: { support: null, resistance: null },
        aggression_multiplier: g.aggression, trades_this_week: g.trades,
        execution_result: {
          retcode: TRADE_RETCODE.DONE, deal: opened.entryDeal?.ticket ?? 0, order: opened.entryDeal?.order ?? p.ticket, volume: p.volume,
          price: p.price_open, bid: 0, ask: 0, comment: 'adopted: opened on the terminal while the engine was disconnected',
        },
        position_id: opened.restored.positionId, time: formatSeconds(p.time), reason: 'adopted after reconnection',
      }));
    }
    for (const closed of r.closed) {
      const actor = bot.actor(closed.known.symbol);
      if (!actor || actor.position?.ticket !== closed.known.positionId) continue;
      bot.engine.account.balance += closed.profit;
      actor.positionClosedElsewhere(
        closed.exitPrice ?? closed.known.entryPrice, closed.exitTime ?? r.at, round2(closed.profit),
        `${EXIT_REASON[closed.reason]} (while disconnected)`, round2(bot.engine.account.balance),
      );
    }
    for (const changed of r.changed) {
      const actor = bot.actor(changed.known.symbol);
      if (!actor?.position) continue;
      actor.adoptPosition({ ...actor.position, lotSize: changed.position.volume, stopLoss: changed.position.sl, takeProfit: changed.position.tp });
    }
    bot.emitStatus(`reconciled with ${this.broker.name}: ${r.opened.length} adopted, ${r.closed.length} closed, ${r.changed.length} changed while away`);
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
  const bot = new TradingBot(options, new LiveMarket(options), balance);
  if (options.restored) {
    const now = Date.now();
    bot.engine.governor.restore({ weekStart: options.restored.weekStart, trades: options.restored.tradesThisWeek, lastTradeTime: options.restored.lastTradeTime }, now);
  }
  return bot;
}
