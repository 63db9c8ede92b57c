import { test } from 'uvu';
import * as assert from 'uvu/assert';
import Database from 'better-sqlite3';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Journal, type SequencedEvent } from '../../engine/journal/journal.ts';
import { weekStartOf } from '../../engine/time/trading-week.ts';
import { FakeBot } from '../kit/fake-bot.ts';

let dir: string;
test.before.each(() => {
  dir = mkdtempSync(join(tmpdir(), 'tradeloom-journal-'));
});
test.after.each(() => {
  rmSync(dir, { recursive: true, force: true });
});

/** A journal at `j.sqlite` in the test's folder, wired to a fake bot that has started and entered USDCHF and `second`. */
function twoEntries(second: [string, number]): { path: string; journal: Journal; bot: FakeBot } {
  const path = join(dir, 'j.sqlite');
  const journal = Journal.open(path);
  const bot = new FakeBot();
  wire(journal, bot);
  bot.init();
  bot.entry('USDCHF', 0.91);
  bot.entry(...second);
  return { path, journal, bot };
}

function wire(journal: Journal, bot: FakeBot): SequencedEvent[] {
  const seen: SequencedEvent[] = [];
  let seq = journal.lastSeq;
  bot.events$.subscribe((event) => {
    const stamped = { ...event, seq: ++seq } as SequencedEvent;
    journal.record(stamped);
    seen.push(stamped);
  });
  return seen;
}

test('a fresh journal restores nothing', () => {
  const journal = Journal.open(join(dir, 'j.sqlite'));
  assert.is(journal.restore(), null);
  assert.is(journal.lastSeq, 0);
  journal.close();
});

test('after reopening, restore gives the balance, open positions, weekly count with its week start, last trade time, feed cursor and session', () => {
  const path = join(dir, 'j.sqlite');
  const journal = Journal.open(path);
  const bot = new FakeBot();
  const events = wire(journal, bot);
  bot.init();
  bot.entry('USDCHF', 0.91);
  bot.exit('USDCHF');
  bot.entry('EURUSD', 1.09);
  bot.bar('USDCHF', Date.UTC(2024, 0, 15, 12));
  bot.bar('USDCHF', Date.UTC(2024, 0, 15, 12, 30));
  bot.bar('EURUSD', Date.UTC(2024, 0, 15, 11));
  journal.close();

  const reopened = Journal.open(path);
  assert.is(reopened.lastSeq, events.length);
  const state = reopened.restore()!;
  assert.is(state.balance, 10_150);
  assert.is(state.tradesThisWeek, 2);
  const entry = events.filter((e) => e.event_type === 'TRADE_ENTRY').at(-1)! as SequencedEvent & { data: { time: string } };
  const entryTime = Date.parse(`${entry.data.time}Z`);
  assert.is(state.lastTradeTime, entryTime);
  assert.is(state.weekStart, weekStartOf(entryTime));
  assert.equal(state.positions.map((p) => [p.symbol, p.direction, p.entryPrice, p.lotSize]), [['EURUSD', 'buy', 1.09, 0.1]]);
  assert.equal(state.feedCursor, { USDCHF: Date.UTC(2024, 0, 15, 12, 30), EURUSD: Date.UTC(2024, 0, 15, 11) });
  assert.is(state.lastSessionId, bot.sessionId);
  assert.equal(reopened.closedTrades().map((t) => [t.symbol, t.pnl, t.balanceAfter]), [['USDCHF', 150, 10_150]]);
  reopened.close();
});

