/** The account as the engine books it from deals: shared by every symbol actor. */
export interface Account {
  readonly currency: string;
  balance: number;
  /** Commission of each open position's entry deal, by position id, for round-trip PnL. */
  readonly entryCommission: Map<number, number>;
}

/** A class, not a literal: the balance changes on every deal, and a number field of an object
 * literal is re-boxed on each write where a class field is updated in place. */
class BookedAccount implements Account {
  readonly entryCommission = new Map<number, number>();
  constructor(readonly currency: string, public balance: number) {}
}

export function createAccount(currency: string, balance: number): Account {
  return new BookedAccount(currency, balance);
}
