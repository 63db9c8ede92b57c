import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { resolveBot, type BotConfig } from '../../../engine/config/index.ts';
import { loadBotHistories, loadBotHistoriesWithSpan, runPortfolioBacktest } from '../../../engine/backtest/config-backtest.ts';
import { runBacktest } from '../../../engine/backtest/backtest-runner.ts';
import { runPortfolio } from '../../../engine/backtest/portfolio-backtest.ts';
import { createPaperBot } from '../../../engine/live/paper-bot.ts';
import { parseOverrides } from '../../../engine/strategy/strategy-params.ts';
import type { Strategy } from '../../../engine/strategy/strategy.ts';
import { smaCrossover } from '../../../plugins/sma-crossover/index.ts';
import { decodeLogEvent, parseTimestamp, type LogEvent } from '../../../protocol/index.ts';
import { weekStartOf } from '../../../engine/time/trading-week.ts';
import { encodeLines, makeTempDir, MT5_BARS_HEADER, mt5BarRow } from '../../kit/data-builders.ts';

const strategies = new Map<string, Strategy>([['sma-crossover', smaCrossover as Strategy]]);
// Fast averages trade often, so three symbols together run into a weekly maximum of 4 that
// each alone would exceed only sometimes. XAUUSD on H4 makes the merge mix timeframes.
const BOT: BotConfig = {
  strategy: 'sma-crossover', params: { fast: 3, slow: 8 }, timeframe: 'H1', maxTradesPerWeek: 4, minTradesPerWeek: 1,
  symbols: [{ symbol: 'USDCHF' }, { symbol: 'EURUSD' }, { symbol: 'XAUUSD', timeframe: 'H4', params: { fast: 2, slow: 5 } }],
};
const RANGE = { from: '1998-03-01', to: '1998-06-30' };
const bot = resolveBot(BOT, { where: 'test-bot.json', baseDir: '.', strategies });
const histories = loadBotHistories(bot, RANGE);

const entries = (events: LogEvent[]) => events.filter((e) => e.event_type === 'TRADE_ENTRY').map((e) => {
  const d = e.data as { symbol: string; direction: string; price: number; lot_size: number; time: string };
  return `${d.time} ${d.symbol} ${d.direction} ${d.lot_size} @ ${d.price}`;
});
const exits = (events: LogEvent[]) => events.filter((e) => e.event_type === 'TRADE_EXIT' && (e.data as { exit_reason: string }).exit_reason !== 'End of backtest').map((e) => {
  const d = e.data as { symbol: string; exit_price: number; pnl: number; timestamp: string; exit_reason: string };
  return `${d.timestamp} ${d.symbol} ${d.exit_reason} @ ${d.exit_price} ${d.pnl}`;
});
const refusals = (events: LogEvent[]) => events.filter((e) => e.event_type === 'DECISION' && (e.data as { decision: string }).decision === 'skip_max_trades_reached')
  // The decision's own time (its `time`): the envelope's is when the session learnt of it, which
  // depends on what else the session logged before (the paper bot's BAR events).
  .map((e) => `${(e.data as { time: string }).time} ${(e.data as { symbol: string }).symbol}`);

function portfolioEvents(): LogEvent[] {
  const events: LogEvent[] = [];
  runPortfolioBacktest(bot, { histories, ...RANGE, onEvent: (e) => events.push(e) });
  return events;
}

