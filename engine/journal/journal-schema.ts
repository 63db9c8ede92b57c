/**
 * The journal's tables. Orders and trades are kept apart: an order is what was sent (with the
 * broker's answer), a trade is the round trip from entry to exit. `positions` holds only what
 * is open now (its `lot_size` what is left after partial closes, whose exit deals `partial_exits`
 * keeps); `weekly_counters` the governor's count per trading week; `recent_events` the
 * last events as broadcast, so that a client can `resume` across a server restart.
 */
export const JOURNAL_SCHEMA = `
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS sessions (
  session_id TEXT PRIMARY KEY, kind TEXT NOT NULL, started_at TEXT NOT NULL,
  first_seq INTEGER NOT NULL, last_seq INTEGER NOT NULL, config TEXT
);
CREATE TABLE IF NOT EXISTS orders (
  seq INTEGER PRIMARY KEY, session_id TEXT NOT NULL, symbol TEXT NOT NULL, side TEXT NOT NULL,
  intent TEXT NOT NULL, volume REAL NOT NULL, price REAL NOT NULL, retcode INTEGER,
  deal INTEGER, order_id INTEGER, position_id INTEGER, time TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS trades (
  position_id INTEGER NOT NULL, session_id TEXT NOT NULL, symbol TEXT NOT NULL, direction TEXT NOT NULL,
  lot_size REAL NOT NULL, entry_price REAL NOT NULL, stop_loss REAL NOT NULL, take_profit REAL NOT NULL,
  entry_time INTEGER NOT NULL, entry_seq INTEGER NOT NULL, exit_price REAL, exit_reason TEXT, pnl REAL,
  balance_after REAL, exit_time INTEGER, exit_seq INTEGER,
  PRIMARY KEY (session_id, position_id)
);
CREATE TABLE IF NOT EXISTS positions (
  symbol TEXT NOT NULL, position_id INTEGER NOT NULL, session_id TEXT NOT NULL, direction TEXT NOT NULL,
  lot_size REAL NOT NULL, entry_price REAL NOT NULL, stop_loss REAL NOT NULL, take_profit REAL NOT NULL,
  entry_time INTEGER NOT NULL, PRIMARY KEY (session_id, position_id)
);
CREATE TABLE IF NOT EXISTS partial_exits (
  deal INTEGER PRIMARY KEY, position_id INTEGER NOT NULL, symbol TEXT NOT NULL, volume REAL NOT NULL, price REAL NOT NULL,
  profit REAL NOT NULL, commission REAL NOT NULL, swap REAL NOT NULL, time INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS weekly_counters (week_start INTEGER PRIMARY KEY, trades INTEGER NOT NULL, last_trade_time INTEGER);
CREATE TABLE IF NOT EXISTS recent_events (seq INTEGER PRIMARY KEY, sheddable INTEGER NOT NULL, json TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS feed_cursor (symbol TEXT PRIMARY KEY, bar_time INTEGER NOT NULL);
`;
