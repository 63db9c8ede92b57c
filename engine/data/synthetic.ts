import { BUILTIN_SYMBOL_SPECS } from '../model/symbol-spec.ts';
import { mulberry32, normalSource, seedFromString } from './seeded-random.ts';
import { createTickSeries, type TickSeries } from './tick-series.ts';
import { USDCHF_CALIBRATION as CAL } from './usdchf-calibration.ts';
import { ZonedTime } from './zoned-time.ts';

/** Typical level and volatility of a symbol the generator can imitate. */
export interface SyntheticProfile {
  readonly symbol: string;
  /** Starting mid price. */
  readonly price: number;
  /** Typical annualised volatility of log returns (0.075 = 7.5 %). */
  readonly annualVolatility: number;
  readonly digits: number;
}

/** Half hours in a trading year as the calibration counts them (252 days × 48). */
export const HALF_HOURS_PER_YEAR = 252 * 48;

const profile = (symbol: string, price: number, annualVolatility: number, digits: number): SyntheticProfile => ({ symbol, price, annualVolatility, digits });

/** Stated typical levels and volatilities (rounded long-run figures, not fitted). */
export const SYNTHETIC_PROFILES: Readonly<Record<string, SyntheticProfile>> = {
  EURUSD: profile('EURUSD', 1.1, 0.075, 5),
  GBPUSD: profile('GBPUSD', 1.27, 0.085, 5),
  USDJPY: profile('USDJPY', 150, 0.09, 3),
  USDCHF: profile('USDCHF', 0.9, CAL.sigma30 * Math.sqrt(HALF_HOURS_PER_YEAR), 5),
  AUDUSD: profile('AUDUSD', 0.66, 0.1, 5),
  NZDUSD: profile('NZDUSD', 0.6, 0.1, 5),
  USDCAD: profile('USDCAD', 1.36, 0.065, 5),
  XAUUSD: profile('XAUUSD', 2000, 0.15, 2),
  XAGUSD: profile('XAGUSD', 25, 0.25, 3),
};

/** The profile for a symbol, accepting broker suffixes (`EURUSDm`, `XAUUSD.a`); undefined if unknown. */
export function syntheticProfile(symbol: string): SyntheticProfile | undefined {
  const base = symbol.toUpperCase().replace(/[^A-Z]/g, '').slice(0, 6);
  const found = SYNTHETIC_PROFILES[base];
  if (!found) return undefined;
  const digits = BUILTIN_SYMBOL_SPECS[symbol]?.digits ?? found.digits;
  return { ...found, symbol, digits };
}

export interface SyntheticOptions {
  readonly symbol: string;
  /** First instant, UTC ms; default 2019-01-01. */
  readonly from?: number;
  /** End instant (exclusive), UTC ms; default 2024-01-01. */
  readonly to?: number;
  /** Default: derived from the symbol name, so each symbol has its own fixed series. */
  readonly seed?: number;
}

export interface SyntheticTicks {
  readonly ticks: TickSeries;
  readonly synthetic: true;
  readonly profile: SyntheticProfile;
  readonly seed: number;
  /** Target 30-minute log-return std, the profile's annual volatility / sqrt(252 × 48). */
  readonly sigma30: number;
}

/**
 * Seeded M30 mid-price ticks (bid = ask) for symbols without real data, calibrated to the
 * USDCHF fixture (`USDCHF_CALIBRATION`) and scaled to the symbol's level and volatility:
 * - calendar like the real file: every half hour from Monday 00:00 to Friday 23:30 Zurich time,
 *   weekends empty;
 * - return = sigma30 × slot factor × weekday factor × sqrt(h) × e, with h a GARCH(1,1) variance
 *   (alpha 0.10, beta 0.83, fitted to the fixture) and e Student-t(5) scaled to unit variance;
 * - the first return of a week has std weekendRatio × sigma30, as measured across real weekends.
 * Same seed and options give an identical series. Everything returned is marked synthetic.
 *
 * @example
 * const { ticks } = generateSyntheticTicks({ symbol: 'EURUSD', seed: 42 });
 */
