// Each bar of a portfolio is two steps, its OPEN (governor clock, fills at the open) and its
// CLOSE (stops over its range, the strategy), merged by time. Regression tests for the
// reviewer's causality defect: bars merged by close time ran whole when they closed, so an
// order filled at an H4 open (or at the open of a symbol configured after another on one
// timeframe) was sized, margin-checked and counted after deals made later than that open.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import * as t from 'io-ts';
import { appendBar, createBarSeries, type BarSeries, type Timeframe } from '../../../engine/model/bar.ts';
import { resolveSymbolSpec } from '../../../engine/model/symbol-spec.ts';
import { defineStrategy, type Signal } from '../../../engine/plugin-api.ts';
import type { Strategy } from '../../../engine/strategy/strategy.ts';
import type { GovernorConfig } from '../../../engine/governor/governor-config.ts';
import { runPortfolio } from '../../../engine/backtest/portfolio-backtest.ts';
import { createPaperBot } from '../../../engine/live/paper-bot.ts';
import type { LogEvent } from '../../../protocol/index.ts';
import { HOUR, MONDAY } from '../../kit/engine-builders.ts';

type Row = readonly [open: number, high: number, low: number, close: number];

/** Bars of `timeframe` from `firstHour` on Monday 1999-01-04, one per row. */
function bars(symbol: string, timeframe: Timeframe, firstHour: number, rows: readonly Row[]): BarSeries {
  const s = createBarSeries(symbol, timeframe, rows.length);
  const step = timeframe === 'H4' ? 4 : 1;
  rows.forEach(([open, high, low, close], k) => appendBar(s, { time: MONDAY + (firstHour + k * step) * HOUR, open, high, low, close, volume: 1 }));
  return s;
}
const flat = (price: number, n: number): Row[] => Array.from({ length: n }, () => [price, price, price, price] as const);

/** A strategy that plays back `script[i]` on the symbol's bar i, under its own id. */
function script(id: string, signals: Record<number, Signal>): Strategy {
  return defineStrategy<Record<string, never>>({
    id, description: 'plays back a script (tests)', configCodec: t.type({}) as unknown as t.Type<Record<string, never>>, defaultConfig: {},
    onBar: (ctx) => signals[ctx.index],
  }) as Strategy;
}

interface Leg { readonly series: BarSeries; readonly strategy: Strategy }

// No spread, slippage, commission or swap (nothing is held overnight): every amount below is
// worked out by hand. No minimum pace, so no aggression step changes a size.
const BROKER = { spreadPoints: { EURUSD: 0, XAUUSD: 0 }, slippagePoints: 0, commissionPerLot: 0 };
const governor = (max: number): Partial<GovernorConfig> => ({ minTradesPerWeek: 0, maxTradesPerWeek: max });

/** `time symbol lots @ price` of each entry, `time symbol refused` of each weekly refusal, `time symbol exit pnl balance` of each exit. */
function tape(events: readonly LogEvent[]): string[] {
  const out: string[] = [];
  for (const e of events) {
    if (e.event_type === 'TRADE_ENTRY') out.push(`${e.data.time} ${e.data.symbol} ${e.data.lot_size} @ ${e.data.price}`);
    else if (e.event_type === 'DECISION' && e.data.decision === 'skip_max_trades_reached') out.push(`${e.data.time} ${e.data.symbol} refused`);
    else if (e.event_type === 'TRADE_EXIT' && e.data.exit_reason !== 'End of backtest') out.push(`${e.data.timestamp} ${e.data.symbol} exit ${e.data.pnl} ${e.data.balance_after}`);
  }
  return out;
}