test('three symbols in one portfolio: the account-wide weekly maximum refuses a symbol\'s signal because of the others\' trades', () => {
  const events = portfolioEvents();
  for (const e of events) assert.ok(decodeLogEvent(e).ok, `${e.event_type} decodes`);
  const start = events[0];
  assert.is(start.event_type, 'BACKTEST_START');
  assert.equal((start.data as { symbols: string[] }).symbols, ['USDCHF', 'EURUSD', 'XAUUSD']);
  assert.equal((start.data as { timeframes: Record<string, string> }).timeframes, { USDCHF: 'H1', EURUSD: 'H1', XAUUSD: 'H4' });
  // Entries per trading week, across symbols and per symbol.
  const weekOf = (time: string) => weekStartOf(parseTimestamp(time));
  const perWeek = new Map<number, Map<string, number>>();
  for (const e of events) {
    if (e.event_type !== 'TRADE_ENTRY') continue;
    const week = perWeek.get(weekOf(e.data.time!)) ?? new Map<string, number>();
    week.set(e.data.symbol, (week.get(e.data.symbol) ?? 0) + 1);
    perWeek.set(weekOf(e.data.time!), week);
  }
  for (const [week, bySymbol] of perWeek) {
    const total = [...bySymbol.values()].reduce((a, b) => a + b, 0);
    assert.ok(total <= 4, `week of ${new Date(week).toISOString()}: ${total} entries across symbols, the maximum is 4`);
  }
  // A refusal where the refused symbol itself had entered fewer than 4 times that week: the
  // others' trades used the slots.
  const crossRefusals = events.filter((e) => e.event_type === 'DECISION' && e.data.decision === 'skip_max_trades_reached').filter((e) => {
    const week = perWeek.get(weekOf(e.timestamp)) ?? new Map();
    const own = week.get((e.data as { symbol: string }).symbol) ?? 0;
    const total = [...week.values()].reduce((a: number, b: number) => a + b, 0);
    return own < 4 && total === 4;
  });
  assert.ok(crossRefusals.length >= 3, `signals refused because other symbols filled the week (${crossRefusals.length})`);
  const refusedSymbols = new Set(crossRefusals.map((e) => (e.data as { symbol: string }).symbol));
  assert.ok(refusedSymbols.size >= 2, `more than one symbol was refused by the shared count (${[...refusedSymbols]})`);
  // Each symbol alone (its own account) trades more in the weeks the others crowded it out.
  const alone = (symbol: string) => {
    const s = bot.symbols.find((x) => x.symbol === symbol)!;
    const log: LogEvent[] = [];
    runBacktest({ symbol, spec: s.spec, series: histories.get(symbol)!.series, strategy: s.strategy, strategyConfig: s.params, governor: bot.governor, onEvent: (e) => log.push(e) });
    return entries(log).length;
  };
  const together = (symbol: string) => entries(events).filter((line) => line.includes(` ${symbol} `)).length;
  const crowded = [...refusedSymbols].filter((s) => alone(s) > together(s));
  assert.ok(crowded.length >= 1, 'a symbol enters less in the portfolio than alone');
  const complete = events.at(-1)!;
  assert.is(complete.event_type, 'BACKTEST_COMPLETE');
  const report = (complete.data as { report: { per_symbol: Record<string, { trades: number }> } }).report;
  assert.equal(Object.keys(report.per_symbol).sort(), ['EURUSD', 'USDCHF', 'XAUUSD']);
});

test('the portfolio backtest and the paper bot on the same config and bars make the same trades and the same refusals', () => {
  const backtest = portfolioEvents();
  const paper = createPaperBot({
    symbols: bot.symbols.map((s) => ({ symbol: s.symbol, timeframe: s.timeframe, strategy: s.strategy.id, strategyConfig: s.params })),
    strategies, strategy: bot.strategy, balance: bot.balance, riskPercent: bot.riskPercent, governor: bot.governor, broker: bot.broker,
    speed: 0.001, warmupBars: 0, autoStart: false, histories,
  });
  const events: LogEvent[] = [];
  paper.events$.subscribe((e) => events.push(e));
  assert.is(paper.start().ok, true);
  paper.advance(1_000_000);
  const init = events.find((e) => e.event_type === 'BOT_INITIALIZATION')!;
  assert.equal((init.data.config as unknown as { strategy_params: Record<string, unknown> }).strategy_params.XAUUSD, { fast: 2, slow: 5, stopLossPoints: 500, takeProfitPoints: 1000 });
  const paperEntries = entries(events);
  assert.ok(paperEntries.length > 50, `the paper bot traded (${paperEntries.length})`);
  assert.equal(paperEntries, entries(backtest));
  assert.equal(exits(events), exits(backtest));
  assert.equal(refusals(events), refusals(backtest));
  void paper.shutdown();
});

