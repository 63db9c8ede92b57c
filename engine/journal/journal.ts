import Database from 'better-sqlite3';
import { existsSync, mkdirSync, statSync } from 'node:fs';
import { dirname } from 'node:path';
import { parseTimestamp, type EventOf, type LogEvent } from '../../protocol/index.ts';
import type { CloseRequest, PartialExit, RestoredPosition, RestoredState } from '../model/restored-state.ts';
import { weekStartOf } from '../time/trading-week.ts';
import { JOURNAL_SCHEMA } from './journal-schema.ts';

/** An event as it leaves the Broadcaster: stamped with its sequence number. */
export type SequencedEvent = LogEvent & { readonly seq: number };

type Stmt = Database.Statement;

/** The journal file cannot be used as it is (corrupt, not a database, unreadable): nothing was changed. */
export class JournalOpenError extends Error {
  constructor(readonly path: string, readonly reason: Error) {
    super(`${path} cannot be used: ${describeSqliteError(reason)}`);
  }
}

/** The fate of a position the journal knows, for refusing a stale `close_position`. */
export interface TicketRecord {
  readonly positionId: number;
  readonly symbol: string;
  readonly direction: string;
  readonly entryPrice: number;
  readonly exitPrice: number | null;
  readonly exitReason: string | null;
  readonly exitTime: number | null;
  readonly pnl: number | null;
}

/**
 * The paper account's memory: a SQLite file written synchronously before each event is
 * broadcast, so that what a client saw is never ahead of what survives a crash.
 *
 * WAL with `synchronous = NORMAL`: every commit reaches the OS before `record` returns, so a
 * `kill -9` of the process loses nothing; only a power cut can lose the last few commits
 * (never corrupt the file). FULL would fsync on every event, and BAR events arrive many times
 * a second at replay speed: the price is not worth it for a paper account.
 *
 * @example
 * const journal = Journal.open('var/journal.sqlite');
 * const restored = journal.restore(10_000); // null on a first start
 * broadcaster.addSink(journal);
 */
export class Journal {
  private db!: Database.Database;
  private stmts!: Record<string, Stmt>;
  private readonly backtestSessions = new Set<string>();
  private seq = 0;
  /** Set after a failed write: the next probe opens a fresh connection (a read-only one stays read-only). */
  private stale = false;
  /** Set from outside (the lock check): writes refuse with this reason until it is cleared. */
  blockedReason: string | null = null;
  /** The file this connection writes (device and inode), to notice it deleted or replaced under the bot. */
  private identity: { readonly dev: number; readonly ino: number } | null = null;

  private constructor(readonly path: string, private readonly keepEvents: number) {
    if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
    this.connect();
  }

