/** Money to cents, for event fields and reports. */
export function round2(x: number): number {
  return Math.round(x * 100) / 100;
}

/** Ratios to four decimals, for event fields and reports. */
export function round4(x: number): number {
  return Math.round(x * 10_000) / 10_000;
}
