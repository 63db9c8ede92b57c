import { profitToAccount, type SymbolSpec } from '../model/symbol-spec.ts';

export interface SizingInput {
  readonly balance: number;
  /** Percent of balance risked if the stop is hit (1 = 1 %). */
  readonly riskPercent: number;
  readonly entryPrice: number;
  readonly stopLoss: number;
  readonly aggression: number;
  readonly accountCurrency: string;
}

/**
 * Lot size from risk: the money at risk (balance × risk % × aggression) divided by the loss
 * one lot takes between entry and stop, rounded DOWN to the volume step and clamped to
 * [volumeMin, volumeMax]. Returns 0 when the stop distance is zero or the inputs are unusable.
 * `entryPrice` is the price the order is sent at (ask for a buy, bid for a sell); the loss is
 * converted to the account currency at the stop's price, the rate at which it would be booked.
 *
 * @example
 * // USDCHF bought at 1.2000, stop 50 pips below (1.1950), 10,000 USD, 1 % risk:
 * // loss per lot = 0.0050 × 100,000 CHF / 1.1950 = 418.41 USD -> 100 / 418.41 = 0.23 lots
 */
export function lotSize(spec: SymbolSpec, input: SizingInput): number {
  const distance = Math.abs(input.entryPrice - input.stopLoss);
  if (!(distance > 0) || !(input.balance > 0)) return 0;
  const lossPerLotProfitCcy = (distance / spec.tickSize) * spec.tickValueProfit;
  const lossPerLot = profitToAccount(spec, lossPerLotProfitCcy, input.stopLoss, input.accountCurrency);
  const risk = input.balance * (input.riskPercent / 100) * input.aggression;
  return roundVolume(spec, risk / lossPerLot);
}

/** Rounds a volume down to the symbol's step and clamps it into [min, max]. */
export function roundVolume(spec: SymbolSpec, volume: number): number {
  const steps = Math.floor(volume / spec.volumeStep + 1e-9);
  // Snap to 8 decimals so 29 × 0.01 reads 0.29, not 0.29000000000000004.
  const rounded = Math.round(steps * spec.volumeStep * 1e8) / 1e8;
  return Math.min(spec.volumeMax, Math.max(spec.volumeMin, rounded));
}

/** True when `volume` is within limits and a whole number of steps. */
export function isValidVolume(spec: SymbolSpec, volume: number): boolean {
  if (!(volume >= spec.volumeMin - 1e-12 && volume <= spec.volumeMax + 1e-12)) return false;
  const steps = volume / spec.volumeStep;
  return Math.abs(steps - Math.round(steps)) < 1e-7;
}