  private connect(): void {
    let db: Database.Database | null = null;
    try {
      db = new Database(this.path);
      db.pragma('journal_mode = WAL');
      db.pragma('synchronous = NORMAL');
      // A damaged file must stop the start with its path, not surface later as a stack.
      const check = db.pragma('quick_check', { simple: true });
      if (check !== 'ok') throw Object.assign(new Error(`integrity check failed: ${String(check).slice(0, 200)}`), { code: 'SQLITE_CORRUPT' });
      db.exec(JOURNAL_SCHEMA);
    } catch (err) {
      db?.close();
      throw new JournalOpenError(this.path, err as Error);
    }
    if (this.path !== ':memory:') {
      const st = statSync(this.path);
      this.identity = { dev: st.dev, ino: st.ino };
    }
    if (this.db?.open) {
      try {
        this.db.close();
      } catch {
        // The old connection is being replaced because it failed; its close may fail too.
      }
    }
    this.db = db;
    const p = (sql: string) => db.prepare(sql);
    this.stmts = {
      setMeta: p('INSERT INTO meta(key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value'),
      getMeta: p('SELECT value FROM meta WHERE key = ?'),
      addSession: p('INSERT OR IGNORE INTO sessions(session_id, kind, started_at, first_seq, last_seq, config) VALUES (?, ?, ?, ?, ?, ?)'),
      touchSession: p('UPDATE sessions SET last_seq = ? WHERE session_id = ?'),
      addOrder: p('INSERT OR REPLACE INTO orders VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)'),
      openTrade: p(`INSERT OR REPLACE INTO trades(position_id, session_id, symbol, direction, lot_size, entry_price, stop_loss,
        take_profit, entry_time, entry_seq) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`),
      // By position, in whichever live session it was opened: a position carried over a restart
      // that began a new session (--new-epoch) closes in the new one. Its open row only (exit_time
      // NULL): a paper account's tickets may repeat those of positions closed long before.
      closeTrade: p(`UPDATE trades SET exit_price = ?, exit_reason = ?, pnl = ?, balance_after = ?, exit_time = ?, exit_seq = ?
        WHERE position_id = ? AND symbol = ? AND exit_time IS NULL`),
      openPosition: p('INSERT OR REPLACE INTO positions VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)'),
      findPosition: p('SELECT position_id FROM positions WHERE symbol = ? ORDER BY entry_time DESC LIMIT 1'),
      closePosition: p('DELETE FROM positions WHERE position_id = ? AND symbol = ?'),
      shrinkPosition: p('UPDATE positions SET lot_size = ? WHERE position_id = ? AND symbol = ?'),
      addPartialExit: p('INSERT OR IGNORE INTO partial_exits VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)'),
      setWeek: p(`INSERT INTO weekly_counters(week_start, trades, last_trade_time) VALUES (?, ?, ?)
        ON CONFLICT(week_start) DO UPDATE SET trades = excluded.trades, last_trade_time = excluded.last_trade_time`),
      keepEvent: p('INSERT OR REPLACE INTO recent_events(seq, sheddable, json) VALUES (?, ?, ?)'),
      trimEvents: p('DELETE FROM recent_events WHERE seq <= ?'),
      setCursor: p('INSERT INTO feed_cursor(symbol, bar_time) VALUES (?, ?) ON CONFLICT(symbol) DO UPDATE SET bar_time = excluded.bar_time'),
    };
    for (const row of p("SELECT session_id FROM sessions WHERE kind = 'backtest'").all() as { session_id: string }[]) {
      this.backtestSessions.add(row.session_id);
    }
    this.seq = Number(this.meta('last_seq') ?? 0);
    this.stale = false;
  }

  /** Opens (creating if needed) the journal file. */
  static open(path: string, options: { keepEvents?: number } = {}): Journal {
    return new Journal(path, options.keepEvents ?? 10_000);
  }

  /** The highest sequence number ever recorded: the Broadcaster continues after it. */
  get lastSeq(): number {
    return this.seq;
  }

  /**
   * Records one event; synchronous, atomic, and called before the event is broadcast. `json`
   * is the event as sent to clients, kept for `resume` after a restart.
   */
  record(event: SequencedEvent, json?: string, sheddable = false): void {
    this.recordMany([{ event, json, sheddable }]);
  }

  /**
   * Records several events in one transaction: all or none. The Broadcaster writes the events
   * held during a journal failure this way (one commit instead of one per event, which on a
   * nearly full disk is the difference between fitting and not).
   */
  recordMany(items: readonly { event: SequencedEvent; json?: string; sheddable?: boolean }[]): void {
    if (this.blockedReason !== null) throw new Error(this.blockedReason);
    this.checkFile();
    if (this.stale) throw new Error('the journal failed to write and has not been reopened yet');
    let seq = this.seq;
    try {
      this.db.transaction(() => {
        for (const { event, json, sheddable } of items) {
          seq = Math.max(seq, event.seq);
          this.write(event, json, sheddable === true);
        }
        this.stmts.setMeta.run('last_seq', String(seq));
      })();
    } catch (err) {
      this.stale = true;
      throw err;
    }
    // Only once committed: a failed write must not move the high-water mark.
    this.seq = seq;
  }

