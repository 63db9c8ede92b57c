import { setup } from 'xstate';
import { SYMBOL_STATES, SYMBOL_TRANSITIONS, type SymbolMachineEventType, type SymbolState } from '../../protocol/symbol-machine.ts';

/** An event sent to a symbol machine; `cause` explains the transition in the UI. */
export interface SymbolMachineEvent {
  readonly type: SymbolMachineEventType;
  readonly cause: string;
}

type StateConfig = { on: Partial<Record<SymbolMachineEventType, SymbolState>> };

function statesFromDefinition(): Record<SymbolState, StateConfig> {
  const states = Object.fromEntries(SYMBOL_STATES.map((s) => [s, { on: {} }])) as Record<SymbolState, StateConfig>;
  for (const t of SYMBOL_TRANSITIONS) states[t.from].on[t.event] = t.to;
  return states;
}

/**
 * The per-symbol state machine (XState v5), built from the protocol's plain-data definition
 * (`protocol/symbol-machine.ts`) that the UI draws: idle -> scanning <-> in-trade;
 * scanning -> throttled (an entry refused at the weekly maximum; a reversal refused there has
 * already closed its position, in-trade -> scanning) -> scanning on week rollover; pause, fault and stop.
 */
export const symbolMachine = setup({
  types: {
    context: {} as { symbol: string },
    events: {} as SymbolMachineEvent,
    input: {} as { symbol: string },
  },
}).createMachine({
  id: 'symbol',
  initial: 'idle',
  context: ({ input }) => ({ symbol: input.symbol }),
  states: statesFromDefinition(),
});
