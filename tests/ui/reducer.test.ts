import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { reduce, reduceAll } from '../../ui/src/core/reducer.ts';
import { LOG_CAP, initialState, type WorkbenchInput } from '../../ui/src/core/state.ts';
import { parseRecording } from '../../ui/src/core/recording.ts';
import { EventFactory } from '../kit/ui-events.ts';

const fold = (inputs: WorkbenchInput[]) => reduceAll(initialState(), inputs);

test('keeps at most 1000 log entries and drops the oldest first', () => {
  const f = new EventFactory();
  const events = Array.from({ length: 1500 }, (_, i) => f.bar('EURUSDm', `2024-01-15T${String(Math.floor(i / 60) % 24).padStart(2, '0')}:${String(i % 60).padStart(2, '0')}:00`, 1.1));
  const state = fold(events);
  assert.is(state.log.length, LOG_CAP);
  assert.is(state.log[0].event.seq, 501);
  assert.is(state.log[LOG_CAP - 1].event.seq, 1500);
  assert.is(state.logDropped, 500);
  assert.is(state.eventsSeen, 1500);
});

test('the log cap holds at every step, not only at the end', () => {
  const f = new EventFactory();
  let state = initialState();
  for (let i = 0; i < 1200; i++) {
    state = reduce(state, f.decision('EURUSDm', 'rl_action', 1));
    assert.ok(state.log.length <= LOG_CAP);
  }
});

test('tracks the last seq seen and ignores an event delivered twice', () => {
  const f = new EventFactory();
  const a = f.init();
  const b = f.transition('EURUSDm', 'idle', 'scanning');
  const state = fold([a, b, b, a]);
  assert.is(state.lastSeq, 2);
  assert.is(state.log.length, 2);
});

test('a restarted server numbering afresh resets the seq high-water mark', () => {
  const f = new EventFactory();
  const state = fold([f.init(), f.init(), f.init()]);
  const next = reduce(state, { type: 'connection_established', connection_id: 'c2', bot_status: { running: true, connected: true, error: null, trades_this_week: 0, last_trade_time: null }, last_seq: 1 });
  assert.is(next.lastSeq, 0);
});

const hello = (session: string, lastSeq: number, symbols: { symbol: string; state: string; trades_this_week: number }[] = []): WorkbenchInput => ({
  type: 'connection_established', connection_id: `c-${session}`, session_id: session, last_seq: lastSeq,
  bot_status: { running: true, connected: true, error: null, trades_this_week: 0, last_trade_time: null, session_id: session, symbols },
});

test('issue M1: a server back as another session clears the old account\'s trades, symbols and log before folding its own', () => {
  const old = new EventFactory('old-session');
  let state = fold([hello('old-session', 0), old.init(['USDCHF']), old.entry('USDCHF', 0.9, 1), old.exit('USDCHF', 0.91, 120, 10_120), old.entry('USDCHF', 0.92, 2)]);
  assert.is(state.trades.length, 1);
  assert.ok(state.symbols.USDCHF.position);
  // The new server's numbering is far ahead of ours: only its session id tells it apart.
  state = reduce(state, hello('new-session', 40, [{ symbol: 'EURUSD', state: 'scanning', trades_this_week: 0 }]));
  assert.is(state.sessionId, 'new-session');
  assert.is(state.lastSeq, 0, 'resume asks from 0: every event of the new session is wanted');
  assert.equal(state.trades, []);
  assert.equal(state.daily, {});
  assert.equal(state.equity, []);
  assert.equal(state.log, []);
  assert.equal(state.weekly, {});
  assert.is(state.config, null);
  assert.equal(state.symbolOrder, ['EURUSD'], 'only the symbols the new server names');
  const fresh = new EventFactory('new-session');
  state = reduceAll(state, [fresh.init(['EURUSD']), fresh.entry('EURUSD', 1.1, 1), fresh.exit('EURUSD', 1.09, -30, 9_970)]);
  assert.equal(state.trades.map((t) => [t.symbol, t.pnl]), [['EURUSD', -30]]);
  assert.is(state.stats.totalPnl, -30);
  assert.is(state.bot.balance, 9_970);
});