test('on an MT5 bar export (bid bars, a spread per bar) the portfolio backtest and the paper bot make the same trades, each buy at the open + its bar\'s spread', () => {
  // EURUSD H1 as MT5 exports it, spreads 4-24 points by the hour, beside USDCHF's mid bars.
  const dir = makeTempDir('tradeloom-portfolio-bid-');
  try {
    const file = eurusdFile(dir, '1998-03-02', 60);
    const bidBot = resolveBot({ ...BOT, symbols: [{ symbol: 'USDCHF' }, { symbol: 'EURUSD', file, timezone: 'UTC' }] }, { where: 'test-bot.json', baseDir: '.', strategies });
    const bidHistories = loadBotHistories(bidBot, RANGE);
    const eurusd = bidHistories.get('EURUSD')!.series;
    assert.is(eurusd.prices, 'bid');
    const backtest: LogEvent[] = [];
    runPortfolioBacktest(bidBot, { histories: bidHistories, ...RANGE, onEvent: (e) => backtest.push(e) });
    const paper = createPaperBot({
      symbols: bidBot.symbols.map((s) => ({ symbol: s.symbol, timeframe: s.timeframe, strategy: s.strategy.id, strategyConfig: s.params })),
      strategies, strategy: bidBot.strategy, balance: bidBot.balance, riskPercent: bidBot.riskPercent, governor: bidBot.governor, broker: bidBot.broker,
      speed: 0.001, warmupBars: 0, autoStart: false, histories: bidHistories,
    });
    const events: LogEvent[] = [];
    paper.events$.subscribe((e) => events.push(e));
    assert.is(paper.start().ok, true);
    paper.advance(1_000_000);
    const paperEntries = entries(events);
    const eurusdEntries = paperEntries.filter((line) => line.includes(' EURUSD ')).length;
    assert.ok(eurusdEntries >= 5, `the paper bot traded EURUSD (${eurusdEntries} of ${paperEntries.length} entries)`);
    assert.equal(paperEntries, entries(backtest));
    assert.equal(exits(events), exits(backtest));
    assert.equal(refusals(events), refusals(backtest));
    // The bid bars are quoted as MT5's tester quotes them: a buy at its bar's open + that bar's spread, a sell at the open.
    for (const e of backtest) {
      if (e.event_type !== 'TRADE_ENTRY' || e.data.symbol !== 'EURUSD') continue;
      const i = eurusd.time.indexOf(parseTimestamp(e.data.time!));
      const open = eurusd.open[i];
      assert.is(e.data.price, e.data.direction === 'buy' ? Math.round((open + eurusd.spread![i] * 0.00001) * 1e5) / 1e5 : open, `${e.data.direction} at ${e.data.time}`);
    }
    void paper.shutdown();
  } finally {
    dir.remove();
  }
});

/** EURUSD H1 bid bars (an MT5 export, UTC) from `first` for `days` days, as a file in `dir`. */
function eurusdFile(dir: { write(name: string, data: Buffer): string }, first: string, days: number): string {
  const lines = [MT5_BARS_HEADER];
  let price = 1.09;
  for (let i = 0; i < days * 24; i++) {
    const t = new Date(Date.parse(`${first}T00:00:00Z`) + i * 3_600_000);
    if (t.getUTCDay() === 0 || t.getUTCDay() === 6) continue;
    const next = price + 0.0011 * Math.sin(i / 7) + 0.0005 * Math.cos(i / 3);
    const iso = t.toISOString();
    lines.push(mt5BarRow(iso.slice(0, 10).replaceAll('-', '.'), iso.slice(11, 16), price.toFixed(5), (Math.max(price, next) + 0.0004).toFixed(5),
      (Math.min(price, next) - 0.0004).toFixed(5), next.toFixed(5), 100, 0, 4 + (i % 11) * 2));
    price = next;
  }
  return dir.write('EURUSD_H1.csv', encodeLines(lines, 'utf16le-bom'));
}