test('a position carried over into a new session (--new-epoch) and closed there is closed in the journal: not restored as open again', () => {
  const { path, journal, bot } = twoEntries(['EURUSD', 1.09]);
  // The next start begins a new session; the carried-over USDCHF position closes in it.
  const next = 'cccccccc-0000-4000-8000-00000000000c';
  bot.emit('TRADE_EXIT', 'INFO', {
    symbol: 'USDCHF', exit_price: 0.9115, exit_reason: 'Take profit hit', pnl: 150, balance_after: 10_150,
    timestamp: '2024-01-15T10:00:00', position_id: 1, direction: 'buy', entry_price: 0.91, lot_size: 0.1,
  }, next);
  journal.close();
  const reopened = Journal.open(path);
  const state = reopened.restore()!;
  assert.equal(state.positions.map((p) => p.symbol), ['EURUSD'], 'only the EURUSD position is still open');
  assert.is(state.balance, 10_150);
  assert.equal(reopened.closedTrades().map((t) => [t.symbol, t.pnl, t.balanceAfter]), [['USDCHF', 150, 10_150]], 'its trade row is closed');
  reopened.close();
});

test('a position adopted after a reconnection that opened in an earlier week leaves that week\'s count alone: its count is this week\'s', () => {
  const { path, journal, bot } = twoEntries(['GBPUSD', 1.27]);
  const thisWeek = journal.restore()!;
  assert.is(thisWeek.tradesThisWeek, 2);
  // Opened a week and a half ago on the terminal, adopted now: this week's count becomes 3.
  const opened = Date.UTC(2024, 0, 5, 14, 0, 0);
  bot.emit('TRADE_ENTRY', 'INFO', {
    symbol: 'EURUSD', direction: 'buy', price: 1.09, lot_size: 0.1, stop_loss: 1.08, take_profit: 1.1, patterns_detected: [], sr_levels: { support: null, resistance: null },
    aggression_multiplier: 1, trades_this_week: 3, position_id: 77, time: '2024-01-05T14:00:00',
    execution_result: { retcode: 10009, deal: 0, order: 77, volume: 0.1, price: 1.09, bid: 0, ask: 0, comment: 'adopted: opened on the terminal while the engine was disconnected' },
    reason: 'adopted after reconnection; counted in this week\'s trades (3 of 10)',
  });
  journal.close();
  const reopened = Journal.open(path);
  const state = reopened.restore()!;
  assert.is(state.weekStart, thisWeek.weekStart, 'still this week');
  assert.is(state.tradesThisWeek, 3);
  assert.is(state.lastTradeTime, thisWeek.lastTradeTime, 'the last trade time does not go back to the adopted position\'s opening');
  assert.ok(weekStartOf(opened) < thisWeek.weekStart);
  assert.ok(state.positions.some((p) => p.symbol === 'EURUSD' && p.entryTime === opened), 'the adopted position is journaled with its own opening time');
  reopened.close();
});

test('the opening balance comes from BOT_INITIALIZATION until a trade closes', () => {
  const journal = Journal.open(join(dir, 'j.sqlite'));
  const bot = new FakeBot();
  bot.balance = 25_000;
  wire(journal, bot);
  bot.init();
  assert.is(journal.restore()!.balance, 25_000);
  journal.close();
});

test('trades of a backtest session do not touch the paper account', () => {
  const journal = Journal.open(join(dir, 'j.sqlite'));
  const bot = new FakeBot();
  wire(journal, bot);
  bot.init();
  const backtest = 'bbbbbbbb-0000-4000-8000-00000000000b';
  bot.emit('BACKTEST_START', 'INFO', { session_id: backtest, symbol: 'USDCHF', data_points: 10, starting_balance: 5000, trade_constraints: { min_trades_per_week: 3, max_trades_per_week: 10 } }, backtest);
  bot.emit('TRADE_EXIT', 'INFO', { symbol: 'USDCHF', exit_price: 1, exit_reason: 'x', pnl: -4000, balance_after: 1000, timestamp: '2024-01-15T10:00:00' }, backtest);
  const state = journal.restore()!;
  assert.is(state.balance, 10_000);
  assert.is(state.tradesThisWeek, 0);
  journal.close();
});

/** The server's audit of an accepted `close_position` naming `ticket`. */
function closeAccepted(bot: FakeBot, symbol: string, ticket: number): void {
  bot.emit('COMMAND', 'INFO', { command: 'close_position', connection_id: 'c1', ok: true, reason: `${symbol} position #${ticket} closes at the next price`, params: { symbol, ticket }, symbol });
}

