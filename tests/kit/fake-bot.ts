import { Subject } from 'rxjs/internal/Subject';
import { formatSeconds, formatTimestamp, type BotStatus, type EventOf, type EventType, type Level, type LogEvent } from '../../protocol/index.ts';
import type { BacktestRequest, BotController, CommandOutcome } from '../../engine/live/bot-controller.ts';

/**
 * A small BotController for pure wire tests: it emits real protocol events on demand and
 * answers commands like the paper bot would, without markets or clocks.
 */
export class FakeBot implements BotController {
  readonly events$ = new Subject<LogEvent>();
  readonly sessionId = 'aaaaaaaa-0000-4000-8000-000000000001';
  readonly symbols = ['USDCHF', 'EURUSD'];
  running = false;
  trades = 0;
  lastTrade: string | null = null;
  balance = 10_000;
  readonly paused = new Set<string>();
  private readonly open = new Map<string, { price: number; lot: number; direction: 'buy' | 'sell'; id: number }>();
  private clock = Date.UTC(2024, 0, 15, 10, 30, 45, 123);
  private positionId = 0;

  status(): BotStatus {
    return {
      running: this.running,
      connected: this.running,
      error: null,
      trades_this_week: this.trades,
      last_trade_time: this.lastTrade,
      session_id: this.sessionId,
      balance: this.balance,
      mode: 'paper',
      symbols: this.symbols.map((symbol) => ({ symbol, state: this.paused.has(symbol) ? 'paused' : 'scanning', trades_this_week: 0 })),
    };
  }

  start(): CommandOutcome {
    if (this.running) return { ok: false, reason: 'already running' };
    this.running = true;
    this.emit('BOT_STATUS', 'INFO', { running: true, connected: true, broker: 'sim' });
    return { ok: true, reason: 'started' };
  }

  stop(): CommandOutcome {
    if (!this.running) return { ok: false, reason: 'not running' };
    this.running = false;
    this.emit('BOT_STATUS', 'INFO', { running: false, connected: false, reason: 'stopped by command' });
    return { ok: true, reason: 'stopped' };
  }

  pauseSymbol(symbol: string): CommandOutcome {
    if (!this.symbols.includes(symbol)) return { ok: false, reason: `unknown symbol ${symbol}` };
    this.paused.add(symbol);
    return { ok: true, reason: `${symbol} paused` };
  }

  resumeSymbol(symbol: string): CommandOutcome {
    if (!this.paused.delete(symbol)) return { ok: false, reason: `${symbol} is not paused` };
    return { ok: true, reason: `${symbol} resumed` };
  }

  closePosition(symbol: string): CommandOutcome {
    if (!this.open.has(symbol)) return { ok: false, reason: `no open position on ${symbol}` };
    this.exit(symbol, 'Closed by command');
    return { ok: true, reason: `${symbol} closed` };
  }

  runBacktest(request: BacktestRequest): CommandOutcome {
    if (!this.symbols.includes(request.symbol)) return { ok: false, reason: `unknown symbol ${request.symbol}` };
    const session = 'bbbbbbbb-0000-4000-8000-000000000002';
    queueMicrotask(() => {
      this.emit('BACKTEST_START', 'INFO', { session_id: session, symbol: request.symbol, data_points: 100, starting_balance: 10_000, trade_constraints: { min_trades_per_week: 3, max_trades_per_week: 10 } }, session);
      this.emit('WEEKLY_SUMMARY', 'INFO', { week: 1, trades: 4, target_range: '3-10', balance: 10_100, within_target: true }, session);
      this.emit('BACKTEST_COMPLETE', 'INFO', { session_id: session, final_balance: 10_100, total_return: 100, total_trades: 4, max_drawdown: 50, weekly_stats: { '1': { trades: 4, within_target: true } } }, session);
    });
    return { ok: true, reason: 'backtest started', data: { session_id: session } };
  }

  async shutdown(): Promise<void> {
    this.running = false;
    this.events$.complete();
  }

  /** Emits one event of the given type with the given data. */
  emit<T extends EventType>(type: T, level: Level, data: EventOf<T>['data'], sessionId = this.sessionId): void {
    this.clock += 60_000;
    this.events$.next({ timestamp: formatTimestamp(this.clock), session_id: sessionId, event_type: type, level, data } as LogEvent);
  }

  init(): void {
    this.emit('BOT_INITIALIZATION', 'INFO', {
      config: { symbols: this.symbols, risk_parameters: { risk_percent: 1 }, trading_settings: { timeframe: 'M30' }, balance: this.balance },
      rl_enabled: false,
      mt5_connected: false,
      broker: 'sim',
      mode: 'paper',
    });
  }

  entry(symbol: string, price = 1.1234): void {
    this.trades++;
    this.lastTrade = formatSeconds(this.clock);
    const id = ++this.positionId;
    this.open.set(symbol, { price, lot: 0.1, direction: 'buy', id });
    this.emit('TRADE_ENTRY', 'INFO', {
      symbol, direction: 'buy', price, lot_size: 0.1, stop_loss: price - 0.0034, take_profit: price + 0.0066,
      patterns_detected: ['Bullish Engulfing'], sr_levels: { support: price - 0.0034, resistance: price + 0.0066 },
      aggression_multiplier: 1, trades_this_week: this.trades, position_id: id, time: formatSeconds(this.clock + 60_000),
      execution_result: { retcode: 10009, deal: id, order: id, volume: 0.1, price, bid: price - 0.0001, ask: price, comment: 'done' },
    });
  }

  exit(symbol: string, reason = 'Take profit hit'): void {
    const position = this.open.get(symbol);
    if (!position) throw new Error(`fake bot: no position on ${symbol}`);
    this.open.delete(symbol);
    const pnl = 150;
    this.balance += pnl;
    this.emit('TRADE_EXIT', 'INFO', {
      symbol, exit_price: position.price + 0.0015, exit_reason: reason, pnl, balance_after: this.balance,
      timestamp: formatSeconds(this.clock + 60_000), position_id: position.id, direction: position.direction,
      entry_price: position.price, lot_size: position.lot,
    });
  }

  bar(symbol: string, time: number): void {
    this.emit('BAR', 'DEBUG', { symbol, timeframe: 'M30', time: formatSeconds(time), open: 1.1, high: 1.2, low: 1.0, close: 1.15, volume: 100 });
  }

  /** A DEBUG event of about `bytes` bytes, to fill slow clients' buffers. */
  bigDebug(bytes: number): void {
    this.emit('BAR', 'DEBUG', { symbol: 'USDCHF', timeframe: 'M30', time: formatSeconds(this.clock), open: 1, high: 1, low: 1, close: 1, padding: 'x'.repeat(bytes) } as never);
  }

  /** An ERROR event of about `bytes` bytes: never shed. */
  bigError(bytes: number): void {
    this.emit('ERROR', 'ERROR', { error: 'synthetic failure', traceback: 'y'.repeat(bytes) });
  }
}
