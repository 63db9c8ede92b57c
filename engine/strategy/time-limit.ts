import { createContext, Script } from 'node:vm';
import type { Strategy } from './strategy.ts';

/**
 * A plugin hook (or a run of bars) that did not return within its time limit and was stopped.
 * JavaScript cannot be interrupted from inside its own thread except by V8 terminating the
 * running script: Node does that for a `vm` script run with a `timeout`, and the function the
 * script calls is stopped with it, wherever it loops. The caller gets this error instead of a
 * process that never answers again.
 */
export class TimeLimitError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TimeLimitError';
  }
}

/** The bot's default limit for one plugin hook call (`bot.pluginTimeoutMs`). */
export const DEFAULT_PLUGIN_TIMEOUT_MS = 5_000;

/**
 * How long a backtest the server runs may hold the process in one slice of bars (8,192) before
 * it is stopped: 12 plugin limits, 60 s by default. A run that does not let the server through
 * for that long has already kept every client and the bot's feed waiting.
 */
export function backtestSliceLimitMs(pluginLimitMs: number): number {
  return 12 * pluginLimitMs;
}

// One context and one compiled script for every call: the script only calls `call`.
const context = createContext({ call: null as (() => unknown) | null });
const script = new Script('call()', { filename: 'tradeloom:time-limit' });

/**
 * `fn()`, stopped when it runs longer than `limitMs`: then a `TimeLimitError` whose message is
 * `what()` (told how long the limit was). Anything `fn` throws passes through unchanged. Each
 * call starts a watchdog thread (about 0.15 ms): a per-bar call in a bot, not a per-bar call in
 * a backtest's hot loop.
 */
export function withinTime<T>(fn: () => T, limitMs: number, what: () => string): T {
  const outer = context.call;
  context.call = fn;
  try {
    return script.runInContext(context, { timeout: limitMs }) as T;
  } catch (err) {
    if ((err as { code?: unknown } | null)?.code === 'ERR_SCRIPT_EXECUTION_TIMEOUT') throw new TimeLimitError(what());
    throw err;
  } finally {
    context.call = outer;
  }
}

const HOOKS = ['initialState', 'onStart', 'onBar', 'onTradeExit', 'onStop', 'onSave', 'onLoad', 'constraint'] as const;

/**
 * `strategy` with each of its hooks stopped after `limitMs` (a `TimeLimitError` naming the
 * plugin and the hook): what a bot runs, so a plugin stuck in a loop costs its symbol (the actor
 * parks it, as for a throw), not the feed, the server and every other symbol. Everything else
 * (id, codec, defaults) is read through to the plugin itself.
 *
 * @example
 * ```ts
 * const strategy = timeLimited(plugins.get('breakout')!.strategy, 5_000);
 * ```
 */
export function timeLimited<S extends Strategy>(strategy: S, limitMs: number): S {
  // Own properties over the plugin (which `defineStrategy` freezes: assigning would throw).
  const limited = Object.create(strategy) as S;
  for (const hook of HOOKS) {
    const original = (strategy as Record<string, unknown>)[hook];
    if (typeof original !== 'function') continue;
    const value = (...args: unknown[]) => withinTime(() => original.apply(strategy, args), limitMs,
      () => `${hook} ran for more than ${limitMs} ms and was stopped (a loop that does not end?); bot.pluginTimeoutMs sets the limit`);
    Object.defineProperty(limited, hook, { value, enumerable: true });
  }
  return Object.freeze(limited);
}
