import type { SymbolView } from './state.ts';

/**
 * A price as a trader reads it: with the symbol's digits when known (1.2140, not 1.214), else
 * without binary noise (0.8906000000000001 -> 0.8906).
 */
export function formatPrice(value: number | null | undefined, digits?: number): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return '—';
  if (digits !== undefined) return value.toFixed(digits);
  return String(Number(value.toFixed(6)));
}

/** The decimals a symbol's prices are shown with: its spec's, else the most its bars have shown. */
export function digitsOf(view: Pick<SymbolView, 'digits' | 'seenDigits'> | undefined): number | undefined {
  return view?.digits ?? view?.seenDigits;
}

/** Money with two decimals. */
export function formatMoney(value: number | null | undefined): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return '—';
  return value.toFixed(2);
}

/** "1 entry", "2 entries": a count with its noun in the right number. */
export function plural(count: number, one: string, many = `${one}s`): string {
  return `${count} ${count === 1 ? one : many}`;
}
