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
  /**
   * How the overnight swap is charged, MT5 `SYMBOL_SWAP_MODE` (see `SWAP_MODE`): 0 disabled,
   * 1 points, 2 base currency, 3 margin currency, 4 deposit currency, 5 annual interest on the
   * current price, 6 annual interest on the open price.
   */
  readonly swapMode: number;
  /** Swap of one lot held long over a rollover, in `swapMode`'s unit (MT5 `SYMBOL_SWAP_LONG`). */
  readonly swapLong: number;
  /** Swap of one lot held short (MT5 `SYMBOL_SWAP_SHORT`). */
  readonly swapShort: number;
  /** Weekday (0 Sunday .. 6 Saturday) whose rollover charges three days (MT5 `SYMBOL_SWAP_ROLLOVER3DAYS`). */
  readonly swapRollover3Days: number;
}

/** MT5 `ENUM_SYMBOL_SWAP_MODE` values the simulator charges. */
export const SWAP_MODE = {
  DISABLED: 0, POINTS: 1, CURRENCY_SYMBOL: 2, CURRENCY_MARGIN: 3, CURRENCY_DEPOSIT: 4, INTEREST_CURRENT: 5, INTEREST_OPEN: 6,
} as const;

/**
 * Swaps are examples in points per lot per night (long, short), of the size MT5 brokers quote;
 * a real account's values differ by broker and by day: set yours in config (`symbolSpecs`).
 */
const fx = (name: string, base: string, profit: string, digits: number, spreadPoints: number, description: string,
  swapLong: number, swapShort: number): SymbolSpec => {
  const point = 1 / 10 ** digits;
  return {
    name, description, baseCurrency: base, profitCurrency: profit, digits, point,
    contractSize: 100_000, tickSize: point, tickValueProfit: 100_000 * point,
    volumeMin: 0.01, volumeStep: 0.01, volumeMax: 100, stopsLevel: 0, spreadPoints, fillingMode: 3,
    swapMode: SWAP_MODE.POINTS, swapLong, swapShort, swapRollover3Days: 3,
  };
};

const gold = (name: string, digits: number, spreadPoints: number): SymbolSpec => {
  const point = 1 / 10 ** digits;
  return {
    name, description: 'Gold vs US Dollar', baseCurrency: 'XAU', profitCurrency: 'USD', digits, point,
    contractSize: 100, tickSize: point, tickValueProfit: 100 * point,
    volumeMin: 0.01, volumeStep: 0.01, volumeMax: 200, stopsLevel: 0, spreadPoints, fillingMode: 3,
    swapMode: SWAP_MODE.POINTS, swapLong: -55 * 10 ** (digits - 2), swapShort: 25 * 10 ** (digits - 2), swapRollover3Days: 3,
  };
};

/**
 * Built-in specs. The `m` suffix is the micro-account naming many MT5 brokers use (same
 * contract, different symbol name). Override any field through config (`symbols.<NAME>`).
 */
export const BUILTIN_SYMBOL_SPECS: Readonly<Record<string, SymbolSpec>> = {
  USDCHF: fx('USDCHF', 'USD', 'CHF', 5, 20, 'US Dollar vs Swiss Franc', 2.5, -7.5),
  USDCHFm: fx('USDCHFm', 'USD', 'CHF', 5, 20, 'US Dollar vs Swiss Franc', 2.5, -7.5),
  EURUSD: fx('EURUSD', 'EUR', 'USD', 5, 12, 'Euro vs US Dollar', -7, 2),
  EURUSDm: fx('EURUSDm', 'EUR', 'USD', 5, 12, 'Euro vs US Dollar', -7, 2),
  GBPUSD: fx('GBPUSD', 'GBP', 'USD', 5, 15, 'Great Britain Pound vs US Dollar', -4, -1.5),
  GBPUSDm: fx('GBPUSDm', 'GBP', 'USD', 5, 15, 'Great Britain Pound vs US Dollar', -4, -1.5),
  USDJPY: fx('USDJPY', 'USD', 'JPY', 3, 12, 'US Dollar vs Japanese Yen', 12, -25),
  XAUUSD: gold('XAUUSD', 2, 30),
  XAUUSDm: gold('XAUUSDm', 3, 300),
};

/** Finds a spec by name, applying config overrides. Throws a clear error for an unknown symbol. */
export function resolveSymbolSpec(name: string, overrides: Partial<Record<string, Partial<SymbolSpec>>> = {}): SymbolSpec {
  const base = BUILTIN_SYMBOL_SPECS[name];
  const override = overrides[name];
  if (!base && !override) {
    throw new Error(`unknown symbol "${name}": no built-in spec (known: ${Object.keys(BUILTIN_SYMBOL_SPECS).join(', ')}); declare it under "bot.symbolSpecs.${name}" in the config, or with --spec FIELD=VALUE on the command line of npm run backtest or npm run optimize (digits, contractSize, baseCurrency and profitCurrency at least)`);
  }
  for (const key of Object.keys(override ?? {})) {
    if (!SPEC_FIELDS.has(key)) throw new Error(`symbol spec "${name}": unknown field "${key}" (known: ${[...SPEC_FIELDS].join(', ')})`);
  }
  return symbolSpec({ ...(base ? derivedFromOverride(base, override ?? {}) : NEW_SYMBOL_DEFAULTS), ...(override ?? {}), name } as SymbolSpec, `symbol spec "${name}"`);
}

