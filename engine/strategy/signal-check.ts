import type { Signal } from './strategy.ts';
import { shown } from '../util/thrown.ts';

/**
 * What a plugin's `onBar` returned, checked and copied before the engine acts on it: a direction
 * outside buy, sell, close and hold, or a field of the wrong type, is the plugin's bug, and acting
 * on it would trade what nobody asked for (a `direction: "long"` was sent as a sell, and `{}`
 * closed the open position as a "reversal"). Each field is read once, here: a getter that throws
 * throws inside the engine's guard, not in the middle of an order.
 *
 * Values are checked for their type only; whether a stop is on the right side of the price is
 * the entry's rule (an entry with no valid stop is skipped with an ERROR, as before).
 */
export class SignalError extends Error {}

const DIRECTIONS = new Set(['buy', 'sell', 'close', 'hold']);

/** The signal, or null for "nothing this bar" (null, undefined or another falsy value); throws SignalError on anything else. */
export function readSignal(raw: unknown): Signal | null {
  if (!raw) return null;
  if (typeof raw !== 'object') throw new SignalError(`returned ${shown(raw)}: expected a signal object ({ direction, stopLoss, ... }) or nothing`);
  refusePromise(raw, 'onBar');
  const r = raw as Record<string, unknown>;
  const direction = r.direction;
  if (typeof direction !== 'string' || !DIRECTIONS.has(direction)) {
    throw new SignalError(`returned a signal with direction ${shown(direction)}: expected "buy", "sell", "close" or "hold"`);
  }
  const signal: { -readonly [K in keyof Signal]: Signal[K] } = { direction: direction as Signal['direction'] };
  const stopLoss = r.stopLoss;
  if (stopLoss !== undefined) signal.stopLoss = numberField('stopLoss', stopLoss);
  const takeProfit = r.takeProfit;
  if (takeProfit !== undefined) signal.takeProfit = numberField('takeProfit', takeProfit);
  const reason = r.reason;
  if (reason !== undefined) {
    if (typeof reason !== 'string') throw fieldError('reason', reason, 'a string');
    signal.reason = reason;
  }
  const patterns = r.patterns;
  if (patterns !== undefined) {
    if (!Array.isArray(patterns) || patterns.some((p) => typeof p !== 'string')) throw fieldError('patterns', patterns, 'an array of strings');
    signal.patterns = [...patterns] as string[];
  }
  const levels = r.srLevels;
  if (levels !== undefined) {
    if (levels === null || typeof levels !== 'object') throw fieldError('srLevels', levels, '{ support, resistance } (numbers or null)');
    const l = levels as Record<string, unknown>;
    signal.srLevels = { support: levelField('srLevels.support', l.support), resistance: levelField('srLevels.resistance', l.resistance) };
  }
  const decision = r.decision;
  if (decision !== undefined) {
    if (decision === null || typeof decision !== 'object') throw fieldError('decision', decision, '{ action, values }');
    const d = decision as Record<string, unknown>;
    if (typeof d.action !== 'string') throw fieldError('decision.action', d.action, 'a string');
    const values = d.values;
    if (values === null || typeof values !== 'object' || Array.isArray(values)) throw fieldError('decision.values', values, 'an object of numbers');
    const copied: Record<string, number> = {};
    for (const [k, v] of Object.entries(values)) {
      if (typeof v !== 'number') throw fieldError(`decision.values.${k}`, v, 'a number');
      copied[k] = v;
    }
    signal.decision = { action: d.action, values: copied };
  }
  return signal;
}

function numberField(name: string, value: unknown): number {
  if (typeof value !== 'number') throw fieldError(name, value, 'a price (number)');
  return value;
}

function levelField(name: string, value: unknown): number | null {
  if (value === null || value === undefined) return null;
  // A NaN level (an indicator not ready) is reported as none, as before.
  if (typeof value !== 'number') throw fieldError(name, value, 'a price (number) or null');
  return value;
}

function fieldError(name: string, value: unknown, expected: string): SignalError {
  return new SignalError(`returned a signal whose ${name} is ${shown(value)}: expected ${expected}`);
}

/**
 * A hook's result, refused with a SignalError when it is a Promise (an `async` hook). Hooks run
 * synchronously, once per bar: an async `onBar`'s signal would arrive after the bar it was for.
 * Its rejection, which nobody awaits, is caught here: left unhandled, Node ended the whole
 * process for it (a bot with open positions, or the server running a workbench backtest).
 */
export function syncResult<T>(value: T, hook: string): T {
  if (value !== null && typeof value === 'object') refusePromise(value, hook);
  return value;
}

function refusePromise(value: object, hook: string): void {
  const then = (value as { then?: unknown }).then;
  if (typeof then !== 'function') return;
  (value as PromiseLike<unknown>).then(undefined, () => undefined);
  throw new SignalError(`returned a Promise (an async ${hook}?): hooks must return synchronously, each bar's work done before the next bar; remove async and any await`);
}
