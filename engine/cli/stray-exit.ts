import { pluginsLoaded } from '../strategy/plugin-loader.ts';
import { catchStrayFailures } from '../strategy/stray-error.ts';

/**
 * For a command that runs plugins to completion (`npm run backtest`, `npm run optimize`): code of
 * a plugin's own that throws outside its hooks (a timer, callback or promise nobody waits for)
 * ends the run with one line naming the plugin, its file and line, and exit 1, not Node's crash
 * dump. The run cannot be trusted past it (what the plugin meant to do did not happen). A
 * plugin's `process.exit` (or abort, or kill of this process) throws in the plugin instead.
 */
export function exitOnStrayErrors(command: string): void {
  catchStrayFailures(pluginsLoaded, (f) => {
    process.stderr.write(`${command}: ${f.plugin ? f.what : `${f.what} outside the run`}: ${f.message}; the run is abandoned${f.plugin ? '' : `\n${f.stack}`}\n`);
    process.exit(1);
  });
}