/** The longest span one synthetic series covers. */
export const MAX_SYNTHETIC_YEARS = 200;
const YEAR_MS = 365.25 * 86_400_000;

export function generateSyntheticTicks(options: SyntheticOptions): SyntheticTicks {
  const prof = syntheticProfile(options.symbol);
  if (!prof) throw new Error(`no synthetic profile for symbol ${JSON.stringify(options.symbol)} (known: ${Object.keys(SYNTHETIC_PROFILES).join(', ')})`);
  const from = options.from ?? Date.UTC(2019, 0, 1);
  const to = options.to ?? Date.UTC(2024, 0, 1);
  if (!(to > from)) throw new Error(`synthetic ${options.symbol}: 'to' (${new Date(to).toISOString()}) must be after 'from' (${new Date(from).toISOString()})`);
  // A bound on what one request can make the process generate (and hold): 200 years are 2.5
  // million half-hours, about a second; 0001..9999 would be 100 million and minutes of a blocked server.
  if (to - from > MAX_SYNTHETIC_YEARS * YEAR_MS) {
    throw new Error(`synthetic ${options.symbol}: ${new Date(from).toISOString().slice(0, 10)}..${new Date(to).toISOString().slice(0, 10)} is ${Math.round((to - from) / YEAR_MS)} years; synthetic data spans at most ${MAX_SYNTHETIC_YEARS} years: give a narrower from/to`);
  }
  const seed = options.seed ?? seedFromString(prof.symbol);
  const sigma30 = prof.annualVolatility / Math.sqrt(HALF_HOURS_PER_YEAR);

  const times = tradingHalfHours(from, to);
  const n = times.length;
  const ticks = createTickSeries(n);
  const normal = normalSource(mulberry32(seed));
  const nu = CAL.studentDegrees;
  const tScale = Math.sqrt((nu - 2) / nu);
  const student = () => {
    let chi = 0;
    for (let k = 0; k < nu; k++) {
      const z = normal();
      chi += z * z;
    }
    return (normal() / Math.sqrt(chi / nu)) * tScale;
  };
  const { alpha, beta } = CAL.garch;
  const omega = 1 - alpha - beta;
  const scale = 10 ** prof.digits;
  let h = 1;
  let logPrice = Math.log(prof.price);
  for (let i = 0; i < n; i++) {
    if (i > 0) {
      const gap = times[i] - times[i - 1];
      const e = student();
      if (gap === 1_800_000) {
        // The half-hour of the UTC day, also before 1970 (where `%` is negative).
        const slot = Math.floor((((times[i - 1] % 86_400_000) + 86_400_000) % 86_400_000) / 1_800_000);
        const season = CAL.slotFactors[slot] * CAL.weekdayFactors[new Date(times[i - 1]).getUTCDay()];
        logPrice += sigma30 * season * Math.sqrt(h) * e;
        h = omega + alpha * h * e * e + beta * h;
      } else {
        logPrice += sigma30 * CAL.weekendRatio * e;
      }
    }
    const price = Math.round(Math.exp(logPrice) * scale) / scale;
    ticks.time[i] = times[i];
    ticks.bid[i] = price;
    ticks.ask[i] = price;
    ticks.volume[i] = 1;
  }
  ticks.length = n;
  return { ticks, synthetic: true, profile: prof, seed, sigma30 };
}

const zurich = new ZonedTime('Europe/Zurich');

/** UTC instants of every Monday-Friday half hour in Zurich local time, within [from, to). */
function tradingHalfHours(from: number, to: number): Float64Array {
  const out: number[] = [];
  // Local days overlapping the range (local time is within ±1 day of UTC).
  for (let day = Math.floor(from / 86_400_000) - 1; day * 86_400_000 < to + 86_400_000; day++) {
    const weekday = new Date(day * 86_400_000).getUTCDay();
    if (weekday === 0 || weekday === 6) continue;
    for (let slot = 0; slot < 48; slot++) {
      const t = zurich.toUtc(day * 86_400_000 + slot * 1_800_000).utc;
      if (t >= from && t < to) out.push(t);
    }
  }
  return Float64Array.from(out);
}