test('issue M1: a server that numbers below what the page holds (rolled back) also starts the live views over', () => {
  const f = new EventFactory('s');
  let state = fold([hello('s', 0), f.init(['USDCHF']), f.entry('USDCHF', 0.9, 1), f.exit('USDCHF', 0.91, 120, 10_120)]);
  state = reduce(state, hello('s', 1));
  assert.is(state.lastSeq, 0);
  assert.equal(state.trades, []);
  assert.equal(state.log, []);
});

test('issue M1: the same session coming back keeps everything folded, and resume goes on from the last seq', () => {
  const f = new EventFactory('s');
  let state = fold([hello('s', 0), f.init(['USDCHF']), f.entry('USDCHF', 0.9, 1), f.exit('USDCHF', 0.91, 120, 10_120)]);
  const before = state;
  state = reduce(state, hello('s', 10, [{ symbol: 'USDCHF', state: 'scanning', trades_this_week: 1 }]));
  assert.is(state.lastSeq, before.lastSeq);
  assert.is(state.trades, before.trades);
  assert.is(state.log, before.log);
  assert.is(state.connectionId, 'c-s');
});

test('STATE_TRANSITION sets the symbol state and lists the transition with its cause', () => {
  const f = new EventFactory();
  const state = fold([f.transition('EURUSDm', 'idle', 'scanning'), f.transition('EURUSDm', 'scanning', 'throttled', 'LIMIT_REACHED', 'weekly max 10 reached')]);
  const view = state.symbols.EURUSDm;
  assert.is(view.state, 'throttled');
  assert.is(view.transitions.length, 2);
  assert.is(view.transitions[1].cause, 'weekly max 10 reached');
  assert.equal(state.symbolOrder, ['EURUSDm']);
});

test('TRADE_ENTRY opens a position with markers and TRADE_EXIT closes it and moves the balance', () => {
  const f = new EventFactory();
  const state = fold([f.entry('EURUSDm', 1.1, 4), f.exit('EURUSDm', 1.12, 150, 10_150)]);
  const view = state.symbols.EURUSDm;
  assert.is(view.position, null);
  assert.is(view.closedTrades, 1);
  assert.is(view.tradesThisWeek, 4);
  assert.equal(view.markers.map((m) => m.kind), ['entry', 'exit']);
  assert.is(state.bot.balance, 10_150);
  assert.is(state.bot.trades_this_week, 4);
  assert.is(state.stats.wins, 1);
  assert.is(state.equity.length, 1);
});

test('an open position keeps stop-loss, take-profit and support/resistance for the chart', () => {
  const f = new EventFactory();
  const view = fold([f.entry('EURUSDm', 1.1, 1)]).symbols.EURUSDm;
  assert.ok(view.position);
  assert.is(view.position!.stop_loss, 1.1 - 0.01);
  assert.is(view.position!.take_profit, 1.1 + 0.02);
  assert.is(view.sr!.support, 1.1 - 0.01);
});

test('BAR events build candles, replace a repeated bar and stay bounded', () => {
  const f = new EventFactory();
  const bars = [f.bar('X', '2024-01-15T10:00:00', 1), f.bar('X', '2024-01-15T10:30:00', 2), f.bar('X', '2024-01-15T10:30:00', 3)];
  const view = fold(bars).symbols.X;
  assert.is(view.candles.length, 2);
  assert.is(view.candles[1].close, 3);
  assert.is(view.timeframe, 'M30');
  const many = Array.from({ length: 3000 }, (_, i) => f.bar('Y', new Date(Date.UTC(2024, 0, 1) + i * 1_800_000).toISOString().slice(0, 19), 1));
  assert.ok(fold(many).symbols.Y.candles.length <= 1500);
});

test('DECISION events are kept per symbol with their reasons and update the weekly count', () => {
  const f = new EventFactory();
  const state = fold([f.decision('EURUSDm', 'skip_max_trades_reached', 10), f.decision('XAUUSDm', 'increase_aggression', 1)]);
  assert.is(state.symbols.EURUSDm.decisions[0].reason, 'because skip_max_trades_reached');
  assert.is(state.symbols.EURUSDm.tradesThisWeek, 10);
  assert.is(state.symbols.XAUUSDm.decisions.length, 1);
});