  private write(event: SequencedEvent, json: string | undefined, sheddable: boolean): void {
    this.stmts.touchSession.run(event.seq, event.session_id);
    if (json !== undefined && this.keepEvents > 0) {
      this.stmts.keepEvent.run(event.seq, sheddable ? 1 : 0, json);
      if (event.seq % 512 === 0) this.stmts.trimEvents.run(event.seq - this.keepEvents);
    }
    this.applyEvent(event);
  }

  /**
   * Throws unless a write can commit now: reopens the file first after a failure (a connection
   * opened read-only stays read-only), then commits a one-row transaction. Used to find out when
   * a full or read-only file system can take writes again.
   */
  probe(): void {
    if (this.blockedReason !== null) throw new Error(this.blockedReason);
    this.checkFile();
    if (this.stale || !this.db.open) this.connect();
    try {
      this.db.transaction(() => this.setMeta('probe', String(Date.now())))();
    } catch (err) {
      this.stale = true;
      throw err;
    }
  }

  /**
   * Throws if the file at `path` is no longer the one this connection writes (deleted, or
   * replaced by another file): SQLite would go on committing into the unlinked file, every write
   * "succeeding", and the next start would find no account, positions or week. The bot then opens
   * no new position and says why, as on a full disk. The probe never reopens another file here
   * (that would start an empty journal): writes resume only if the same file is put back. One
   * stat per commit.
   */
  private checkFile(): void {
    if (this.identity === null) return;
    const st = statSync(this.path, { throwIfNoEntry: false });
    if (st !== undefined && st.ino === this.identity.ino && st.dev === this.identity.dev) return;
    throw new Error(`the journal file ${this.path} was ${st === undefined ? 'deleted' : 'replaced by another file'} while the bot ran: `
      + 'what it writes now would be lost at the next start. Put the same file back (writes resume by themselves) or stop the bot and start again');
  }

  /**
   * Starts a new epoch: sequence numbers continue after `afterSeq` (never reused, even where
   * the journal lost them) and the next session is a new one.
   */
  startEpoch(afterSeq: number, reason: string): void {
    const seq = Math.max(this.seq, afterSeq);
    this.db.transaction(() => {
      this.setMeta('last_seq', String(seq));
      this.setMeta('epoch', String(Number(this.meta('epoch') ?? 0) + 1));
      this.setMeta('epoch_reason', reason);
      this.db.prepare("DELETE FROM meta WHERE key = 'last_session_id'").run();
    })();
    this.seq = seq;
  }

  /** What the journal knows of a position (open or closed), or null. */
  ticket(positionId: number): TicketRecord | null {
    const row = this.db
      .prepare(`SELECT position_id AS positionId, symbol, direction, entry_price AS entryPrice, exit_price AS exitPrice, exit_reason AS exitReason,
        exit_time AS exitTime, pnl FROM trades WHERE position_id = ? ORDER BY entry_seq DESC LIMIT 1`)
      .get(positionId) as TicketRecord | undefined;
    return row ?? null;
  }

  /** `paper`, `live`, `backtest`, or null for a session the journal never saw start. */
  sessionKind(sessionId: string): string | null {
    const row = this.db.prepare('SELECT kind FROM sessions WHERE session_id = ?').get(sessionId) as { kind: string } | undefined;
    return row?.kind ?? null;
  }

  /** The session of the journaled event `seq`, or null when the journal does not hold it (any more). */
  sessionAt(seq: number): string | null {
    const row = this.db.prepare('SELECT json FROM recent_events WHERE seq = ?').get(seq) as { json: string } | undefined;
    if (!row) return null;
    const sessionId = (JSON.parse(row.json) as { session_id?: unknown }).session_id;
    return typeof sessionId === 'string' ? sessionId : null;
  }

