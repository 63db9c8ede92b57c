import { BacktestFailedError } from '../backtest/run-end.ts';
import { formatTimestamp, type LogEvent } from '../../protocol/index.ts';
import type { BotConfig } from '../config/config-codec.ts';
import { ConfigError } from '../config/config-error.ts';
import { resolveBot } from '../config/resolve-bot.ts';
import type { CommandOutcome } from '../live/bot-controller.ts';
import { runPortfolioBacktestYielding } from '../backtest/config-backtest.ts';
import { loadPlugins, PluginError } from '../strategy/plugin-loader.ts';
import { newUuid } from '../util/ids.ts';
import { prepareRun, type PreparedRun } from '../optimize/prepare-run.ts';
import { overridesOf } from '../optimize/trial.ts';
import { readOptimisation } from './optimisation-recordings.ts';

export interface TrialBacktestRequest {
  /** Where optimisation recordings are (`<dataDir>/optimisations`). */
  readonly dir: string;
  readonly optimisationId: string;
  readonly trialId: string;
  /** The search's bars, when this server still holds them (else loaded again from its config). */
  readonly prepared?: PreparedRun;
  readonly publish: (event: LogEvent) => void;
}

/**
 * Starts one trial of a recorded optimisation as a full portfolio backtest: the recording's
 * config and date range with the trial's parameters as `--set` overrides (what
 * `npm run backtest -- --config ... --set` runs). It runs after the reply, its events on
 * `publish`; `running` settles when it is over.
 */
export async function startTrialBacktest(r: TrialBacktestRequest): Promise<{ outcome: CommandOutcome; running?: Promise<void> }> {
  const found = readOptimisation(r.dir, r.optimisationId);
  if (!found.ok) return { outcome: { ok: false, reason: found.reason } };
  const created = (found.recording.createdFrom ?? {}) as { bot?: BotConfig; plugins?: string[]; from?: string | null; to?: string | null; config?: string };
  const trial = (found.recording.trials as { id: string; params: Record<string, number | string | boolean> }[]).find((t) => t.id === r.trialId);
  if (!trial) return { outcome: { ok: false, reason: `optimisation ${r.optimisationId} has no trial ${JSON.stringify(r.trialId.slice(0, 64))}` } };
  if (!created.bot) return { outcome: { ok: false, reason: `optimisation ${r.optimisationId} was recorded without its config (an older recording): run its trial with npm run backtest` } };
  const range = { from: created.from ?? undefined, to: created.to ?? undefined };
  const where = created.config ?? r.optimisationId;
  let prepared: PreparedRun;
  let bot;
  try {
    prepared = r.prepared ?? await prepareRun({ bot: created.bot, where, configDir: process.cwd(), plugins: created.plugins ?? [], ...range });
    const loaded = await loadPlugins(prepared.spec.plugins, { baseDir: prepared.spec.baseDir });
    bot = resolveBot(created.bot, { where, baseDir: process.cwd(), strategies: new Map([...loaded].map(([k, p]) => [k, p.strategy])) });
  } catch (err) {
    if (err instanceof ConfigError || err instanceof PluginError) return { outcome: { ok: false, reason: err.message } };
    throw err;
  }
  const sessionId = newUuid();
  // After the reply, like run_backtest: the events then stream to every client.
  // The run lets the event loop through between slices of bars, as run_backtest's does.
  const running = new Promise<void>((resolve) => setImmediate(async () => {
    try {
      await runPortfolioBacktestYielding(bot, { histories: prepared.histories, paramOverrides: overridesOf(trial.params), ...range, sessionId, onEvent: r.publish });
    } catch (err) {
      // A failure after BACKTEST_START closed the session itself (ERROR, then BACKTEST_COMPLETE
      // with `error`); one before it still gets an ERROR of that session.
      if (!(err instanceof BacktestFailedError)) {
        r.publish({ timestamp: formatTimestamp(Date.now()), session_id: sessionId, event_type: 'ERROR', level: 'ERROR', data: { error: `trial backtest failed: ${(err as Error).message}`, traceback: '', source: 'backtest' } } as LogEvent);
      }
    } finally {
      resolve();
    }
  }));
  const params = Object.entries(trial.params).map(([k, v]) => `${k}=${v}`).join(' ');
  return { outcome: { ok: true, reason: `backtest of trial ${r.trialId} (${params}) started`, data: { session_id: sessionId, params: trial.params } }, running };
}
