/**
 * Checks of a form's number fields before anything is sent, in the words a field's hint would
 * use; null when the value is fine. The server checks the same (its codecs) and would refuse.
 */

/** The starting balance: `0 < balance <= 1e12` as the protocol's BalanceCodec. */
export function balanceError(value: number | null | undefined): string | null {
  if (value === null || value === undefined || typeof value !== 'number' || Number.isNaN(value)) return 'enter an amount (e.g. 10000).';
  if (!Number.isFinite(value) || value <= 0 || value > 1e12) return 'an amount above 0 and at most 1,000,000,000,000.';
  return null;
}

/** A count such as an optimisation's trials: a whole number of at least 1 (the protocol's PositiveInt). */
export function countError(value: number | null | undefined): string | null {
  if (value === null || value === undefined || typeof value !== 'number' || Number.isNaN(value)) return 'enter a whole number of 1 or more.';
  if (!Number.isSafeInteger(value) || value < 1) return 'a whole number of 1 or more.';
  return null;
}

/** A seed: any whole number. */
export function integerError(value: number | null | undefined): string | null {
  if (value === null || value === undefined || typeof value !== 'number' || !Number.isSafeInteger(value)) return 'enter a whole number.';
  return null;
}
