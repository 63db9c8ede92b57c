import { createActor, getNextSnapshot, type Actor } from 'xstate';
import { SYMBOL_MACHINE_EVENTS, SYMBOL_STATES, type SymbolMachineEventType, type SymbolState } from '../../protocol/symbol-machine.ts';
import { symbolMachine } from './symbol-machine.ts';

/**
 * Where a SymbolActor's machine runs. Both hosts take every decision from the XState machine:
 * `actor` runs a live XState actor (paper and live trading: inspectable, ~1.7 µs a send);
 * `compiled` replays the machine's own transition function, evaluated once per (state, event)
 * pair at start-up, which is exact because the machine has no guards or context-dependent
 * targets. Backtests use `compiled` so a trade costs nanoseconds of state handling.
 */
export interface MachineHost {
  readonly state: SymbolState;
  /** Applies the event; returns false (and changes nothing) when the state does not accept it. */
  send(type: SymbolMachineEventType, cause: string): boolean;
  start(): void;
  stop(): void;
}

export type MachineHostKind = 'actor' | 'compiled';

type Table = Record<SymbolState, Partial<Record<SymbolMachineEventType, SymbolState>>>;
let compiled: Table | null = null;

/** The machine's transition function, tabulated by asking XState for every pair. */
export function compileSymbolMachine(): Table {
  if (compiled) return compiled;
  const table = {} as Table;
  for (const state of SYMBOL_STATES) {
    table[state] = {};
    const snapshot = symbolMachine.resolveState({ value: state, context: { symbol: '' } });
    for (const type of SYMBOL_MACHINE_EVENTS) {
      const event = { type, cause: '' };
      if (!snapshot.can(event)) continue;
      table[state][type] = getNextSnapshot(symbolMachine, snapshot, event).value as SymbolState;
    }
  }
  compiled = table;
  return table;
}

class ActorHost implements MachineHost {
  private readonly actor: Actor<typeof symbolMachine>;
  state: SymbolState = 'idle';
  constructor(symbol: string) {
    this.actor = createActor(symbolMachine, { input: { symbol } });
  }
  send(type: SymbolMachineEventType, cause: string): boolean {
    const event = { type, cause };
    if (!this.actor.getSnapshot().can(event)) return false;
    this.actor.send(event);
    this.state = this.actor.getSnapshot().value as SymbolState;
    return true;
  }
  start(): void {
    this.actor.start();
  }
  stop(): void {
    this.actor.stop();
  }
}

const EVENT_INDEX = new Map<SymbolMachineEventType, number>(SYMBOL_MACHINE_EVENTS.map((type, k) => [type, k]));
let flatTable: Int8Array | null = null;

/** The compiled table flattened to (state index × event index) -> next state index, or -1. */
function flatSymbolMachine(): Int8Array {
  if (flatTable) return flatTable;
  const table = compileSymbolMachine();
  const flat = new Int8Array(SYMBOL_STATES.length * SYMBOL_MACHINE_EVENTS.length).fill(-1);
  SYMBOL_STATES.forEach((state, s) => {
    SYMBOL_MACHINE_EVENTS.forEach((type, e) => {
      const next = table[state][type];
      if (next !== undefined) flat[s * SYMBOL_MACHINE_EVENTS.length + e] = SYMBOL_STATES.indexOf(next);
    });
  });
  flatTable = flat;
  return flat;
}

class CompiledHost implements MachineHost {
  state: SymbolState = 'idle';
  private stateIndex = SYMBOL_STATES.indexOf('idle');
  private readonly table = flatSymbolMachine();
  send(type: SymbolMachineEventType): boolean {
    const next = this.table[this.stateIndex * SYMBOL_MACHINE_EVENTS.length + EVENT_INDEX.get(type)!];
    if (next < 0) return false;
    this.stateIndex = next;
    this.state = SYMBOL_STATES[next];
    return true;
  }
  start(): void {}
  stop(): void {}
}

export function createMachineHost(kind: MachineHostKind, symbol: string): MachineHost {
  return kind === 'actor' ? new ActorHost(symbol) : new CompiledHost();
}
