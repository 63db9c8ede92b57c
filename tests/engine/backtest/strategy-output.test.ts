import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { runBacktest } from '../../../engine/backtest/backtest-runner.ts';
import { loadHistory } from '../../../engine/data/load-history.ts';
import { defineStrategy, t, type Signal, type StrategyContext } from '../../../engine/plugin-api.ts';
import { decodeLogEvent, type LogEvent } from '../../../protocol/index.ts';

// What a plugin returns or throws is the plugin's; whatever it is, the engine must not trade what
// nobody asked for, and must not die. A direction it does not know, a field of the wrong type or
// a thrown non-Error parks the symbol (ERROR naming what came back, `faulted`) as a thrown Error
// does. Before: `direction: "long"` was sent as a SELL (executeEntry reads "not buy" as sell),
// `{}` closed the open position as a "Signal reversal", `patterns: 5` threw inside the entry
// after the order had filled, and `throw Object.create(null)` killed the process.

const { series } = loadHistory({ symbol: 'USDCHF', timeframe: 'H4', from: '1998-01-01', to: '1998-03-31' });

type Out = (ctx: StrategyContext<Record<string, never>, Record<string, unknown>>) => unknown;

/** A plugin that buys at bar 40 (stop 100 points under the close) and returns `at50(ctx)` at bar 50. */
function plugin(at50: Out, hooks: { onStart?: () => void } = {}) {
  return defineStrategy<Record<string, never>>({
    id: 'odd-output',
    description: 'returns something odd at bar 50',
    configCodec: t.type({}) as unknown as t.Type<Record<string, never>>,
    defaultConfig: {},
    onStart: hooks.onStart,
    onBar(ctx) {
      const close = ctx.bars.close[ctx.index];
      if (ctx.index === 40) return { direction: 'buy', stopLoss: close - 0.01 };
      if (ctx.index === 50) return at50(ctx) as Signal;
      return null;
    },
  });
}

function run(at50: Out, hooks?: { onStart?: () => void }): { events: LogEvent[]; faults: { symbol: string; error: string }[] } {
  const events: LogEvent[] = [];
  const { complete } = runBacktest({ symbol: 'USDCHF', series, strategy: plugin(at50, hooks), onEvent: (e) => events.push(e) });
  for (const e of events) assert.ok(decodeLogEvent(e).ok, `${e.event_type} decodes`);
  return { events, faults: (complete as { faults?: { symbol: string; error: string }[] }).faults ?? [] };
}

const entries = (events: LogEvent[]) => events.filter((e) => e.event_type === 'TRADE_ENTRY').map((e) => e.data as { direction: string });
const exits = (events: LogEvent[]) => events.filter((e) => e.event_type === 'TRADE_EXIT').map((e) => e.data as { exit_reason?: string; reason?: string });
const errors = (events: LogEvent[]) => events.filter((e) => e.event_type === 'ERROR').map((e) => String(e.data.error));
const states = (events: LogEvent[]) => events.filter((e) => e.event_type === 'STATE_TRANSITION').map((e) => String(e.data.to));

test('a direction the engine does not know ("long") is no trade: the symbol is parked and says what came back', () => {
  const { events, faults } = run((ctx) => ({ direction: 'long', stopLoss: ctx.bars.close[ctx.index] - 0.01 }));
  // Only the buy at bar 40: no reversal close, no sell.
  assert.equal(entries(events).map((e) => e.direction), ['buy']);
  assert.not.ok(exits(events).some((x) => JSON.stringify(x).includes('reversal')), 'no reversal');
  assert.equal(errors(events), ['strategy odd-output failed in onBar on USDCHF: returned a signal with direction "long": expected "buy", "sell", "close" or "hold"']);
  assert.ok(states(events).includes('faulted'));
  assert.equal(faults.map((f) => f.symbol), ['USDCHF']);
});

test('an empty object or a bare string is refused the same way; the open position is not closed by it', () => {
  for (const [out, said] of [[{}, 'direction undefined'], ['buy', 'returned "buy": expected a signal object']] as const) {
    const { events } = run(() => out);
    assert.equal(entries(events).length, 1);
    // The position opened at bar 40 is closed only by its stop or the end of the run, never at bar 51's open by this output.
    const reasons = exits(events).map((x) => JSON.stringify(x));
    assert.not.ok(reasons.some((r) => /reversal|Closed by strategy/.test(r)), reasons.join('\n'));
    assert.ok(errors(events).some((e) => e.includes(said)), `${JSON.stringify(out)}: ${errors(events).join('\n')}`);
  }
});

test('fields of the wrong type are named: patterns 5, a stopLoss given as text, a reason that is an object, a text among decision values', () => {
  const cases: [Out, string][] = [
    [() => ({ direction: 'close', patterns: 5 }), 'patterns is 5: expected an array of strings'],
    [(ctx) => ({ direction: 'hold', stopLoss: String(ctx.bars.close[ctx.index] - 0.01) }), 'stopLoss is "'],
    [() => ({ direction: 'hold', reason: { text: 'x' } }), 'reason is {"text":"x"}: expected a string'],
    [() => ({ direction: 'hold', decision: { action: 'hold', values: { hold: 'high' } } }), 'decision.values.hold is "high": expected a number'],
  ];
  for (const [out, said] of cases) {
    const { events, faults } = run(out);
    assert.equal(entries(events).length, 1);
    assert.ok(errors(events).some((e) => e.includes(said)), `${said}: ${errors(events).join('\n')}`);
    assert.equal(faults.length, 1);
  }
});

test('whatever is thrown (null, a string, an object without a prototype, an Error whose message getter throws) parks the symbol and the run completes', () => {
  const odd = new Error('x');
  Object.defineProperty(odd, 'message', { get() { throw new Error('getter'); } });
  const thrown: [unknown, RegExp][] = [
    [null, /failed in onBar on USDCHF: null \(not an Error\)$/],
    ['plain text', /failed in onBar on USDCHF: plain text$/],
    [Object.create(null), /failed in onBar on USDCHF: (\{\}|\[object Object\]) \(not an Error\)$/],
    [odd, /failed in onBar on USDCHF: /],
  ];
  for (const [value, said] of thrown) {
    const { events, faults } = run(() => { throw value; });
    assert.equal(errors(events).length, 1, String(said));
    assert.match(errors(events)[0], said);
    assert.equal(faults.length, 1);
    assert.is(events.at(-1)!.event_type, 'BACKTEST_COMPLETE');
  }
});

test('a plugin whose onStart throws does not trade: the symbol is parked as soon as it starts', () => {
  const { events, faults } = run(() => null, { onStart: () => { throw new Error('no config server'); } });
  assert.equal(entries(events), []);
  assert.equal(errors(events), ['strategy odd-output failed in onStart on USDCHF: no config server']);
  assert.equal(states(events).slice(0, 2), ['scanning', 'faulted']);
  assert.equal(faults.length, 1);
});

test('valid signals are unchanged: a hold with a policy decision and a close are taken as before', () => {
  const { events, faults } = run(() => ({ direction: 'close', reason: 'done', decision: { action: 'close', values: { close: 0.7, hold: 0.3 } } }));
  assert.equal(faults, []);
  assert.ok(exits(events).some((x) => JSON.stringify(x).includes('Closed by strategy')), JSON.stringify(exits(events)));
});

test.run();
