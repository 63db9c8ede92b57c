import { ORDER_FILLING_FOK, ORDER_FILLING_IOC, ORDER_FILLING_RETURN, type SymbolInfo, type TradeRequest } from '../../model/mt5.ts';

/** MT5's `ENUM_SYMBOL_TRADE_EXECUTION` (`SYMBOL_TRADE_EXEMODE`). */
export const SYMBOL_TRADE_EXECUTION = { REQUEST: 0, INSTANT: 1, MARKET: 2, EXCHANGE: 3 } as const;
/** Bits of `SYMBOL_FILLING_MODE`. */
const SYMBOL_FILLING_FOK = 1;
const SYMBOL_FILLING_IOC = 2;

/** What the bridge knows of a symbol's trading rules; `trade_exemode` comes from EAs of protocol 1.1 on. */
export type BridgeSymbolRules = Pick<SymbolInfo, 'digits' | 'trade_tick_size' | 'volume_step' | 'filling_mode'> & { trade_exemode?: number };

/**
 * The filling policy a trade server accepts for a market deal, the same rule as the EA's
 * `FillingFor` and CTrade's `FillingCheck`: request and instant execution take Fill-or-Kill
 * only; market execution takes the wanted policy if its bit is set in `SYMBOL_FILLING_MODE`, else
 * FOK, else IOC, else Return; exchange execution always takes Return.
 */
export function fillingFor(rules: Pick<BridgeSymbolRules, 'filling_mode' | 'trade_exemode'>, wanted: number): number {
  const exe = rules.trade_exemode ?? SYMBOL_TRADE_EXECUTION.MARKET;
  if (exe === SYMBOL_TRADE_EXECUTION.REQUEST || exe === SYMBOL_TRADE_EXECUTION.INSTANT) return ORDER_FILLING_FOK;
  const modes = rules.filling_mode;
  const allowed = (f: number) => (f === ORDER_FILLING_FOK ? (modes & SYMBOL_FILLING_FOK) !== 0 : f === ORDER_FILLING_IOC ? (modes & SYMBOL_FILLING_IOC) !== 0 : exe === SYMBOL_TRADE_EXECUTION.EXCHANGE);
  if (allowed(wanted)) return wanted;
  if (exe === SYMBOL_TRADE_EXECUTION.EXCHANGE) return ORDER_FILLING_RETURN;
  if (modes & SYMBOL_FILLING_FOK) return ORDER_FILLING_FOK;
  if (modes & SYMBOL_FILLING_IOC) return ORDER_FILLING_IOC;
  return ORDER_FILLING_RETURN;
}

/** A price on the symbol's tick grid and digits (0 stays 0: "no price" / "no stop"). */
export function normalisePrice(price: number, rules: Pick<BridgeSymbolRules, 'digits' | 'trade_tick_size'>): number {
  if (!price) return 0;
  const tick = rules.trade_tick_size > 0 ? rules.trade_tick_size : 10 ** -rules.digits;
  return Number((Math.round(price / tick) * tick).toFixed(rules.digits));
}

/**
 * A volume with float noise removed (`0.30000000000000004` -> `0.3`). A volume that is really off
 * the step (0.125 with step 0.01) is left alone for the server to refuse with 10014: the order's
 * size is the caller's decision, never rounded away silently.
 */
export function normaliseVolume(volume: number, rules: Pick<BridgeSymbolRules, 'volume_step'>): number {
  const step = rules.volume_step;
  if (!(step > 0)) return volume;
  const steps = volume / step;
  const whole = Math.round(steps);
  if (Math.abs(steps - whole) > 1e-6) return volume;
  const decimals = Math.max(0, Math.ceil(-Math.log10(step) - 1e-9));
  return Number((whole * step).toFixed(decimals + 2));
}

/** The request as a trade server accepts it: prices, stops and volume normalised, filling allowed. */
export function normaliseRequest<R extends Pick<TradeRequest, 'price' | 'sl' | 'tp' | 'volume' | 'type_filling'>>(request: R, rules: BridgeSymbolRules): R {
  return {
    ...request,
    price: normalisePrice(request.price, rules), sl: normalisePrice(request.sl, rules), tp: normalisePrice(request.tp, rules),
    volume: normaliseVolume(request.volume, rules), type_filling: fillingFor(rules, request.type_filling),
  };
}