  /** Journaled events after `seq`, oldest first (the recorder's catch-up after a crash). */
  eventsAfter(seq: number): { seq: number; json: string }[] {
    return this.db.prepare('SELECT seq, json FROM recent_events WHERE seq > ? ORDER BY seq').all(seq) as { seq: number; json: string }[];
  }

  /** The last `limit` events as broadcast, oldest first (to refill the replay buffer). */
  recentEvents(limit: number): { seq: number; json: string; sheddable: boolean }[] {
    const rows = this.db.prepare('SELECT seq, sheddable, json FROM recent_events ORDER BY seq DESC LIMIT ?').all(limit) as { seq: number; sheddable: number; json: string }[];
    return rows.reverse().map((r) => ({ seq: r.seq, json: r.json, sheddable: r.sheddable === 1 }));
  }

  private applyEvent(event: SequencedEvent): void {
    const sid = event.session_id;
    switch (event.event_type) {
      case 'BOT_INITIALIZATION':
        this.stmts.addSession.run(sid, event.data.mode ?? 'paper', event.timestamp, event.seq, event.seq, JSON.stringify(event.data.config));
        this.setMeta('last_session_id', sid);
        if (this.meta('balance') === null) {
          const balance = startingBalance(event);
          if (balance !== null) this.setMeta('balance', String(balance));
        }
        return;
      case 'BACKTEST_START':
        for (const id of new Set([sid, event.data.session_id])) {
          this.backtestSessions.add(id);
          this.stmts.addSession.run(id, 'backtest', event.timestamp, event.seq, event.seq, null);
        }
        return;
      case 'TRADE_ENTRY':
        if (!this.backtestSessions.has(sid)) this.recordEntry(event);
        return;
      case 'TRADE_EXIT':
        if (!this.backtestSessions.has(sid)) this.recordExit(event);
        return;
      case 'DECISION':
        if (this.backtestSessions.has(sid)) return;
        if (event.data.decision === 'partial_close') this.recordPartialExit(event);
        else if (event.data.decision === 'increase_aggression') this.recordAggression(event);
        return;
      case 'BAR':
        if (!this.backtestSessions.has(sid)) this.stmts.setCursor.run(event.data.symbol, parseTimestamp(event.data.time));
        return;
      case 'COMMAND':
        if (!this.backtestSessions.has(sid) && event.data.command === 'close_position' && event.data.ok === true) this.recordCloseRequest(event);
        return;
      case 'ERROR':
        if (!this.backtestSessions.has(sid) && event.data.action === 'close' && typeof event.data.ticket === 'number') this.forgetCloseRequest(event.data.symbol, event.data.ticket);
        return;
      case 'STATE_TRANSITION':
        if (!this.backtestSessions.has(sid) && (event.data.event === 'PAUSE' || event.data.event === 'RESUME')) this.recordPause(event.data.symbol, event.data.event === 'PAUSE');
        return;
      default:
        return;
    }
  }

  private recordEntry(event: SequencedEvent & EventOf<'TRADE_ENTRY'>): void {
    const d = event.data;
    const time = parseTimestamp(d.time ?? event.timestamp);
    const positionId = d.position_id ?? (d.execution_result.order || event.seq);
    const r = d.execution_result;
    this.stmts.addOrder.run(event.seq, event.session_id, d.symbol, d.direction, 'entry', d.lot_size, d.price, r.retcode, r.deal, r.order, positionId, d.time ?? event.timestamp);
    this.stmts.openTrade.run(positionId, event.session_id, d.symbol, d.direction, d.lot_size, d.price, d.stop_loss, d.take_profit, time, event.seq);
    this.stmts.openPosition.run(d.symbol, positionId, event.session_id, d.direction, d.lot_size, d.price, d.stop_loss, d.take_profit, time);
    // The governor's own count is authoritative, and it is the count of the week the event is made
    // in: the entry's own week, except for a position adopted after a reconnection that was opened
    // in an earlier week (its TRADE_ENTRY carries this week's count and its own, older, time).
    const made = parseTimestamp(event.timestamp);
    const week = weekStartOf(made === made ? Math.max(made, time) : time);
    this.stmts.setWeek.run(week, d.trades_this_week, time);
    const last = Number(this.meta('last_trade_time'));
    if (!(last >= time)) this.setMeta('last_trade_time', String(time));
  }