test('ERROR events land in problems with their traceback and their symbol', () => {
  const f = new EventFactory();
  const state = fold([f.error('boom', 'EURUSDm'), f.error('bang')]);
  assert.is(state.problems.length, 2);
  assert.match(state.problems[0].traceback, 'strategy.ts');
  assert.is(state.problems[0].symbol, 'EURUSDm');
  assert.is(state.symbols.EURUSDm, undefined);
});

test('a status reply sets bot fields and every symbol state and position', () => {
  const state = reduce(initialState(), {
    type: 'status', running: true, connected: true, error: null, trades_this_week: 5, last_trade_time: null, balance: 10_500, min_trades: 2, max_trades: 8,
    symbols: [{ symbol: 'EURUSDm', state: 'in-trade', trades_this_week: 5, position: { direction: 'sell', lot_size: 0.2, entry_price: 1.1, stop_loss: 1.2, take_profit: 1 } }, { symbol: 'XAUUSDm', state: 'paused', trades_this_week: 0 }],
  });
  assert.is(state.bot.running, true);
  assert.is(state.bot.balance, 10_500);
  assert.equal(state.limits, { min: 2, max: 8 });
  assert.is(state.symbols.EURUSDm.state, 'in-trade');
  assert.is(state.symbols.EURUSDm.position!.direction, 'sell');
  assert.is(state.symbols.XAUUSDm.state, 'paused');
});

test('connection_established sets the connection id and the spec bot status', () => {
  const state = reduce(initialState(), { type: 'connection_established', connection_id: 'abc', session_id: 's1', bot_status: { running: true, connected: false, error: null, trades_this_week: 2, last_trade_time: '2024-01-15T10:00:00' } });
  assert.is(state.connectionId, 'abc');
  assert.is(state.sessionId, 's1');
  assert.is(state.bot.trades_this_week, 2);
});

test('a backtest report collects weekly summaries, trades and the final metrics', () => {
  const f = new EventFactory('bt-1');
  const state = fold([
    f.backtestStart('bt-1'), f.entry('EURUSDm', 1.1, 1), f.exit('EURUSDm', 1.2, 100, 10_100),
    f.weekly('bt-1', 1, 1, 10_100), f.backtestComplete('bt-1', 10_100, 1),
  ]);
  const report = state.backtests['bt-1'];
  assert.is(report.weeks.length, 1);
  assert.is(report.trades, 1);
  assert.is(report.balance, 10_100);
  assert.is(report.complete!.final_balance, 10_100);
  assert.is(report.complete!.metrics!.sharpe, 1.2);
  assert.equal(state.backtestOrder, ['bt-1']);
});

test('issue 15: a backtest week without a pnl gets its realised profit, the balance change since the week before; a sent pnl is kept', () => {
  const f = new EventFactory('bt-1');
  const events = [
    f.backtestStart('bt-1'), f.exit('EURUSDm', 1.2, 100.1, 10_100.1), f.weekly('bt-1', 1, 1, 10_100.1),
    f.exit('EURUSDm', 1.1, -30.3, 10_069.8), f.exit('EURUSDm', 1.1, -19.3, 10_050.5), f.weekly('bt-1', 2, 2, 10_050.5),
    f.weekly('bt-1', 3, 0, 10_050.5), f.weekly('bt-1', 4, 2, 10_050.5),
  ];
  (events[events.length - 1].data as { pnl?: number }).pnl = 12.34;
  const state = fold(events);
  assert.equal(state.backtests['bt-1'].weeks.map((w) => w.pnl), [100.1, -49.6, 0, 12.34]);
});

test('a backtest streaming beside the live bot leaves the live balance alone', () => {
  const f = new EventFactory('live');
  let state = reduce(initialState(), { type: 'connection_established', connection_id: 'c', session_id: 'live', bot_status: { running: true, connected: true, error: null, trades_this_week: 0, last_trade_time: null } });
  state = reduceAll(state, [f.exit('EURUSDm', 1, 10, 10_010), f.backtestStart('bt-2'), f.exit('EURUSDm', 1, 500, 20_000, 'bt-2')]);
  assert.is(state.bot.balance, 10_010);
  assert.is(state.backtests['bt-2'].balance, 20_000);
});