test('a close request is forgotten when an ERROR says that very close failed (its ticket, action close); not on an ERROR that only says so in its text, of another ticket, or of a backtest session', () => {
  // Before: kept until the position's TRADE_EXIT, so a restart sent a close the user was told had failed.
  const path = join(dir, 'j.sqlite');
  const journal = Journal.open(path);
  const bot = new FakeBot();
  wire(journal, bot);
  bot.init();
  bot.entry('USDCHF', 0.91);
  closeAccepted(bot, 'USDCHF', 1);
  assert.equal(journal.restore()!.closeRequests, [{ symbol: 'USDCHF', ticket: 1 }]);
  const failed = 'closing position #1 failed: 10031 No connection with the trade server';
  bot.emit('ERROR', 'ERROR', { error: failed, traceback: '', symbol: 'USDCHF', source: 'holder' });
  bot.emit('ERROR', 'ERROR', { error: 'closing position #2 failed', traceback: '', symbol: 'USDCHF', source: 'holder', ticket: 2, action: 'close' });
  const backtest = 'bbbbbbbb-0000-4000-8000-00000000000b';
  bot.emit('BACKTEST_START', 'INFO', { session_id: backtest, symbol: 'USDCHF', data_points: 10, starting_balance: 5000, trade_constraints: { min_trades_per_week: 3, max_trades_per_week: 10 } }, backtest);
  bot.emit('ERROR', 'ERROR', { error: failed, traceback: '', symbol: 'USDCHF', source: 'holder', ticket: 1, action: 'close' }, backtest);
  assert.equal(journal.restore()!.closeRequests, [{ symbol: 'USDCHF', ticket: 1 }], 'still asked');
  bot.emit('ERROR', 'ERROR', { error: failed, traceback: '', symbol: 'USDCHF', source: 'holder', ticket: 1, action: 'close' });
  assert.is(journal.restore()!.closeRequests, undefined, 'forgotten');
  journal.close();
  const reopened = Journal.open(path);
  assert.is(reopened.restore()!.closeRequests, undefined, 'and after a restart');
  assert.equal(reopened.restore()!.positions.map((p) => p.positionId), [1], 'the position stays open');
  reopened.close();
});

test('close requests are kept one per ticket: two on one symbol (the bot\'s position and a kept one) are both kept, each forgotten at its own exit', () => {
  // Before: keyed by symbol, the second request took the place of the first (meta {"USDCHF": 2}).
  const path = join(dir, 'j.sqlite');
  const journal = Journal.open(path);
  const bot = new FakeBot();
  wire(journal, bot);
  bot.init();
  bot.entry('USDCHF', 0.91); // #1
  bot.entry('USDCHF', 0.92); // #2, kept beside it
  bot.entry('EURUSD', 1.09); // #3
  closeAccepted(bot, 'USDCHF', 1);
  closeAccepted(bot, 'USDCHF', 2);
  closeAccepted(bot, 'USDCHF', 2); // asked twice: one request
  closeAccepted(bot, 'EURUSD', 3);
  journal.close();
  const reopened = Journal.open(path);
  const all = [{ symbol: 'USDCHF', ticket: 1 }, { symbol: 'USDCHF', ticket: 2 }, { symbol: 'EURUSD', ticket: 3 }];
  assert.equal(reopened.restore()!.closeRequests, all);
  const again = new FakeBot();
  wire(reopened, again);
  again.emit('TRADE_EXIT', 'INFO', { symbol: 'USDCHF', exit_price: 0.92, exit_reason: 'Closed by user', pnl: 10, balance_after: 10_010, timestamp: '2024-01-15T12:00:00', position_id: 2 });
  assert.equal(reopened.restore()!.closeRequests, [all[0], all[2]], '#2 closed: #1 is still asked');
  again.emit('ERROR', 'ERROR', { error: 'closing position #1 failed', traceback: '', symbol: 'USDCHF', source: 'holder', ticket: 1, action: 'close' });
  assert.equal(reopened.restore()!.closeRequests, [all[2]]);
  reopened.close();
});