test('data that overlap only partly (review 2, finding 1): the paper bot as `npm start` loads it replays the backtest\'s shared span and makes the same trades', () => {
  // EURUSD 2001-01..2001-06 beside the shipped USDCHF (to 2001-03-31): they share the first quarter of 2001.
  const dir = makeTempDir('tradeloom-portfolio-partial-');
  try {
    const file = eurusdFile(dir, '2001-01-01', 180);
    const partBot = resolveBot({ ...BOT, symbols: [{ symbol: 'USDCHF' }, { symbol: 'EURUSD', file, timezone: 'UTC' }] }, { where: 'test-bot.json', baseDir: '.', strategies });
    const cut = loadBotHistoriesWithSpan(partBot);
    assert.is(cut.warnings.length, 1);
    const backtest: LogEvent[] = [];
    runPortfolioBacktest(partBot, { histories: cut.histories, onEvent: (e) => backtest.push(e) });
    // What `npm start` gives the paper bot: USDCHF's bars from 1996 on (for a warm-up), the span's start.
    const replay = loadBotHistoriesWithSpan(partBot, { earlierBars: true });
    assert.ok(replay.histories.get('USDCHF')!.series.time[0] < Date.UTC(1997, 0, 1), 'USDCHF keeps its earlier bars');
    assert.is(replay.span.from, Date.UTC(2001, 0, 1));
    const paper = createPaperBot({
      symbols: partBot.symbols.map((s) => ({ symbol: s.symbol, timeframe: s.timeframe, strategy: s.strategy.id, strategyConfig: s.params })),
      strategies, strategy: partBot.strategy, balance: partBot.balance, riskPercent: partBot.riskPercent, governor: partBot.governor, broker: partBot.broker,
      speed: 0.001, warmupBars: 0, autoStart: false, histories: replay.histories, replayFrom: replay.span.from, dataWarnings: replay.warnings,
    });
    const events: LogEvent[] = [];
    paper.events$.subscribe((e) => events.push(e));
    assert.is(paper.start().ok, true);
    paper.advance(1_000_000);
    const init = events.find((e) => e.event_type === 'BOT_INITIALIZATION')!;
    assert.equal((init.data.config.trading_settings as { data_warnings: string[] }).data_warnings, cut.warnings);
    const paperEntries = entries(events);
    assert.ok(paperEntries.filter((line) => line.includes(' EURUSD ')).length >= 5 && paperEntries.filter((line) => line.includes(' USDCHF ')).length >= 5, `both symbols traded (${paperEntries.length})`);
    assert.ok(paperEntries.every((line) => line >= '2001-01-01'), 'no trade before the shared span');
    assert.equal(paperEntries, entries(backtest));
    assert.equal(exits(events), exits(backtest));
    assert.equal(refusals(events), refusals(backtest));
    void paper.shutdown();
  } finally {
    dir.remove();
  }
});