/** The legs through the portfolio backtest, and through the paper bot on the same bars: both tapes. */
function runBoth(legs: readonly Leg[], max: number): { backtest: string[]; paper: string[] } {
  const backtestEvents: LogEvent[] = [];
  runPortfolio({
    symbols: legs.map((l) => ({ spec: resolveSymbolSpec(l.series.symbol), series: l.series, strategy: l.strategy, strategyConfig: {} })),
    balance: 10_000, riskPercent: 1, governor: governor(max), broker: BROKER, onEvent: (e) => backtestEvents.push(e),
  });
  const paper = createPaperBot({
    symbols: legs.map((l) => ({ symbol: l.series.symbol, timeframe: l.series.timeframe, strategy: l.strategy.id, strategyConfig: {} })),
    strategies: new Map(legs.map((l) => [l.strategy.id, l.strategy])), strategy: legs[0].strategy.id,
    balance: 10_000, riskPercent: 1, governor: governor(max), broker: BROKER, speed: 0.001, warmupBars: 0, autoStart: false,
    histories: new Map(legs.map((l) => [l.series.symbol, { series: l.series, synthetic: false, source: 'test' }])),
  });
  const paperEvents: LogEvent[] = [];
  paper.events$.subscribe((e) => paperEvents.push(e));
  paper.start();
  paper.advance(1_000);
  void paper.shutdown();
  return { backtest: tape(backtestEvents), paper: tape(paperEvents) };
}

// EURUSD H1 from 04:00: a buy signalled at the close of its 04:00 bar fills at 05:00 at 1.10000
// with its stop at 1.09500: 1 % of 10,000 = 100 over 0.005 x 100,000 = 500 a lot, 0.2 lots. Its
// 09:00 bar reaches 1.09400, so the stop fills at 1.09500 inside that bar: -100.00, balance 9,900.
const EURUSD_STOPPED: Row[] = [...flat(1.1, 5), [1.1, 1.1, 1.094, 1.096], ...flat(1.096, 2)];

test('an H4 entry at its open is sized from the balance at that open, not after an H1 stop later inside the H4 bar', () => {
  const eurusd = { series: bars('EURUSD', 'H1', 4, EURUSD_STOPPED), strategy: script('eurusd-script', { 0: { direction: 'buy', stopLoss: 1.095 } }) };
  // XAUUSD H4 at 04:00 and 08:00: a buy signalled at 08:00 fills at the 08:00 open, 1000.00, stop
  // 990.00: 10 x 100 oz = 1,000 a lot. At 08:00 the balance is 10,000: 100 / 1,000 = 0.10 lots.
  // After the EURUSD stop (09:00-10:00, inside this H4 bar) it would be 99 / 1,000 = 0.099: 0.09.
  const xauusd = { series: bars('XAUUSD', 'H4', 4, [[1000, 1000, 1000, 1000], [1000, 1001, 999, 1000]]), strategy: script('xauusd-script', { 0: { direction: 'buy', stopLoss: 990 } }) };
  for (const legs of [[eurusd, xauusd], [xauusd, eurusd]]) {
    const { backtest, paper } = runBoth(legs, 10);
    assert.equal(backtest, [
      '1999-01-04T05:00:00 EURUSD 0.2 @ 1.1',
      '1999-01-04T08:00:00 XAUUSD 0.1 @ 1000',
      '1999-01-04T09:00:00 EURUSD exit -100 9900',
    ], `configured ${legs.map((l) => l.series.symbol)}`);
    assert.equal(paper, backtest, 'the paper bot makes the same trades');
  }
});