/**
 * A built-in spec without the derived fields an override changes the source of: new digits
 * give a new point, a new point a new tick size, a new tick size or contract size a new tick
 * value (each unless the override gives it too), as for a symbol declared from scratch.
 * (`--spec tickSize=0.00005` on EURUSD had kept the built-in tick value of 1 USD, so orders
 * were sized for a fifth of the loss they booked.)
 */
function derivedFromOverride(base: SymbolSpec, override: Partial<SymbolSpec>): Partial<SymbolSpec> {
  const out: Partial<Record<keyof SymbolSpec, unknown>> = { ...base };
  const given = (key: keyof SymbolSpec) => override[key] !== undefined;
  const pointMoves = given('digits') && !given('point');
  if (pointMoves) delete out.point;
  const tickMoves = (pointMoves || given('point')) && !given('tickSize');
  if (tickMoves) delete out.tickSize;
  if ((tickMoves || given('tickSize') || given('contractSize')) && !given('tickValueProfit')) delete out.tickValueProfit;
  return out as Partial<SymbolSpec>;
}

/**
 * What a symbol declared from scratch (a stock, an index, a crypto CFD) takes for the fields it
 * leaves out. Digits, contract size and currencies have no sensible default and must be given;
 * point, tick size and tick value follow from them when left out.
 */
const NEW_SYMBOL_DEFAULTS: Partial<SymbolSpec> = {
  description: '', volumeMin: 0.01, volumeStep: 0.01, volumeMax: 100, stopsLevel: 0, spreadPoints: 0, fillingMode: 3,
  swapMode: SWAP_MODE.DISABLED, swapLong: 0, swapShort: 0, swapRollover3Days: 3,
};

/**
 * A spec with its fields in one fixed order, built by one literal: every spec then shares one
 * hidden class. (A spread's result can change hidden class from one call to the next, and the
 * per-bar code that reads specs was deoptimised each time it did.)
 */
export function symbolSpec(s: SymbolSpec, where = `symbol spec "${s.name}"`): SymbolSpec {
  const wanted = (key: string) => new Error(`${where}: field "${key}" is required for a symbol without a built-in spec`);
  if (typeof s.digits !== 'number') throw wanted('digits');
  if (typeof s.contractSize !== 'number') throw wanted('contractSize');
  if (typeof s.baseCurrency !== 'string' || !s.baseCurrency) throw wanted('baseCurrency');
  if (typeof s.profitCurrency !== 'string' || !s.profitCurrency) throw wanted('profitCurrency');
  const point = s.point ?? 1 / 10 ** s.digits;
  const tickSize = s.tickSize ?? point;
  const spec: SymbolSpec = {
    name: s.name, description: s.description ?? '', baseCurrency: s.baseCurrency, profitCurrency: s.profitCurrency,
    digits: s.digits, point, contractSize: s.contractSize, tickSize, tickValueProfit: s.tickValueProfit ?? tickSize * s.contractSize,
    volumeMin: s.volumeMin, volumeStep: s.volumeStep, volumeMax: s.volumeMax, stopsLevel: s.stopsLevel,
    spreadPoints: s.spreadPoints, fillingMode: s.fillingMode,
    swapMode: s.swapMode, swapLong: s.swapLong, swapShort: s.swapShort, swapRollover3Days: s.swapRollover3Days,
  };
  for (const key of NUMBER_FIELDS) {
    const v = spec[key];
    if (typeof v !== 'number' || !Number.isFinite(v) || (v < 0 && key !== 'swapLong' && key !== 'swapShort')) {
      throw new Error(`${where}: field "${key}" must be a ${key.startsWith('swapL') || key.startsWith('swapS') ? 'finite' : 'non-negative'} number, got ${JSON.stringify(v)}`);
    }
  }
  for (const key of ['point', 'contractSize', 'tickSize', 'tickValueProfit', 'volumeMin', 'volumeStep', 'volumeMax'] as const) {
    if (!(spec[key] > 0)) throw new Error(`${where}: field "${key}" must be greater than 0, got ${spec[key]}`);
  }
  // Sizing rounds down to the step and clamps into [volumeMin, volumeMax]; the simulator accepts
  // only whole steps within the limits. Limits off the step grid, or crossed, would make sizing
  // send volumes the simulator refuses (10014) on every order: refused here, before any run.
  if (spec.volumeMin > spec.volumeMax) {
    throw new Error(`${where}: field "volumeMin" (${spec.volumeMin}) is above "volumeMax" (${spec.volumeMax}): no volume could be traded; make volumeMin at most volumeMax`);
  }
  for (const key of ['volumeMin', 'volumeMax'] as const) {
    const steps = spec[key] / spec.volumeStep;
    if (Math.abs(steps - Math.round(steps)) >= 1e-7) {
      throw new Error(`${where}: field "${key}" (${spec[key]}) is not a whole number of "volumeStep" (${spec.volumeStep}) steps: `
        + 'volumes are sized in whole steps clamped to the limits, so orders at that limit would be refused (10014); give limits on the step grid');
    }
  }
  // The simulator books a deal's profit as the price move x contract size x lots (MT5's Forex
  // and CFD calculation); a tick value that says otherwise would size orders for another loss.
  const tickValue = spec.tickSize * spec.contractSize;
  if (Math.abs(spec.tickValueProfit - tickValue) > 1e-9 * tickValue) {
    throw new Error(`${where}: field "tickValueProfit" (${spec.tickValueProfit}) disagrees with tickSize x contractSize (${spec.tickSize} x ${spec.contractSize} = ${tickValue}): `
      + 'profit is booked as the price move x contractSize x lots, so orders would be sized for another loss than the one booked; leave tickValueProfit out (it is derived) or make the three agree');
  }
  if (!Number.isInteger(spec.digits) || spec.digits > 10) throw new Error(`${where}: field "digits" must be a whole number 0..10, got ${spec.digits}`);
  if (!Object.values(SWAP_MODE).includes(spec.swapMode as never)) {
    throw new Error(`${where}: field "swapMode" must be one of ${Object.entries(SWAP_MODE).map(([k, v]) => `${v} (${k})`).join(', ')}, got ${spec.swapMode}`);
  }
  if (!Number.isInteger(spec.swapRollover3Days) || spec.swapRollover3Days > 6) {
    throw new Error(`${where}: field "swapRollover3Days" must be a weekday 0 (Sunday) .. 6 (Saturday), got ${spec.swapRollover3Days}`);
  }
  return spec;
}

