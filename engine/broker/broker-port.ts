import type { Observable } from 'rxjs';
import type { AccountInfo, Deal, Position, SymbolInfo, TradeRequest, TradeResult } from '../model/mt5.ts';

/** A value now (simulated broker) or later (a real terminal). */
export type MaybePromise<T> = T | Promise<T>;

/**
 * The broker port, shaped like MetaTrader 5's trade API so that strategies, the governor and
 * the symbol actors never know which broker they face. SimBroker answers synchronously (the
 * backtest hot path stays synchronous); the MT5 bridge and MetaApi adapters answer with promises.
 *
 * Every deal (entries, closes, SL/TP hits, positions closed on the terminal by hand) is
 * published on `deals$`; symbol actors learn about exits only from there, on every broker.
 */
export interface BrokerPort {
  /** `sim`, `mt5-bridge`, `metaapi`. */
  readonly name: string;
  isConnected(): boolean;
  /** Emits on every connection change. */
  readonly connection$: Observable<boolean>;
  readonly deals$: Observable<Deal>;
  accountInfo(): MaybePromise<AccountInfo>;
  symbolInfo(symbol: string): MaybePromise<SymbolInfo | null>;
  orderSend(request: TradeRequest): MaybePromise<TradeResult>;
  positionsGet(symbol?: string): MaybePromise<Position[]>;
  historyDealsGet(fromMs: number, toMs: number): MaybePromise<Deal[]>;
  /** Releases sockets and timers. */
  close(): MaybePromise<void>;
}

export function isPromise<T>(value: MaybePromise<T>): value is Promise<T> {
  return typeof (value as { then?: unknown })?.then === 'function';
}
