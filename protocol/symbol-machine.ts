/**
 * The symbol state machine as plain data: the engine builds its XState machine from this
 * definition and the UI draws it from the same one, so the diagram cannot drift from the code.
 */
export const SYMBOL_STATES = ['idle', 'scanning', 'in-trade', 'throttled', 'paused', 'faulted'] as const;
export type SymbolState = (typeof SYMBOL_STATES)[number];

/** Named transitions: event type -> target, per source state. */
export interface SymbolTransition {
  readonly from: SymbolState;
  readonly event: SymbolMachineEventType;
  readonly to: SymbolState;
  readonly label: string;
}

export const SYMBOL_MACHINE_EVENTS = [
  'START', 'SIGNAL', 'FILLED', 'REJECTED', 'EXITED', 'LIMIT_REACHED', 'WEEK_ROLLED', 'PAUSE', 'RESUME', 'STOP', 'FAULT',
] as const;
export type SymbolMachineEventType = (typeof SYMBOL_MACHINE_EVENTS)[number];

export const SYMBOL_TRANSITIONS: readonly SymbolTransition[] = [
  { from: 'idle', event: 'START', to: 'scanning', label: 'start' },
  { from: 'scanning', event: 'SIGNAL', to: 'scanning', label: 'signal (order pending)' },
  { from: 'scanning', event: 'FILLED', to: 'in-trade', label: 'filled' },
  { from: 'scanning', event: 'REJECTED', to: 'scanning', label: 'rejected' },
  { from: 'scanning', event: 'LIMIT_REACHED', to: 'throttled', label: 'weekly max reached' },
  { from: 'in-trade', event: 'EXITED', to: 'scanning', label: 'exited' },
  { from: 'throttled', event: 'WEEK_ROLLED', to: 'scanning', label: 'week rolled' },
  { from: 'scanning', event: 'PAUSE', to: 'paused', label: 'pause' },
  { from: 'in-trade', event: 'PAUSE', to: 'paused', label: 'pause' },
  { from: 'throttled', event: 'PAUSE', to: 'paused', label: 'pause' },
  { from: 'paused', event: 'RESUME', to: 'scanning', label: 'resume' },
  { from: 'scanning', event: 'FAULT', to: 'faulted', label: 'fault' },
  { from: 'in-trade', event: 'FAULT', to: 'faulted', label: 'fault' },
  // The strategy sees every bar while throttled or paused too (its indicators must not skip
  // bars), so it can fail there: parked at once, not at its next scan.
  { from: 'throttled', event: 'FAULT', to: 'faulted', label: 'fault' },
  { from: 'paused', event: 'FAULT', to: 'faulted', label: 'fault' },
  { from: 'faulted', event: 'RESUME', to: 'scanning', label: 'resume' },
  { from: 'scanning', event: 'STOP', to: 'idle', label: 'stop' },
  { from: 'in-trade', event: 'STOP', to: 'idle', label: 'stop' },
  { from: 'throttled', event: 'STOP', to: 'idle', label: 'stop' },
  { from: 'paused', event: 'STOP', to: 'idle', label: 'stop' },
  { from: 'faulted', event: 'STOP', to: 'idle', label: 'stop' },
];

/** Human description of each state for diagrams and tooltips. */
export const SYMBOL_STATE_DESCRIPTIONS: Readonly<Record<SymbolState, string>> = {
  idle: 'Not running',
  scanning: 'Looking for entries on each closed bar',
  'in-trade': 'Managing an open position',
  throttled: 'Weekly trade maximum reached; no entries until the week rolls over',
  paused: 'Paused by the user; open positions are kept, no new entries',
  faulted: 'A plugin failed; this symbol is parked, the others keep running',
};
