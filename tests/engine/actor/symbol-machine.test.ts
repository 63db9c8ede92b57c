import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { compileSymbolMachine } from '../../../engine/actor/machine-host.ts';
import { SYMBOL_TRANSITIONS, SYMBOL_STATES } from '../../../protocol/symbol-machine.ts';
import { runBacktest } from '../../../engine/backtest/backtest-runner.ts';
import { makeBars, flipFlop } from '../../kit/engine-builders.ts';
import { defineStrategy, t } from '../../../engine/plugin-api.ts';
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

test('a strategy that throws while its symbol is throttled parks it at once: one ERROR, throttled -> faulted, no more calls', () => {
  // Buys on bar 1 (stop 100 points under) and closes on bar 3; its buy on bar 5 meets the weekly
  // maximum of 1 and throttles the symbol; it throws from bar 10 on, still in the first week. Before: FAULT had no edge from throttled, so
  // the symbol stayed throttled, its strategy was called and threw on every bar (an ERROR each)
  // until the week rolled and it scanned again.
  let calls = 0;
  const failsWhileThrottled = defineStrategy<Record<string, never>>({
    id: 'fails-while-throttled', description: 'trades once, signals again, throws from bar 10 (tests)',
    configCodec: t.type({}) as unknown as t.Type<Record<string, never>>, defaultConfig: {},
    onBar(ctx) {
      calls++;
      if (ctx.index >= 10) throw new Error('broken at bar 10');
      if (ctx.index === 3) return { direction: 'close' };
      return ctx.index === 1 || ctx.index === 5 ? { direction: 'buy', stopLoss: ctx.bars.close[ctx.index] - 100 * ctx.spec.point } : null;
    },
  });
  const events: LogEvent[] = [];
  runBacktest({ symbol: 'USDCHF', series: makeBars(60, (i) => 1.2 + i * 1e-6), strategy: failsWhileThrottled, governor: { minTradesPerWeek: 0, maxTradesPerWeek: 1 }, onEvent: (e) => events.push(e) });
  const moves = events.filter((e) => e.event_type === 'STATE_TRANSITION').map((e) => e.data as { from: string; to: string; event: string });
  assert.ok(moves.some((m) => m.to === 'throttled'), 'the symbol was throttled');
  const fault = moves.find((m) => m.event === 'FAULT');
  assert.equal(fault && { from: fault.from, to: fault.to }, { from: 'throttled', to: 'faulted' });
  assert.is(events.filter((e) => e.event_type === 'ERROR').length, 1);
  assert.is(calls, 11, 'called on bars 0..10, not after');
});

test.run();
