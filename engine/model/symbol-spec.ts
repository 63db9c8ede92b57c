/**
 * An MT5 symbol specification, the fields MT5's `symbol_info` reports that sizing, pricing and
 * order validation need. Prices are in the quote (profit) currency.
 */
export interface SymbolSpec {
  readonly name: string;
  readonly description: string;
  /** Base currency (MT5 `currency_base`), e.g. USD for USDCHF, XAU for XAUUSD. */
  readonly baseCurrency: string;
  /** Profit currency (MT5 `currency_profit`), the quote currency. */
  readonly profitCurrency: string;
  readonly digits: number;
  readonly point: number;
  readonly contractSize: number;
  readonly tickSize: number;
  /** Value of one tick for one lot in the profit currency (tickSize × contractSize). */
  readonly tickValueProfit: number;
  readonly volumeMin: number;
  readonly volumeStep: number;
  readonly volumeMax: number;
  /** Minimum distance of SL/TP from the price, in points (MT5 `trade_stops_level`). */
  readonly stopsLevel: number;
  /** Default spread in points used by the simulated broker. */
  readonly spreadPoints: number;
  /** Allowed filling modes, MT5 `filling_mode` flags (1 = FOK, 2 = IOC). */
  readonly fillingMode: number;
}

const fx = (name: string, base: string, profit: string, digits: number, spreadPoints: number, description: string): SymbolSpec => {
  const point = 1 / 10 ** digits;
  return {
    name, description, baseCurrency: base, profitCurrency: profit, digits, point,
    contractSize: 100_000, tickSize: point, tickValueProfit: 100_000 * point,
    volumeMin: 0.01, volumeStep: 0.01, volumeMax: 100, stopsLevel: 0, spreadPoints, fillingMode: 3,
  };
};

const gold = (name: string, digits: number, spreadPoints: number): SymbolSpec => {
  const point = 1 / 10 ** digits;
  return {
    name, description: 'Gold vs US Dollar', baseCurrency: 'XAU', profitCurrency: 'USD', digits, point,
    contractSize: 100, tickSize: point, tickValueProfit: 100 * point,
    volumeMin: 0.01, volumeStep: 0.01, volumeMax: 200, stopsLevel: 0, spreadPoints, fillingMode: 3,
  };
};

/**
 * Built-in specs. The `m` suffix is the micro-account naming many MT5 brokers use (same
 * contract, different symbol name). Override any field through config (`symbols.<NAME>`).
 */
export const BUILTIN_SYMBOL_SPECS: Readonly<Record<string, SymbolSpec>> = {
  USDCHF: fx('USDCHF', 'USD', 'CHF', 5, 20, 'US Dollar vs Swiss Franc'),
  USDCHFm: fx('USDCHFm', 'USD', 'CHF', 5, 20, 'US Dollar vs Swiss Franc'),
  EURUSD: fx('EURUSD', 'EUR', 'USD', 5, 12, 'Euro vs US Dollar'),
  EURUSDm: fx('EURUSDm', 'EUR', 'USD', 5, 12, 'Euro vs US Dollar'),
  GBPUSD: fx('GBPUSD', 'GBP', 'USD', 5, 15, 'Great Britain Pound vs US Dollar'),
  GBPUSDm: fx('GBPUSDm', 'GBP', 'USD', 5, 15, 'Great Britain Pound vs US Dollar'),
  USDJPY: fx('USDJPY', 'USD', 'JPY', 3, 12, 'US Dollar vs Japanese Yen'),
  XAUUSD: gold('XAUUSD', 2, 30),
  XAUUSDm: gold('XAUUSDm', 3, 300),
};

/** Finds a spec by name, applying config overrides. Throws a clear error for an unknown symbol. */
export function resolveSymbolSpec(name: string, overrides: Partial<Record<string, Partial<SymbolSpec>>> = {}): SymbolSpec {
  const base = BUILTIN_SYMBOL_SPECS[name];
  const override = overrides[name];
  if (!base && !override) {
    throw new Error(`unknown symbol "${name}": no built-in spec (known: ${Object.keys(BUILTIN_SYMBOL_SPECS).join(', ')}); add one under "symbols.${name}" in the config`);
  }
  const merged = symbolSpec({ ...(base ?? {}), ...(override ?? {}), name } as SymbolSpec);
  for (const key of ['digits', 'point', 'contractSize', 'tickSize', 'tickValueProfit', 'volumeMin', 'volumeStep', 'volumeMax'] as const) {
    if (typeof merged[key] !== 'number' || !Number.isFinite(merged[key]) || merged[key] < 0) {
      throw new Error(`symbol spec "${name}": field "${key}" must be a non-negative number, got ${JSON.stringify(merged[key])}`);
    }
  }
  return merged;
}

/**
 * A spec with its fields in one fixed order, built by one literal: every spec then shares one
 * hidden class. (A spread's result can change hidden class from one call to the next, and the
 * per-bar code that reads specs was deoptimised each time it did.)
 */
function symbolSpec(s: SymbolSpec): SymbolSpec {
  return {
    name: s.name, description: s.description, baseCurrency: s.baseCurrency, profitCurrency: s.profitCurrency,
    digits: s.digits, point: s.point, contractSize: s.contractSize, tickSize: s.tickSize, tickValueProfit: s.tickValueProfit,
    volumeMin: s.volumeMin, volumeStep: s.volumeStep, volumeMax: s.volumeMax, stopsLevel: s.stopsLevel,
    spreadPoints: s.spreadPoints, fillingMode: s.fillingMode,
  };
}

/**
 * Converts an amount in the symbol's profit currency to the account currency at `price`
 * (the symbol's own rate). Supports the cases a single symbol can price by itself: profit
 * currency is the account currency, or the base currency is (USDCHF for a USD account).
 */
export function profitToAccount(spec: SymbolSpec, amount: number, price: number, accountCurrency: string): number {
  if (spec.profitCurrency === accountCurrency) return amount;
  if (spec.baseCurrency === accountCurrency) return amount / price;
  throw new Error(`cannot convert ${spec.profitCurrency} profit of ${spec.name} to ${accountCurrency} without a cross rate`);
}

/** Rounds a price to the symbol's digits (MT5 rejects unnormalised prices). */
export function normalizePrice(spec: SymbolSpec, price: number): number {
  const f = POW10[spec.digits] ?? 10 ** spec.digits;
  return Math.round(price * f) / f;
}

const POW10 = [1, 10, 100, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10];