const SPEC_FIELDS = new Set(['name', 'description', 'baseCurrency', 'profitCurrency', 'digits', 'point', 'contractSize', 'tickSize',
  'tickValueProfit', 'volumeMin', 'volumeStep', 'volumeMax', 'stopsLevel', 'spreadPoints', 'fillingMode', 'swapMode', 'swapLong',
  'swapShort', 'swapRollover3Days']);

const NUMBER_FIELDS = ['digits', 'point', 'contractSize', 'tickSize', 'tickValueProfit', 'volumeMin', 'volumeStep', 'volumeMax',
  'stopsLevel', 'spreadPoints', 'fillingMode', 'swapMode', 'swapLong', 'swapShort', 'swapRollover3Days'] as const;

/** How the symbol's profit becomes account currency: as is, divided by its own price, or not by itself (a cross rate is needed). */
export type ProfitConversion = 'same' | 'divide' | 'none';

/**
 * Why the simulator cannot book `spec`'s profit in `accountCurrency` (null when it can): it
 * converts by the symbol's own price only, so the profit or the base currency must be the account's.
 */
export function conversionProblem(spec: SymbolSpec, accountCurrency: string): string | null {
  if (profitConversion(spec, accountCurrency) !== 'none') return null;
  return `${spec.name}'s profit currency ${spec.profitCurrency} is not the account's ${accountCurrency}, nor is its base currency ${spec.baseCurrency}: `
    + `profit is converted by the symbol's own price only (no cross rates), so declare profitCurrency ${accountCurrency} (a ${accountCurrency}-quoted instrument) or trade one whose base currency is ${accountCurrency}`;
}

export function profitConversion(spec: SymbolSpec, accountCurrency: string): ProfitConversion {
  return spec.profitCurrency === accountCurrency ? 'same' : spec.baseCurrency === accountCurrency ? 'divide' : 'none';
}

/**
 * Converts an amount in the symbol's profit currency to the account currency at `price`
 * (the symbol's own rate). Supports the cases a single symbol can price by itself: profit
 * currency is the account currency, or the base currency is (USDCHF for a USD account).
 */
export function profitToAccount(spec: SymbolSpec, amount: number, price: number, accountCurrency: string): number {
  const conversion = profitConversion(spec, accountCurrency);
  if (conversion === 'same') return amount;
  if (conversion === 'divide') return amount / price;
  throw new Error(`cannot convert ${spec.profitCurrency} profit of ${spec.name} to ${accountCurrency} without a cross rate`);
}

/** Rounds a price to the symbol's digits (MT5 rejects unnormalised prices). */
export function normalizePrice(spec: SymbolSpec, price: number): number {
  const f = POW10[spec.digits] ?? 10 ** spec.digits;
  return Math.round(price * f) / f;
}

const POW10 = [1, 10, 100, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10];