test('a backtest streaming beside the live bot leaves the live symbols, markers and log untouched and fills its own report', () => {
  const f = new EventFactory('live');
  let state = reduce(initialState(), { type: 'connection_established', connection_id: 'c', session_id: 'live', bot_status: { running: true, connected: true, error: null, trades_this_week: 0, last_trade_time: null } });
  state = reduceAll(state, [f.init(['EURUSDm']), f.entry('EURUSDm', 1.1, 1), f.exit('EURUSDm', 1.2, 10, 10_010)]);
  const live = state.symbols.EURUSDm;
  const logLength = state.log.length;
  const bt = (e: ReturnType<EventFactory['entry']>) => ({ ...e, session_id: 'bt-3' }) as typeof e;
  state = reduceAll(state, [f.backtestStart('bt-3'), bt(f.entry('EURUSDm', 0.9, 1)), f.exit('EURUSDm', 0.8, -50, 9_950, 'bt-3'), f.backtestComplete('bt-3', 9_950, 1)]);
  assert.is(state.symbols.EURUSDm, live);
  assert.is(state.symbols.EURUSDm.closedTrades, 1);
  assert.is(state.symbols.EURUSDm.markers.length, 2);
  assert.is(state.log.length, logLength);
  assert.is(state.trades.length, 1);
  assert.is(state.backtests['bt-3'].trades, 1);
  assert.is(state.backtests['bt-3'].complete!.final_balance, 9_950);
});

test('a backtest recording replayed on its own (no bot session) draws its symbol', () => {
  const f = new EventFactory('bt-4');
  const state = fold([f.backtestStart('bt-4'), f.entry('EURUSDm', 1.1, 1), f.exit('EURUSDm', 1.2, 10, 10_010)]);
  assert.is(state.symbols.EURUSDm.closedTrades, 1);
});

test('a portfolio backtest lists its own symbols, never one symbol named after all of them ("USDCHF,EURUSD")', () => {
  const f = new EventFactory('bt-5');
  const start = f.backtestStart('bt-5', 'USDCHF,EURUSD');
  (start.data as { symbols?: string[] }).symbols = ['USDCHF', 'EURUSD'];
  const trades = [f.entry('EURUSD', 1.1, 1), f.exit('EURUSD', 1.2, 10, 10_010)];
  const complete = f.backtestComplete('bt-5', 10_010, 1);
  (complete.data as { symbol?: string }).symbol = 'USDCHF,EURUSD';
  const state = fold([start, ...trades, complete]);
  assert.equal(Object.keys(state.symbols), ['EURUSD']);
  assert.is(state.backtests['bt-5'].complete!.final_balance, 10_010);
});

test('BOT_INITIALIZATION marks its synthetic symbols and carries each symbol\'s digits', () => {
  const f = new EventFactory();
  const init = f.init(['USDCHF', 'EURUSD']);
  const data = init.data as { config: { trading_settings: Record<string, unknown> }; digits?: Record<string, number> };
  data.config.trading_settings.synthetic_symbols = ['EURUSD'];
  data.digits = { USDCHF: 4, EURUSD: 5 };
  const state = fold([init]);
  assert.equal(state.symbolOrder, ['USDCHF', 'EURUSD']);
  assert.is(state.symbols.EURUSD.synthetic, true);
  assert.is(state.symbols.USDCHF.synthetic, false);
  assert.is(state.symbols.EURUSD.digits, 5);
});

test('without the spec, a symbol\'s digits are the most decimals its bars have shown', () => {
  const f = new EventFactory();
  const state = fold([f.bar('A', '2024-01-15T10:00:00', 1.2), f.bar('A', '2024-01-15T10:30:00', 1.2142)]);
  assert.is(state.symbols.A.seenDigits, 4);
});

test('closed trades list entry and exit with profit and reason, and profit adds up per day', () => {
  const f = new EventFactory();
  const state = fold([f.entry('A', 1.1, 1, '2024-01-15T10:00:00'), f.exit('A', 1.2, 30, 10_030), f.entry('B', 2, 2), f.exit('B', 1.9, -10, 10_020)]);
  assert.is(state.trades.length, 2);
  const [a, b] = state.trades;
  assert.is(a.symbol, 'A');
  assert.is(a.entryPrice, 1.1);
  assert.is(a.lots, 0.1);
  assert.is(a.reason, 'Take profit hit');
  assert.ok(a.entryTime !== null && a.exitTime >= a.entryTime);
  assert.is(b.pnl, -10);
  const days = Object.values(state.daily);
  assert.is(days.length, 1);
  assert.equal(days[0], { pnl: 20, trades: 2, wins: 1 });
});

