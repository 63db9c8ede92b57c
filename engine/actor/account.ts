/** The account as the engine books it from deals: shared by every symbol actor. */
export interface Account {
  readonly currency: string;
  balance: number;
  /** Commission of each open position's entry deal, by position id, for round-trip PnL. */
  readonly entryCommission: Map<number, number>;
}

export function createAccount(currency: string, balance: number): Account {
  return { currency, balance, entryCommission: new Map() };
}