  /**
   * A pace step: the week's multiplier and when the check ran, so a restart goes on with both
   * (`RestoredState.aggression`), rather than at x1 with the week's checkpoints to pass again.
   */
  private recordAggression(event: SequencedEvent & EventOf<'DECISION'>): void {
    const time = parseTimestamp(event.data.time ?? event.timestamp);
    const multiplier = event.data.aggression_multiplier;
    if (!(time === time) || !(typeof multiplier === 'number' && multiplier > 0)) return;
    this.setMeta('aggression', JSON.stringify({ weekStart: weekStartOf(time), multiplier, time }));
  }

  /**
   * A symbol the user paused stays paused until the user resumes it: through a stop and start of
   * the bot and through a restart (`RestoredState.paused`). A shutdown's STOP does not resume it.
   */
  private recordPause(symbol: string, paused: boolean): void {
    const now = new Set(this.restoredPaused());
    if (paused === now.has(symbol)) return;
    if (paused) now.add(symbol);
    else now.delete(symbol);
    this.setMeta('paused', JSON.stringify([...now].sort()));
  }

  /**
   * A user's accepted close of one of the bot's positions, not executed yet (the paper bot closes
   * at the next bar's open): kept until the position's TRADE_EXIT, so a crash in between does not
   * forget it (`RestoredState.closeRequests`), or until an ERROR says that close failed (its
   * `ticket`, `action: 'close'`): the user was told it failed, so a restart must not send it again.
   * A broker answers the close after the command was answered and journaled, so that ERROR comes
   * after the COMMAND. One request per ticket: a symbol may have several at once (the bot's
   * position and kept ones beside it), and a second one never takes the place of the first.
   */
  private recordCloseRequest(event: SequencedEvent & EventOf<'COMMAND'>): void {
    const symbol = event.data.symbol;
    if (typeof symbol !== 'string') return;
    const asked = (event.data.params as Record<string, unknown> | undefined)?.ticket;
    const open = this.db.prepare('SELECT position_id FROM positions WHERE symbol = ?').all(symbol) as { position_id: number }[];
    const ticket = typeof asked === 'number' ? asked : open.length === 1 ? open[0].position_id : null;
    if (ticket === null || !open.some((p) => p.position_id === ticket)) return;
    const requests = this.restoredCloseRequests();
    if (requests.some((r) => r.ticket === ticket)) return;
    this.setMeta('close_requests', JSON.stringify([...requests, { symbol, ticket }]));
  }

  /** Forgets the close request of `positionId` (on `symbol`, if given): its position closed, or its close failed. */
  private forgetCloseRequest(symbol: string | undefined, positionId: number): void {
    const requests = this.restoredCloseRequests();
    const left = requests.filter((r) => !(r.ticket === positionId && (symbol === undefined || r.symbol === symbol)));
    if (left.length === requests.length) return;
    this.setMeta('close_requests', JSON.stringify(left));
  }

