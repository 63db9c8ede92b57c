import * as t from 'io-ts';
import { decodeWith } from '../../../protocol/decode.ts';

/**
 * The MT5 bridge wire protocol, version 1: newline-delimited JSON over TCP, the EA being the
 * client (MQL5 sockets cannot listen). PROTOCOL.md next to this file documents every message.
 * Messages from the EA are decoded here, at the edge; messages to the EA are flat objects of
 * strings and numbers so that the EA's hand-written JSON reader stays small.
 */
export const BRIDGE_PROTOCOL_VERSION = 1;

const num = t.number;
const str = t.string;
const optionalId = t.partial({ id: str });

export const DealCodec = t.type({
  ticket: num, order: num, time: num, type: num, entry: num, magic: num, position_id: num, reason: num,
  volume: num, price: num, commission: num, swap: num, profit: num, symbol: str, comment: str,
});
export const PositionCodec = t.type({
  ticket: num, time: num, type: num, magic: num, identifier: num, volume: num, price_open: num, sl: num, tp: num,
  price_current: num, swap: num, profit: num, symbol: str, comment: str,
});
export const TradeResultCodec = t.type({
  retcode: num, deal: num, order: num, volume: num, price: num, bid: num, ask: num, comment: str,
  request_id: num, retcode_external: num,
});
export const AccountInfoCodec = t.type({
  login: num, currency: str, balance: num, equity: num, margin: num, margin_free: num, leverage: num,
  server: str, trade_allowed: t.boolean,
});
export const SymbolInfoCodec = t.intersection([t.type({
  name: str, digits: num, point: num, trade_tick_size: num, trade_tick_value: num, trade_contract_size: num,
  volume_min: num, volume_step: num, volume_max: num, trade_stops_level: num, filling_mode: num,
  currency_base: str, currency_profit: str, bid: num, ask: num, spread: num,
}), t.partial({ trade_exemode: num })]);
export const BarCodec = t.type({ time: num, open: num, high: num, low: num, close: num, volume: num });

/** Every message the EA may send, by `type`. */
export const EA_MESSAGE_CODECS = {
  hello: t.intersection([t.type({ type: t.literal('hello'), v: num, ea: str }), t.partial({ login: num, server: str, build: num, symbols: t.array(str), timeframe: str, server_offset_s: num })]),
  auth: t.type({ type: t.literal('auth'), digest: str }),
  // server_offset_s (EA 1.20): the trade server's clock minus UTC, in seconds; absent from older EAs.
  heartbeat: t.intersection([t.type({ type: t.literal('heartbeat'), t: num }), t.partial({ server_offset_s: num })]),
  tick: t.type({ type: t.literal('tick'), symbol: str, time: num, bid: num, ask: num, last: num, volume: num }),
  bar: t.type({ type: t.literal('bar'), symbol: str, timeframe: str, time: num, open: num, high: num, low: num, close: num, volume: num }),
  symbol: t.intersection([t.type({ type: t.literal('symbol'), name: str, symbol: t.union([SymbolInfoCodec, t.null]) }), optionalId]),
  account: t.intersection([t.type({ type: t.literal('account'), account: AccountInfoCodec }), optionalId]),
  positions: t.intersection([t.type({ type: t.literal('positions'), positions: t.array(PositionCodec) }), optionalId]),
  deals: t.intersection([t.type({ type: t.literal('deals'), deals: t.array(DealCodec) }), t.partial({ id: str, total: num })]),
  bars: t.type({ type: t.literal('bars'), id: str, symbol: str, timeframe: str, bars: t.array(BarCodec) }),
  deal: t.type({ type: t.literal('deal'), deal: DealCodec }),
  order_result: t.type({ type: t.literal('order_result'), id: str, client_id: str, result: TradeResultCodec }),
  found: t.intersection([t.type({ type: t.literal('found'), id: str, client_id: str, deals: t.array(DealCodec), positions: t.array(PositionCodec) }), t.partial({ by: str })]),
  error: t.intersection([t.type({ type: t.literal('error'), message: str }), optionalId]),
} as const;

type Codecs = typeof EA_MESSAGE_CODECS;
export type EaMessageType = keyof Codecs;
export type EaMessage = { [K in EaMessageType]: t.TypeOf<Codecs[K]> }[EaMessageType];
export type EaMessageOf<K extends EaMessageType> = t.TypeOf<Codecs[K]>;

/** Messages the engine sends: flat, strings and numbers only. */
export type EngineMessage =
  | { type: 'challenge'; v: number; nonce: string }
  | { type: 'welcome'; v: number; session: string; heartbeat_ms: number }
  | { type: 'reject'; reason: string }
  | { type: 'heartbeat'; t: number }
  | ({ type: 'order'; id: string; client_id: string } & FlatTradeRequest)
  | { type: 'symbol_get'; id: string; symbol: string }
  | { type: 'account_get'; id: string }
  | { type: 'positions_get'; id: string; symbol: string }
  | { type: 'deals_get'; id: string; from: number; to: number; offset: number; limit: number }
  | { type: 'history'; id: string; symbol: string; timeframe: string; from: number; to: number; limit: number }
  | ({ type: 'lookup'; id: string; client_id: string; from: number } & LookupFallback);

/** What identifies an order when the broker rewrote its comment: the EA matches on these too. */
export interface LookupFallback {
  symbol: string; magic: number; volume: number; order_type: number; position: number;
}

export interface FlatTradeRequest {
  action: number; symbol: string; volume: number; order_type: number; price: number; sl: number; tp: number;
  deviation: number; magic: number; comment: string; type_filling: number; type_time: number; position: number;
}

/** The outcome of decoding one line: a message, or an error naming the line and the field. */
export type DecodedLine = { ok: true; message: EaMessage } | { ok: false; error: string };

/** Parses and validates one line from the EA. Never throws. */
export function decodeEaLine(text: string, lineNumber: number): DecodedLine {
  const where = `EA line ${lineNumber}`;
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    return { ok: false, error: `${where}: malformed JSON (${(err as Error).message}): ${text.slice(0, 120)}` };
  }
  const type = (json as { type?: unknown } | null)?.type;
  if (typeof type !== 'string') return { ok: false, error: `${where}: missing "type" field (a string)` };
  const codec = (EA_MESSAGE_CODECS as Record<string, t.Mixed>)[type];
  if (!codec) return { ok: false, error: `${where}: unknown message type "${type.slice(0, 40)}" (known: ${Object.keys(EA_MESSAGE_CODECS).join(', ')})` };
  const decoded = decodeWith(codec, json, `"${type}" message`);
  if (!decoded.ok) return { ok: false, error: `${where}: ${decoded.error}: ${decoded.details.join('; ')}` };
  return { ok: true, message: decoded.value as EaMessage };
}

/** Encodes one message as a line. */
export function encodeLine(message: EngineMessage | EaMessage): string {
  return `${JSON.stringify(message)}\n`;
}
