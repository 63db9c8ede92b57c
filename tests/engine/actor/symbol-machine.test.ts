import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { compileSymbolMachine } from '../../../engine/actor/machine-host.ts';
import { SYMBOL_TRANSITIONS, SYMBOL_STATES } from '../../../protocol/symbol-machine.ts';
import { runBacktest } from '../../../engine/backtest/backtest-runner.ts';
import { makeBars, flipFlop } from '../../kit/engine-builders.ts';
import type { LogEvent } from '../../../protocol/index.ts';

test('the XState machine accepts exactly the transitions of the protocol definition the UI draws', () => {
  const table = compileSymbolMachine();
  const fromXState = SYMBOL_STATES.flatMap((s) => Object.entries(table[s]).map(([e, to]) => `${s} -${e}-> ${to}`)).sort();
  const fromDefinition = SYMBOL_TRANSITIONS.map((t) => `${t.from} -${t.event}-> ${t.to}`).sort();
  assert.equal(fromXState, fromDefinition);
});

test('a backtest gives identical events with a live XState actor and with the compiled machine', () => {
  const series = makeBars(400, (i) => 1.2 + 0.002 * Math.sin(i / 7));
  const run = (machine: 'actor' | 'compiled') => {
    const events: LogEvent[] = [];
    runBacktest({ symbol: 'USDCHF', series, strategy: flipFlop, machine, onEvent: (e) => events.push(e) });
    return events.map((e) => JSON.stringify(e));
  };
  const compiled = run('compiled');
  assert.ok(compiled.some((e) => e.includes('"to":"throttled"')), 'the run reaches throttled');
  assert.equal(run('actor'), compiled);
});

test('every state change (not a self-transition) is reported as STATE_TRANSITION with its event and cause', () => {
  const events: LogEvent[] = [];
  runBacktest({ symbol: 'USDCHF', series: makeBars(30, (i) => 1.2 + i * 1e-5), strategy: flipFlop, onEvent: (e) => events.push(e) });
  const transitions = events.filter((e) => e.event_type === 'STATE_TRANSITION').map((e) => e.data as { from: string; to: string; event: string; cause: string });
  assert.equal(transitions.slice(0, 4).map((t) => `${t.from}>${t.to}:${t.event}`), [
    'idle>scanning:START', 'scanning>in-trade:FILLED', 'in-trade>scanning:EXITED', 'scanning>in-trade:FILLED',
  ]);
  assert.ok(transitions.every((t) => t.cause.length > 0));
});

test.run();
