/**
 * Whether the journal can write right now. The Broadcaster sets it; the bot reads it to open
 * no new position and to report `error` in its status; `/healthz` answers 503 and `/metrics`
 * exports it while it is not ok.
 *
 * @example
 * const health = new JournalHealth();
 * if (!health.ok) console.log(`journal failing since ${health.since}: ${health.problem}`);
 */
export class JournalHealth {
  /** What is wrong, in words (with the path and SQLite's code), or null while writes succeed. */
  problem: string | null = null;
  /** Wall-clock ms of the first failure of the current episode. */
  since: number | null = null;
  /** Events waiting, unsequenced and unsent, for the journal to take them. */
  heldEvents = 0;
  heldBytes = 0;
  /** True once the held events reach their byte budget: the paper replay waits. */
  full = false;
  failuresTotal = 0;
  recoveriesTotal = 0;
  /** BAR and backtest events not held because the budget was reached (never trades of the account). */
  droppedTotal = 0;

  get ok(): boolean {
    return this.problem === null;
  }

  /** The sentence the bot puts in its status `error` and refusals. */
  describe(): string | null {
    if (this.problem === null) return null;
    return `journal cannot write: ${this.problem}; no new positions are opened and ${this.heldEvents} event(s) wait to be journaled (retrying every second)`;
  }
}
