/**
 * Below these, a quantity a ratio divides by is float noise, not a measurement: equity formed from
 * floating profit differs from the same money booked in cents by a few units in the last place,
 * and that difference, divided into a profit, gives a recovery factor or Sortino of 1e11. A ratio
 * whose denominator is under its floor is undefined (null, or 0 where the metric says so), as it
 * is when the denominator is exactly 0. Applied once, when a run's results are formed; never per sample.
 */

/** Money (a drawdown, a gross loss, a spread of balances): under half a cent it rounds to 0.00 and is no fall. */
export const HALF_CENT = 0.005;

/**
 * Relative quantities (the standard deviation of daily returns or of HPRs, the downside
 * deviation): float noise in equity is of the order of 1e-15 to 1e-12 of it; 1e-10 is far above
 * that and still under half a cent on a 10-million balance.
 */
export const RETURN_NOISE = 1e-10;
