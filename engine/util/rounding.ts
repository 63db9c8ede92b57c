/** Money to cents, for event fields and reports. */
export function round2(x: number): number {
  return Math.round(x * 100) / 100;
}

/** Ratios to four decimals, for event fields and reports. */
export function round4(x: number): number {
  return Math.round(x * 10_000) / 10_000;
}

const SCALE = [1, 10, 100, 1e3, 1e4, 1e5, 1e6];
const ZEROS = '000000';

/**
 * `x` with `digits` (0-6) decimals for messages, by integer arithmetic: `toFixed` goes through
 * the runtime and cost more than the event it is written into. Like `toFixed` except at binary
 * ties, which round half up (0.15 -> "0.2" where `toFixed` says "0.1").
 */
export function fixed(x: number, digits: number): string {
  const scale = SCALE[digits];
  const r = Math.round(Math.abs(x) * scale);
  if (scale === undefined || !(r < 1e15)) return x.toFixed(digits);
  const whole = Math.floor(r / scale);
  const sign = x < 0 && r !== 0 ? '-' : '';
  if (digits === 0) return `${sign}${whole}`;
  const frac = String(r - whole * scale);
  return `${sign}${whole}.${ZEROS.slice(0, digits - frac.length)}${frac}`;
}

const MONEY_SCALE = [1, 10, 100, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8];

/** The most decimals a deposit currency may have (`roundMoney`'s `digits`). */
export const MAX_MONEY_DIGITS = MONEY_SCALE.length - 1;

/**
 * An amount rounded to the deposit currency's `digits` (0-8; 2: cents) half away from zero, as
 * MT5 books each deal's profit, commission and swap. A hair is added before rounding so an
 * amount whose decimal form ends in 5 but whose double lies just below (1.005 × 100 =
 * 100.4999...) still rounds up, as its decimal reading says. Kept this small so it is inlined
 * wherever a deal is booked.
 */
export function roundMoney(x: number, digits = 2): number {
  const scale = MONEY_SCALE[digits];
  const r = Math.round((x < 0 ? -x : x) * scale + 1e-7) / scale;
  return x < 0 ? -r : r;
}

/** Characters `JSON.stringify` would escape in a string: quotes, backslashes, controls, surrogates. */
const NEEDS_ESCAPE = /["\\\u0000-\u001f\ud800-\udfff]/;

/**
 * `String(x)`, faster for the numbers messages carry: prices and volumes with at most five
 * decimals (below 1e9) are written by integer arithmetic. Such a number is the double nearest
 * to its five-decimal reading, and no shorter decimal names the same double, so that reading
 * without trailing zeros is exactly what `String` prints. Anything else goes to `String`.
 */
export function shortText(x: number): string {
  if (!(x < 1e9 && x > -1e9) || Math.round(x * 1e5) / 1e5 !== x) return String(x);
  const text = fixed(x, 5);
  let end = text.length;
  while (text.charCodeAt(end - 1) === 48) end--;
  if (text.charCodeAt(end - 1) === 46) end--;
  return end === text.length ? text : text.slice(0, end);
}

/** `JSON.stringify(text)`, without the call for text that needs no escaping (the common case). */
export function jsonText(text: string): string {
  return NEEDS_ESCAPE.test(text) ? JSON.stringify(text) : `"${text}"`;
}