test('the paper bot warms a symbol up on its bars before the shared span, and starts every symbol at one market time', () => {
  const dir = makeTempDir('tradeloom-portfolio-warm-');
  try {
    const file = eurusdFile(dir, '2001-01-01', 180);
    const seen = new Map<string, number[]>();
    const spy = { ...smaCrossover, onBar(ctx: Parameters<NonNullable<typeof smaCrossover.onBar>>[0]) {
      seen.set(ctx.symbol, [...(seen.get(ctx.symbol) ?? []), ctx.bars.time[ctx.index]]);
      return smaCrossover.onBar!(ctx);
    } } as Strategy;
    const spies = new Map<string, Strategy>([['sma-crossover', spy]]);
    const partBot = resolveBot({ ...BOT, symbols: [{ symbol: 'USDCHF' }, { symbol: 'EURUSD', file, timezone: 'UTC' }] }, { where: 'test-bot.json', baseDir: '.', strategies: spies });
    const replay = loadBotHistoriesWithSpan(partBot, { earlierBars: true });
    const run = (startAt?: string) => {
      seen.clear();
      const paper = createPaperBot({
        symbols: partBot.symbols.map((s) => ({ symbol: s.symbol, timeframe: s.timeframe, strategy: s.strategy.id, strategyConfig: s.params })),
        strategies: spies, strategy: partBot.strategy, balance: partBot.balance, riskPercent: partBot.riskPercent, governor: partBot.governor, broker: partBot.broker,
        speed: 0.001, warmupBars: 50, autoStart: false, histories: replay.histories, replayFrom: replay.span.from, ...(startAt ? { startAt } : {}),
      });
      const primed = new Map([...seen].map(([symbol, times]) => [symbol, [...times]]));
      const events: LogEvent[] = [];
      paper.events$.subscribe((e) => events.push(e));
      assert.is(paper.start().ok, true);
      paper.advance(200);
      void paper.shutdown();
      const bars = events.filter((e) => e.event_type === 'BAR');
      const first = (symbol: string) => parseTimestamp((bars.find((e) => e.data.symbol === symbol)!.data as { time: string }).time);
      const init = events.find((e) => e.event_type === 'BOT_INITIALIZATION')!;
      return { primed, first, init: parseTimestamp(init.timestamp) };
    };
    // From the shared span's start: USDCHF is warm on its last 50 bars before it; EURUSD has none to show.
    const atSpan = run('2001-01-01');
    assert.is(atSpan.primed.get('USDCHF')?.length, 50);
    assert.ok(atSpan.primed.get('USDCHF')!.every((t) => t < replay.span.from), 'USDCHF\'s warm-up is from before the span');
    assert.is(atSpan.primed.get('EURUSD'), undefined);
    assert.is(atSpan.first('USDCHF'), replay.span.from);
    assert.is(atSpan.first('EURUSD'), replay.span.from);
    assert.is(atSpan.init, replay.span.from, 'BOT_INITIALIZATION carries the replay\'s start');
    // The default start waits for every symbol's warm-up: after EURUSD's first 50 bars, for both symbols.
    const warm = run();
    const start = replay.histories.get('EURUSD')!.series.time[50];
    assert.is(warm.primed.get('EURUSD')?.length, 50);
    assert.is(warm.primed.get('USDCHF')?.length, 50);
    assert.is(warm.first('EURUSD'), start);
    assert.is(warm.first('USDCHF'), start);
    assert.is(warm.primed.get('USDCHF')!.at(-1)! + 3_600_000, start, 'USDCHF\'s last warm-up bar is the one before the start');
    assert.is(warm.init, start);
  } finally {
    dir.remove();
  }
});

test('--set-style overrides change the portfolio run as the codec allows, and a refused one stops it before it starts', () => {
  // A weekly maximum that does not bind, so the trade count shows the strategy's own pace.
  const free = resolveBot({ ...BOT, maxTradesPerWeek: 50 }, { where: 'test-bot.json', baseDir: '.', strategies });
  const base = runPortfolioBacktest(free, { histories, ...RANGE }).complete;
  const slower = runPortfolioBacktest(free, { histories, ...RANGE, paramOverrides: parseOverrides(['slow=20', 'XAUUSD.fast=4']) }).complete;
  assert.equal(slower.params, {
    USDCHF: { fast: 3, slow: 20, stopLossPoints: 500, takeProfitPoints: 1000 },
    EURUSD: { fast: 3, slow: 20, stopLossPoints: 500, takeProfitPoints: 1000 },
    XAUUSD: { fast: 4, slow: 20, stopLossPoints: 500, takeProfitPoints: 1000 },
  });
  assert.ok(slower.total_trades < base.total_trades, `slower averages trade less (${slower.total_trades} < ${base.total_trades})`);
  assert.throws(() => runPortfolioBacktest(bot, { histories, paramOverrides: parseOverrides(['fast=1.5']) }), /--set fast: expected positive integer, got 1.5/);
  assert.throws(() => runPortfolioBacktest(bot, { histories, paramOverrides: parseOverrides(['GBPUSD.fast=4']) }), /--set GBPUSD.fast: symbol GBPUSD is not configured/);
  assert.throws(() => runPortfolioBacktest(bot, { histories, paramOverrides: parseOverrides(['speed=4']) }), /--set speed: no configured strategy has a parameter "speed"/);
});

