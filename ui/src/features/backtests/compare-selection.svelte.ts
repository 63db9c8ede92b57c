import type { RunKey } from './compare-runs.ts';

/** The runs ticked for comparison in the Backtests list; one selection per workbench. */
class CompareSelection {
  keys = $state<RunKey[]>([]);

  has(key: RunKey): boolean {
    return this.keys.includes(key);
  }

  toggle(key: RunKey): void {
    this.keys = this.has(key) ? this.keys.filter((k) => k !== key) : [...this.keys, key];
  }
}

export const compareSelection = new CompareSelection();
