import { formatTimestamp, type LogEvent } from '../../protocol/index.ts';

/** Builders of wire-shaped log events for UI tests and benchmarks. */
export class EventFactory {
  private seq = 0;
  private clock: number;

  constructor(readonly sessionId = 'session-1', start = Date.UTC(2024, 0, 15, 10, 0, 0)) {
    this.clock = start;
  }

  /** Advances the market clock and returns the spec timestamp. */
  tick(ms = 60_000): string {
    this.clock += ms;
    return formatTimestamp(this.clock);
  }

  private wrap<T extends LogEvent['event_type']>(event_type: T, data: unknown, level: 'INFO' | 'DEBUG' | 'ERROR' = 'INFO', session = this.sessionId): LogEvent {
    return { timestamp: this.tick(), session_id: session, event_type, level, data, seq: ++this.seq } as LogEvent;
  }

  init(symbols = ['EURUSDm', 'XAUUSDm']): LogEvent {
    return this.wrap('BOT_INITIALIZATION', { config: { symbols, risk_parameters: {}, trading_settings: {} }, rl_enabled: false, mt5_connected: true, broker: 'sim' });
  }

  transition(symbol: string, from: string, to: string, event = 'START', cause = 'bot started'): LogEvent {
    return this.wrap('STATE_TRANSITION', { symbol, from, to, event, cause });
  }

  bar(symbol: string, time: string, close: number): LogEvent {
    return this.wrap('BAR', { symbol, timeframe: 'M30', time, open: close - 0.001, high: close + 0.002, low: close - 0.002, close }, 'DEBUG');
  }

  entry(symbol: string, price: number, tradesThisWeek: number, time?: string): LogEvent {
    return this.wrap('TRADE_ENTRY', {
      symbol, direction: 'buy', price, lot_size: 0.1, stop_loss: price - 0.01, take_profit: price + 0.02,
      patterns_detected: ['Bullish Engulfing'], sr_levels: { support: price - 0.01, resistance: price + 0.02 },
      aggression_multiplier: 1, trades_this_week: tradesThisWeek,
      execution_result: { retcode: 10009, deal: 1, order: 1, volume: 0.1, price, bid: price, ask: price, comment: 'done' },
      ...(time ? { time } : {}),
    });
  }

  exit(symbol: string, price: number, pnl: number, balanceAfter: number, session?: string): LogEvent {
    return this.wrap('TRADE_EXIT', { symbol, exit_price: price, exit_reason: 'Take profit hit', pnl, balance_after: balanceAfter, timestamp: this.tick(0).slice(0, 19) }, 'INFO', session);
  }

  decision(symbol: string, decision: string, tradesThisWeek: number, max = 10): LogEvent {
    return this.wrap('DECISION', { symbol, decision, reason: `because ${decision}`, trades_this_week: tradesThisWeek, max_trades: max, aggression_multiplier: 1.3 });
  }

  error(message: string, symbol?: string): LogEvent {
    return this.wrap('ERROR', { error: message, traceback: `Error: ${message}\n    at strategy.ts:1:1`, ...(symbol ? { symbol } : {}) }, 'ERROR');
  }

  performance(totalTrades: number, winRate: number, balance: number): LogEvent {
    return this.wrap('PERFORMANCE', { total_trades: totalTrades, win_rate: winRate, total_profit: balance - 10_000, max_drawdown: 0.05, weekly_target: { min_trades: 3, max_trades: 10, current_trades: totalTrades }, balance });
  }

  backtestStart(session: string, symbol = 'EURUSDm'): LogEvent {
    return this.wrap('BACKTEST_START', { session_id: session, symbol, data_points: 100, starting_balance: 10_000, trade_constraints: { min_trades_per_week: 3, max_trades_per_week: 10 } }, 'INFO', session);
  }

  weekly(session: string, week: number, trades: number, balance: number): LogEvent {
    return this.wrap('WEEKLY_SUMMARY', { week, trades, target_range: '3-10', balance, within_target: trades >= 3 && trades <= 10 }, 'INFO', session);
  }

  backtestComplete(session: string, finalBalance: number, totalTrades: number): LogEvent {
    return this.wrap('BACKTEST_COMPLETE', {
      session_id: session, final_balance: finalBalance, total_return: finalBalance - 10_000, total_trades: totalTrades,
      max_drawdown: 50, weekly_stats: { '1': { trades: totalTrades, within_target: true } }, metrics: { win_rate: 0.5, sharpe: 1.2 },
    }, 'INFO', session);
  }
}
