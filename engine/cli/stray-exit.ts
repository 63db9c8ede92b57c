import { pluginsLoaded } from '../strategy/plugin-loader.ts';
import { refuseExitsFromPlugins, strayPluginError } from '../strategy/stray-error.ts';
import { describeThrown } from '../util/thrown.ts';

/**
 * For a command that runs plugins to completion (`npm run backtest`, `npm run optimize`): code of
 * a plugin's own that throws outside its hooks (a timer, callback or promise nobody waits for)
 * ends the run with one line naming the plugin, its file and line, and exit 1, not Node's crash
 * dump. The run cannot be trusted past it (what the plugin meant to do did not happen). A
 * plugin's `process.exit` (or abort, or kill of this process) throws in the plugin instead.
 */
export function exitOnStrayErrors(command: string): void {
  const fail = (err: unknown, kind: string) => {
    const e = describeThrown(err);
    const stray = strayPluginError(err, pluginsLoaded());
    const what = stray ? `plugin ${stray.strategyIds.join(', ')} failed outside its hooks (${kind} at ${stray.at})` : `${kind} outside the run`;
    process.stderr.write(`${command}: ${what}: ${e.message}; the run is abandoned${stray ? '' : `\n${e.stack}`}\n`);
    process.exit(1);
  };
  process.on('uncaughtException', (err) => fail(err, 'an uncaught exception'));
  process.on('unhandledRejection', (reason) => fail(reason, 'an unhandled rejection'));
  refuseExitsFromPlugins(pluginsLoaded);
}