test('PERFORMANCE sets the weekly band and the performance figures', () => {
  const f = new EventFactory();
  const state = fold([f.performance(7, 0.6, 11_000)]);
  assert.is(state.performance!.win_rate, 0.6);
  assert.equal(state.limits, { min: 3, max: 10 });
  assert.is(state.bot.balance, 11_000);
});

test('weekly trades are counted per Sunday-anchored trading week', () => {
  const f = new EventFactory();
  const state = fold([f.entry('A', 1, 1, '2024-01-15T10:00:00'), f.entry('A', 1, 2, '2024-01-16T10:00:00'), f.entry('A', 1, 1, '2024-01-22T10:00:00')]);
  const weeks = Object.entries(state.weekly).sort();
  assert.equal(weeks.map(([, n]) => n), [2, 1]);
  assert.is(new Date(Number(weeks[0][0]) * 1000).getUTCDay(), 0);
});

test('each symbol counts its own entries per trading week, restarting when a new week begins', () => {
  const f = new EventFactory();
  const state = fold([f.entry('A', 1, 1, '2024-01-15T10:00:00'), f.entry('B', 1, 2, '2024-01-15T11:00:00'), f.entry('A', 1, 3, '2024-01-16T10:00:00'), f.entry('B', 1, 1, '2024-01-22T10:00:00')]);
  assert.is(state.symbols.A.week.entries, 2);
  assert.is(state.symbols.B.week.entries, 1);
  assert.ok(state.symbols.B.week.anchor > state.symbols.A.week.anchor);
});

test('drawdown is the largest fall from a balance peak', () => {
  const f = new EventFactory();
  const state = fold([f.exit('A', 1, 100, 10_100), f.exit('A', 1, -300, 9_800), f.exit('A', 1, 50, 9_850)]);
  assert.is(state.stats.maxDrawdown, 300);
  assert.ok(Math.abs(state.stats.maxDrawdownPct - 300 / 10_100) < 1e-12);
  assert.is(state.stats.losses, 1);
});

test('replay equals live: the same events folded one by one or in batches give the same state', () => {
  const f = new EventFactory();
  const events = [f.init(), f.transition('A', 'idle', 'scanning'), f.bar('A', '2024-01-15T10:00:00', 1), f.entry('A', 1, 1), f.decision('A', 'rl_action', 1), f.exit('A', 1.1, 20, 10_020), f.error('x'), f.performance(1, 1, 10_020)];
  const live = events.reduce((s, e) => reduce(s, e), initialState());
  let replay = initialState();
  for (let i = 0; i < events.length; i += 3) replay = reduceAll(replay, events.slice(i, i + 3));
  assert.equal(replay, live);
  const jsonl = events.map((e) => JSON.stringify(e)).join('\n');
  assert.equal(fold(parseRecording(jsonl).events), live);
});

test('the reducer never mutates the state it is given', () => {
  const f = new EventFactory();
  const before = fold([f.entry('A', 1, 1)]);
  const snapshot = JSON.stringify(before);
  reduceAll(before, [f.exit('A', 1, 1, 1), f.error('e'), f.transition('A', 'in-trade', 'scanning')]);
  assert.is(JSON.stringify(before), snapshot);
});

test('parseRecording names the line of a bad entry and keeps the good ones', () => {
  const f = new EventFactory();
  const text = [JSON.stringify(f.init()), '{oops', JSON.stringify({ event_type: 'TRADE_EXIT', data: {} }), JSON.stringify({ type: 'header' }), ''].join('\n');
  const parsed = parseRecording(text, 'a.jsonl');
  assert.is(parsed.events.length, 1);
  assert.is(parsed.errors.length, 2);
  assert.match(parsed.errors[0], 'a.jsonl:2: malformed JSON');
  assert.match(parsed.errors[1], 'a.jsonl:3:');
});

test('a protocol error reply is listed as a problem', () => {
  const state = reduce(initialState(), { type: 'error', code: 'invalid_shape', error: 'missing symbol', details: ['at symbol'] });
  assert.match(state.problems[0].error, 'invalid_shape');
});

test.run();