  /**
   * Meta `close_requests`: `[{"symbol": "USDCHF", "ticket": 123}, ...]`, oldest first. A journal
   * written before it was kept by ticket holds `{"USDCHF": 123}` (one per symbol): read as well.
   */
  private restoredCloseRequests(): CloseRequest[] {
    const text = this.meta('close_requests');
    if (text === null) return [];
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      return []; // An unreadable value is no request.
    }
    const out: CloseRequest[] = [];
    const add = (symbol: unknown, ticket: unknown) => {
      if (typeof symbol === 'string' && typeof ticket === 'number' && !out.some((r) => r.ticket === ticket)) out.push({ symbol, ticket });
    };
    if (Array.isArray(parsed)) {
      for (const r of parsed) if (r && typeof r === 'object') add((r as Record<string, unknown>).symbol, (r as Record<string, unknown>).ticket);
    } else if (parsed && typeof parsed === 'object') {
      for (const [symbol, ticket] of Object.entries(parsed)) add(symbol, ticket);
    }
    return out;
  }

  private restoredPaused(): string[] {
    const text = this.meta('paused');
    if (text === null) return [];
    try {
      const list = JSON.parse(text) as unknown;
      return Array.isArray(list) ? list.filter((s): s is string => typeof s === 'string') : [];
    } catch {
      return [];
    }
  }

  /** Part of an open position closed (live): what is left, the exit deal (its round trip's TRADE_EXIT adds it in) and the balance. */
  private recordPartialExit(event: SequencedEvent & EventOf<'DECISION'>): void {
    const d = event.data;
    if (d.ticket === undefined || d.lot_size === undefined || d.deal === undefined) return;
    const time = parseTimestamp(d.time ?? event.timestamp);
    this.stmts.shrinkPosition.run(d.lot_size, d.ticket, d.symbol);
    this.stmts.addPartialExit.run(d.deal, d.ticket, d.symbol, d.closed_lots ?? 0, d.exit_price ?? 0, d.profit ?? 0, d.commission ?? 0, d.swap ?? 0, time);
    if (d.balance_after !== undefined) this.setMeta('balance', String(d.balance_after));
  }

  private recordExit(event: SequencedEvent & EventOf<'TRADE_EXIT'>): void {
    const d = event.data;
    const time = parseTimestamp(d.timestamp);
    const row = d.position_id === undefined ? (this.stmts.findPosition.get(d.symbol) as { position_id: number } | undefined) : undefined;
    const positionId = d.position_id ?? row?.position_id ?? -event.seq;
    const side = d.direction === 'buy' ? 'sell' : d.direction === 'sell' ? 'buy' : 'close';
    this.stmts.addOrder.run(event.seq, event.session_id, d.symbol, side, 'exit', d.lot_size ?? 0, d.exit_price, null, null, null, positionId, d.timestamp);
    this.stmts.closeTrade.run(d.exit_price, d.exit_reason, d.pnl, d.balance_after, time, event.seq, positionId, d.symbol);
    this.stmts.closePosition.run(positionId, d.symbol);
    this.forgetCloseRequest(d.symbol, positionId);
    this.setMeta('balance', String(d.balance_after));
  }

  /**
   * What the paper bot resumes from, or null when nothing was ever journaled. Open positions of
   * every earlier live session are carried over: a restart continues the same account.
   */
  restore(fallbackBalance?: number): RestoredState | null {
    const lastSession = this.meta('last_session_id');
    const balanceText = this.meta('balance');
    if (lastSession === null && balanceText === null && this.seq === 0) return null;
    const week = this.db.prepare('SELECT week_start, trades FROM weekly_counters ORDER BY week_start DESC LIMIT 1').get() as
      | { week_start: number; trades: number }
      | undefined;
    const lastTrade = this.meta('last_trade_time');
    const positions = (this.db.prepare('SELECT * FROM positions ORDER BY entry_time').all() as Record<string, never>[]).map(
      (row): RestoredPosition => ({
        symbol: row.symbol,
        positionId: row.position_id,
        direction: row.direction,
        lotSize: row.lot_size,
        entryPrice: row.entry_price,
        stopLoss: row.stop_loss,
        takeProfit: row.take_profit,
        entryTime: row.entry_time,
        ...this.partialExitsOf(row.position_id, row.symbol),
      }),
    );
    const aggression = this.restoredAggression();
    const paused = this.restoredPaused();
    const closeRequests = this.restoredCloseRequests();
    const feedCursor: Record<string, number> = {};
    for (const row of this.db.prepare('SELECT symbol, bar_time FROM feed_cursor').all() as { symbol: string; bar_time: number }[]) {
      feedCursor[row.symbol] = row.bar_time;
    }
    return {
      balance: balanceText !== null ? Number(balanceText) : (fallbackBalance ?? 0),
      weekStart: week?.week_start ?? 0,
      tradesThisWeek: week?.trades ?? 0,
      lastTradeTime: lastTrade !== null ? Number(lastTrade) : null,
      ...(aggression ? { aggression } : {}),
      ...(paused.length > 0 ? { paused } : {}),
      ...(closeRequests.length > 0 ? { closeRequests } : {}),
      positions,
      feedCursor,
      lastSessionId: lastSession,
    };
  }

  /** The last pace step journaled (`recordAggression`), if it reads whole. */
  private restoredAggression(): RestoredState['aggression'] {
    const text = this.meta('aggression');
    if (text === null) return undefined;
    try {
      const a = JSON.parse(text) as { weekStart?: unknown; multiplier?: unknown; time?: unknown };
      const ok = typeof a.weekStart === 'number' && typeof a.multiplier === 'number' && typeof a.time === 'number' && a.multiplier > 0;
      return ok ? { weekStart: a.weekStart as number, multiplier: a.multiplier as number, time: a.time as number } : undefined;
    } catch {
      return undefined;
    }
  }

  private partialExitsOf(positionId: number, symbol: string): { exits?: PartialExit[] } {
    const exits = this.db.prepare('SELECT deal, volume, price, profit, commission, swap, time FROM partial_exits WHERE position_id = ? AND symbol = ? ORDER BY time, deal')
      .all(positionId, symbol) as PartialExit[];
    return exits.length > 0 ? { exits } : {};
  }

  /** Closed trades, oldest first (for audits and the restart test). */
  closedTrades(): { positionId: number; symbol: string; pnl: number; balanceAfter: number; exitSeq: number }[] {
    return this.db
      .prepare('SELECT position_id AS positionId, symbol, pnl, balance_after AS balanceAfter, exit_seq AS exitSeq FROM trades WHERE exit_seq IS NOT NULL ORDER BY exit_seq')
      .all() as never;
  }

  /**
   * Checkpoints the WAL into the main file and closes it. On a full disk the checkpoint fails:
   * the WAL then stays beside the file and the next open reads it, so nothing is lost.
   */
  close(): void {
    if (!this.db.open) return;
    try {
      this.db.pragma('wal_checkpoint(TRUNCATE)');
    } finally {
      this.db.close();
    }
  }

  private meta(key: string): string | null {
    return (this.stmts.getMeta.get(key) as { value: string } | undefined)?.value ?? null;
  }

  private setMeta(key: string, value: string): void {
    this.stmts.setMeta.run(key, value);
  }
}

/** The paper account's opening balance as BOT_INITIALIZATION reports it, wherever it sits. */
function startingBalance(event: EventOf<'BOT_INITIALIZATION'>): number | null {
  const c = event.data.config as Record<string, unknown>;
  const candidates = [c.balance, c.starting_balance, (c.trading_settings as Record<string, unknown>)?.balance, (c.risk_parameters as Record<string, unknown>)?.balance];
  const found = candidates.find((v) => typeof v === 'number' && Number.isFinite(v));
  return typeof found === 'number' ? found : null;
}

/** Whether a journal file exists at `path` (a missing one is created on open). */
export function journalExists(path: string): boolean {
  return existsSync(path);
}

/** SQLite's error code and message, e.g. "SQLITE_FULL: database or disk is full". */
export function describeSqliteError(err: unknown): string {
  const e = err as { code?: string; message?: string };
  const message = e.message ?? String(err);
  return e.code && !message.includes(e.code) ? `${e.code}: ${message}` : message;
}