test('a portfolio run logs the same events at the same stamps with or without BAR events (--bars)', () => {
  // A stop inside one symbol's bar is learnt at its close, after other symbols' bars closing at
  // that time: its envelope is stamped when the session learnt of it. That time was the last one
  // logged, so a BAR event of another symbol moved it (164 of 476 exits of a 1998 run, 1-4 h).
  const run = (emitBars: boolean) => {
    const events: string[] = [];
    runPortfolioBacktest(bot, { histories, ...RANGE, emitBars, onEvent: (e) => { if (e.event_type !== 'BAR') events.push(JSON.stringify(e)); } });
    return events;
  };
  const plain = run(false);
  const withBars = run(true);
  assert.ok(plain.filter((e) => e.includes('"TRADE_EXIT"')).length > 20, 'the fixture trades');
  assert.equal(withBars, plain);
});

test('a quiet portfolio run (an optimiser trial\'s) makes the same trades, refusals and metrics without the narrating events', () => {
  const run = (quiet: boolean) => {
    const events: LogEvent[] = [];
    const result = runPortfolio({
      // Slower averages against 5-8 trades a week: the pace steps up and the maximum refuses.
      symbols: bot.symbols.map((s) => ({ spec: s.spec, series: histories.get(s.symbol)!.series, strategy: s.strategy, strategyConfig: { ...(s.params as object), fast: 12, slow: 40 } })),
      balance: bot.balance, riskPercent: bot.riskPercent, governor: { minTradesPerWeek: 5, maxTradesPerWeek: 8 }, broker: bot.broker, report: false, quiet,
      onEvent: (e) => events.push(e),
    });
    return { events, result };
  };
  const loud = run(false);
  const quiet = run(true);
  assert.ok(entries(loud.events).length > 20, 'the fixture trades');
  assert.ok(refusals(loud.events).length > 0, 'the fixture reaches the weekly maximum');
  assert.equal(entries(quiet.events), entries(loud.events));
  assert.equal(exits(quiet.events), exits(loud.events));
  assert.equal(refusals(quiet.events), refusals(loud.events));
  assert.equal(quiet.result.metrics, loud.result.metrics);
  assert.is(quiet.result.complete.final_balance, loud.result.complete.final_balance);
  assert.ok(loud.events.some((e) => e.event_type === 'STATE_TRANSITION'));
  assert.ok(loud.events.some((e) => e.event_type === 'DECISION' && (e.data as { decision: string }).decision === 'increase_aggression'), 'the fixture steps the pace up');
  assert.not.ok(quiet.events.some((e) => e.event_type === 'STATE_TRANSITION'));
  assert.not.ok(quiet.events.some((e) => e.event_type === 'DECISION' && (e.data as { decision: string }).decision === 'increase_aggression'));
  assert.is(quiet.events.filter((e) => e.event_type === 'PERFORMANCE').length, loud.events.filter((e) => e.event_type === 'PERFORMANCE').length);
});

test('a merged run\'s log never goes back in time: an H4 stop learnt at its bar\'s close, after H1 bars, is stamped when learnt, its own time kept in its data', () => {
  const events = portfolioEvents();
  let last = '';
  for (const e of events) {
    assert.ok(e.timestamp >= last, `${e.event_type} at ${e.timestamp} after ${last}`);
    last = e.timestamp;
  }
  // Some exit of the H4 symbol happened inside a bar that closed after H1 bars were processed.
  const late = events.filter((e) => e.event_type === 'TRADE_EXIT' && (e.data as { timestamp: string }).timestamp < e.timestamp.slice(0, 19));
  assert.ok(late.length > 0, 'the fixture has a fill stamped later than its own time');
  for (const e of late) assert.is((e.data as { symbol: string }).symbol, 'XAUUSD');
});

test.run();