test('a journal written when close requests were kept by symbol ({"USDCHF": 1}) is still read, and its request kept beside new ones', () => {
  const path = join(dir, 'j.sqlite');
  const journal = Journal.open(path);
  const bot = new FakeBot();
  wire(journal, bot);
  bot.init();
  bot.entry('USDCHF', 0.91); // #1
  bot.entry('EURUSD', 1.09); // #2
  journal.close();
  const db = new Database(path);
  db.prepare('INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)').run('close_requests', JSON.stringify({ USDCHF: 1 }));
  db.close();
  const reopened = Journal.open(path);
  assert.equal(reopened.restore()!.closeRequests, [{ symbol: 'USDCHF', ticket: 1 }]);
  const again = new FakeBot();
  wire(reopened, again);
  closeAccepted(again, 'EURUSD', 2);
  assert.equal(reopened.restore()!.closeRequests, [{ symbol: 'USDCHF', ticket: 1 }, { symbol: 'EURUSD', ticket: 2 }]);
  reopened.close();
});

test('the journal keeps the last events as broadcast, bounded, for resume after a restart', () => {
  const path = join(dir, 'j.sqlite');
  const journal = Journal.open(path, { keepEvents: 1000 });
  const bot = new FakeBot();
  let seq = 0;
  bot.events$.subscribe((event) => {
    const stamped = { ...event, seq: ++seq } as SequencedEvent;
    journal.record(stamped, JSON.stringify(stamped), stamped.level === 'DEBUG');
  });
  for (let i = 0; i < 3000; i++) bot.bar('USDCHF', Date.UTC(2024, 0, 15) + i * 1_800_000);
  journal.close();
  const reopened = Journal.open(path, { keepEvents: 1000 });
  const recent = reopened.recentEvents(10_000);
  assert.ok(recent.length >= 1000 && recent.length < 1000 + 512, `bounded (${recent.length})`);
  assert.is(recent.at(-1)!.seq, 3000);
  assert.is(JSON.parse(recent.at(-1)!.json).seq, 3000);
  assert.is(recent.at(-1)!.sheddable, true);
  assert.equal(reopened.recentEvents(3).map((e) => e.seq), [2998, 2999, 3000]);
  reopened.close();
});

test('a kill -9 while recording loses nothing that record() had returned for, and the file stays consistent', async () => {
  const path = join(dir, 'j.sqlite');
  const child = spawn(process.execPath, ['--import', 'tsx', 'tests/journal/journal-writer.ts', path], { stdio: ['ignore', 'pipe', 'inherit'] });
  let lastAcked = 0;
  let buffer = '';
  await new Promise<void>((resolve) => {
    child.stdout.on('data', (chunk: Buffer) => {
      buffer += chunk.toString();
      const lines = buffer.split('\n');
      buffer = lines.pop()!;
      if (lines.length) lastAcked = Number(lines.at(-1));
      if (lastAcked >= 3000) resolve();
    });
  });
  child.kill('SIGKILL');
  await new Promise((r) => child.once('exit', r));
  const journal = Journal.open(path);
  assert.ok(journal.lastSeq >= lastAcked, `journal seq ${journal.lastSeq} >= acknowledged ${lastAcked}`);
  const state = journal.restore()!;
  const closed = journal.closedTrades();
  assert.ok(closed.length >= 900);
  assert.is(state.balance, closed.at(-1)!.balanceAfter, 'balance matches the last closed trade');
  assert.is(state.balance, 10_000 + 150 * closed.length, 'no closed trade was lost');
  // Each entry is closed three events later, so at most the last one can still be open.
  assert.ok(state.positions.length <= 1);
  assert.is(state.tradesThisWeek, closed.length + state.positions.length);
  journal.close();
});

test.run();
