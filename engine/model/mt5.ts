/**
 * MetaTrader 5 trade API constants and structures, spelled as in MT5's Python package
 * (`mt5.order_send`, `mt5.positions_get`, ...), so that every broker adapter speaks one shape.
 */

export const TRADE_ACTION_DEAL = 1;
export const TRADE_ACTION_PENDING = 5;
export const TRADE_ACTION_SLTP = 6;
export const TRADE_ACTION_MODIFY = 7;
export const TRADE_ACTION_REMOVE = 8;
export const TRADE_ACTION_CLOSE_BY = 10;

export const ORDER_TYPE_BUY = 0;
export const ORDER_TYPE_SELL = 1;

export const ORDER_FILLING_FOK = 0;
export const ORDER_FILLING_IOC = 1;
export const ORDER_FILLING_RETURN = 2;

export const ORDER_TIME_GTC = 0;

export const POSITION_TYPE_BUY = 0;
export const POSITION_TYPE_SELL = 1;

export const DEAL_TYPE_BUY = 0;
export const DEAL_TYPE_SELL = 1;
export const DEAL_ENTRY_IN = 0;
export const DEAL_ENTRY_OUT = 1;

/** Why a deal happened (MT5 `DEAL_REASON_*`). */
export const DEAL_REASON_CLIENT = 0;
export const DEAL_REASON_EXPERT = 3;
export const DEAL_REASON_SL = 4;
export const DEAL_REASON_TP = 5;
export const DEAL_REASON_SO = 6;

/** MT5 trade server return codes used by the engine. */
export const TRADE_RETCODE = {
  REQUOTE: 10004,
  REJECT: 10006,
  CANCEL: 10007,
  PLACED: 10008,
  DONE: 10009,
  DONE_PARTIAL: 10010,
  ERROR: 10011,
  TIMEOUT: 10012,
  INVALID: 10013,
  INVALID_VOLUME: 10014,
  INVALID_PRICE: 10015,
  INVALID_STOPS: 10016,
  TRADE_DISABLED: 10017,
  MARKET_CLOSED: 10018,
  NO_MONEY: 10019,
  PRICE_CHANGED: 10020,
  PRICE_OFF: 10021,
  TOO_MANY_REQUESTS: 10024,
  CONNECTION: 10031,
  LIMIT_VOLUME: 10034,
  INVALID_FILL: 10030,
  POSITION_CLOSED: 10036,
} as const;

/** Human text for a retcode, as MT5's documentation words it. */
export function retcodeText(retcode: number): string {
  switch (retcode) {
    case 10004: return 'Requote';
    case 10006: return 'Request rejected';
    case 10007: return 'Request canceled by trader';
    case 10008: return 'Order placed';
    case 10009: return 'Request completed';
    case 10010: return 'Only part of the request was completed';
    case 10011: return 'Request processing error';
    case 10012: return 'Request canceled by timeout';
    case 10013: return 'Invalid request';
    case 10014: return 'Invalid volume in the request';
    case 10015: return 'Invalid price in the request';
    case 10016: return 'Invalid stops in the request';
    case 10017: return 'Trade is disabled';
    case 10018: return 'Market is closed';
    case 10019: return 'There is not enough money to complete the request';
    case 10020: return 'Prices changed';
    case 10021: return 'There are no quotes to process the request';
    case 10024: return 'Too frequent requests';
    case 10030: return 'Invalid order filling type';
    case 10031: return 'No connection with the trade server';
    case 10034: return 'The volume of orders and positions for the symbol has reached the limit';
    case 10036: return 'Position with the specified identifier has already been closed';
    default: return `Retcode ${retcode}`;
  }
}

/** MT5 `MqlTradeRequest`. */
export interface TradeRequest {
  action: number;
  symbol: string;
  volume: number;
  type: number;
  price: number;
  sl: number;
  tp: number;
  deviation: number;
  magic: number;
  comment: string;
  type_filling: number;
  type_time: number;
  /** Ticket of the position to close or modify (0 for a new position). */
  position: number;
}

/** MT5 `MqlTradeResult` / `OrderSendResult`. */
export interface TradeResult {
  retcode: number;
  deal: number;
  order: number;
  volume: number;
  price: number;
  bid: number;
  ask: number;
  comment: string;
  request_id: number;
  retcode_external: number;
}

/** MT5 `TradePosition`. Times are epoch milliseconds. */
export interface Position {
  ticket: number;
  time: number;
  type: number;
  magic: number;
  identifier: number;
  volume: number;
  price_open: number;
  sl: number;
  tp: number;
  price_current: number;
  swap: number;
  profit: number;
  symbol: string;
  comment: string;
}

/** MT5 `TradeDeal`. `profit` is in the account currency. */
export interface Deal {
  ticket: number;
  order: number;
  time: number;
  type: number;
  entry: number;
  magic: number;
  position_id: number;
  reason: number;
  volume: number;
  price: number;
  commission: number;
  swap: number;
  profit: number;
  symbol: string;
  comment: string;
}

/** MT5 `AccountInfo` (the fields the engine uses). */
export interface AccountInfo {
  login: number;
  currency: string;
  balance: number;
  equity: number;
  margin: number;
  margin_free: number;
  /** equity / margin × 100 (0 without positions). */
  margin_level?: number;
  /** Margin level (%) at which the account is in margin call (MT5 `ACCOUNT_MARGIN_SO_CALL`). */
  margin_so_call?: number;
  /** Margin level (%) at which positions are closed, largest loss first (MT5 `ACCOUNT_MARGIN_SO_SO`). */
  margin_so_so?: number;
  leverage: number;
  server: string;
  trade_allowed: boolean;
}

/** MT5 `SymbolInfo` (the fields the engine uses). */
export interface SymbolInfo {
  name: string;
  digits: number;
  point: number;
  trade_tick_size: number;
  trade_tick_value: number;
  trade_contract_size: number;
  volume_min: number;
  volume_step: number;
  volume_max: number;
  trade_stops_level: number;
  filling_mode: number;
  currency_base: string;
  currency_profit: string;
  bid: number;
  ask: number;
  spread: number;
}

/** A request for a market order with sensible MT5 defaults. */
export function marketOrder(fields: Pick<TradeRequest, 'symbol' | 'volume' | 'type'> & Partial<TradeRequest>): TradeRequest {
  // Written out field by field (no spread): this runs for every order of a backtest.
  return {
    action: fields.action ?? TRADE_ACTION_DEAL,
    symbol: fields.symbol,
    volume: fields.volume,
    type: fields.type,
    price: fields.price ?? 0,
    sl: fields.sl ?? 0,
    tp: fields.tp ?? 0,
    deviation: fields.deviation ?? 10,
    magic: fields.magic ?? 0,
    comment: fields.comment ?? '',
    type_filling: fields.type_filling ?? ORDER_FILLING_IOC,
    type_time: fields.type_time ?? ORDER_TIME_GTC,
    position: fields.position ?? 0,
  };
}