test('a weekly maximum: the H4 entry at its open takes the last slot, and an H1 entry later inside the H4 bar is refused', () => {
  // EURUSD enters at 05:00 (slot 1), closes at 06:00, and signals again at the close of its
  // 08:00 bar: due at 09:00. XAUUSD's H4 buy is due at 08:00 and takes slot 2 of 2 first.
  const eurusd = {
    series: bars('EURUSD', 'H1', 4, flat(1.1, 8)),
    strategy: script('eurusd-script', { 0: { direction: 'buy', stopLoss: 1.095 }, 1: { direction: 'close' }, 4: { direction: 'buy', stopLoss: 1.095 } }),
  };
  const xauusd = { series: bars('XAUUSD', 'H4', 4, flat(1000, 2)), strategy: script('xauusd-script', { 0: { direction: 'buy', stopLoss: 990 } }) };
  for (const legs of [[eurusd, xauusd], [xauusd, eurusd]]) {
    const { backtest, paper } = runBoth(legs, 2);
    assert.equal(backtest, [
      '1999-01-04T05:00:00 EURUSD 0.2 @ 1.1',
      '1999-01-04T06:00:00 EURUSD exit 0 10000',
      '1999-01-04T08:00:00 XAUUSD 0.1 @ 1000',
      '1999-01-04T09:00:00 EURUSD refused',
    ], `configured ${legs.map((l) => l.series.symbol)}`);
    assert.equal(paper, backtest, 'the paper bot makes the same trades and refusals');
  }
});

test('one timeframe: a stop inside symbol A\'s bar does not size symbol B\'s entry at that bar\'s open, whichever is configured first', () => {
  // Both H1. EURUSD as above (stopped inside its 09:00 bar); XAUUSD signals at the close of its
  // 08:00 bar, so it fills at the 09:00 open, before anything inside the 09:00 bars: 0.10 lots.
  const eurusd = { series: bars('EURUSD', 'H1', 4, EURUSD_STOPPED), strategy: script('eurusd-script', { 0: { direction: 'buy', stopLoss: 1.095 } }) };
  const xauusd = { series: bars('XAUUSD', 'H1', 4, flat(1000, 8)), strategy: script('xauusd-script', { 4: { direction: 'buy', stopLoss: 990 } }) };
  for (const legs of [[eurusd, xauusd], [xauusd, eurusd]]) {
    const { backtest, paper } = runBoth(legs, 10);
    assert.equal(backtest, [
      '1999-01-04T05:00:00 EURUSD 0.2 @ 1.1',
      '1999-01-04T09:00:00 XAUUSD 0.1 @ 1000',
      '1999-01-04T09:00:00 EURUSD exit -100 9900',
    ], `configured ${legs.map((l) => l.series.symbol)}`);
    assert.equal(paper, backtest, 'the paper bot makes the same trades');
  }
});

test('a position closed at an H4 open, then H1 bars run whole to the day\'s end: the day closes on the equity after that close, as sampling every bar gives', () => {
  // XAUUSD (configured first) buys at 04:00 and is told to close at the close of its 16:00 bar;
  // its 20:00 bar opens 10.00 lower, so the close at that open books a loss. EURUSD's flat H1
  // bars of 20:00-23:00 then run whole, with nothing open: the day's last equity is theirs.
  const xauusd = {
    series: bars('XAUUSD', 'H4', 0, [...flat(1000, 5), [990, 990, 990, 990], ...flat(990, 2)]),
    strategy: script('xauusd-script', { 1: { direction: 'buy', stopLoss: 900 }, 4: { direction: 'close' } }),
  };
  const eurusd = { series: bars('EURUSD', 'H1', 0, flat(1.1, 32)), strategy: script('eurusd-script', {}) };
  const run = (equityEveryBar: boolean) => {
    const out: string[] = [];
    runPortfolio({
      symbols: [xauusd, eurusd].map((l) => ({ spec: resolveSymbolSpec(l.series.symbol), series: l.series, strategy: l.strategy, strategyConfig: {} })),
      balance: 10_000, riskPercent: 1, governor: governor(10), broker: BROKER, equityEveryBar, onEvent: (e) => out.push(JSON.stringify(e)),
    });
    return out;
  };
  const every = run(true);
  assert.ok(every.some((line) => line.includes('"TRADE_EXIT"') && line.includes('"exit_price":990')), 'the position closes at the 20:00 open');
  assert.equal(run(false), every);
});

test.run();
