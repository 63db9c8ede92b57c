import { fileURLToPath } from 'node:url';
import { isAbsolute, join, sep } from 'node:path';
import type { LoadedPlugin } from './plugin-loader.ts';
import { describeThrown } from '../util/thrown.ts';

const BUILTIN_DIR = fileURLToPath(new URL('../../plugins/', import.meta.url));

/** A plugin's failure outside the engine's calls into it: which plugin, and where its code threw. */
export interface StrayPluginError {
  /** The strategies of the folder whose code threw (a folder exporting several shares its code: all of them). */
  readonly strategyIds: readonly string[];
  /** The plugin's frame: `path:line:column`. */
  readonly at: string;
}

/**
 * Which loaded plugin threw `err` outside its hooks: from a timer, an event handler or a promise
 * of its own (an uncaught exception or unhandled rejection, which Node ends the process for).
 * The topmost stack frame inside a plugin's folder names it; frames of `plugins/lib/` (shared
 * helpers) are passed over. Null when no frame is a plugin's: the error is the engine's own.
 *
 * @example
 * process.on('uncaughtException', (err) => { const p = strayPluginError(err, plugins); ... });
 */
export function strayPluginError(err: unknown, plugins: ReadonlyMap<string, LoadedPlugin>): StrayPluginError | null {
  const stack = err instanceof Error && typeof err.stack === 'string' ? err.stack : '';
  if (stack === '') return null;
  const folders = [...plugins].map(([id, plugin]) => ({ id, ...folderOf(plugin.source) }));
  for (const line of stack.split('\n').slice(1)) {
    const path = framePath(line);
    if (path === null) continue;
    const hit = folders.find((f) => (f.anywhere ? path.file.includes(f.folder) : path.file.startsWith(f.folder)));
    if (!hit) continue;
    return { strategyIds: folders.filter((f) => f.folder === hit.folder).map((f) => f.id), at: `${path.file}:${path.position}` };
  }
  return null;
}

/** A failure the process caught outside every call it made (see `catchStrayFailures`). */
export interface StrayFailure {
  /** The plugin whose code threw, or null: the engine's own. */
  readonly plugin: StrayPluginError | null;
  /** `an uncaught exception` or `an unhandled rejection`. */
  readonly kind: string;
  /** `plugin X failed outside its hooks (an uncaught exception at FILE:LINE:COL)`, or `an uncaught exception` when no plugin's code threw. */
  readonly what: string;
  readonly message: string;
  readonly stack: string;
}

/**
 * Catches what Node ends a process (or a worker thread) for, an uncaught exception or an unhandled
 * rejection, and refuses a plugin's exits (`refuseExitsFromPlugins`): `onFailure` decides what the
 * failure does (park the plugin's symbols, fail the search, end the run), knowing whose it was.
 */
export function catchStrayFailures(plugins: () => ReadonlyMap<string, LoadedPlugin>, onFailure: (failure: StrayFailure, err: unknown) => void): void {
  const caught = (err: unknown, kind: string) => {
    const plugin = strayPluginError(err, plugins());
    const { message, stack } = describeThrown(err);
    const what = plugin ? `plugin ${plugin.strategyIds.join(', ')} failed outside its hooks (${kind} at ${plugin.at})` : kind;
    onFailure({ plugin, kind, what, message, stack }, err);
  };
  process.on('uncaughtException', (err) => caught(err, 'an uncaught exception'));
  process.on('unhandledRejection', (reason) => caught(reason, 'an unhandled rejection'));
  refuseExitsFromPlugins(plugins);
}

/** A plugin's folder with a trailing separator, from `LoadedPlugin.source`; `anywhere` for a package's (under some node_modules). */
function folderOf(source: string): { folder: string; anywhere: boolean } {
  if (source.startsWith('builtin:')) return { folder: join(BUILTIN_DIR, source.slice('builtin:'.length)) + sep, anywhere: false };
  if (isAbsolute(source)) return { folder: source.endsWith(sep) ? source : source + sep, anywhere: false };
  return { folder: `${sep}node_modules${sep}${source}${sep}`, anywhere: true };
}

/** The file and `line:column` of a V8 stack line (`at f (file:line:col)` or `at file:line:col`), or null. */
function framePath(line: string): { file: string; position: string } | null {
  const m = /\(?((?:file:\/\/)?[^()\s]+):(\d+):(\d+)\)?\s*$/.exec(line.trim());
  if (!m) return null;
  let file = m[1];
  if (file.startsWith('file://')) {
    try {
      file = fileURLToPath(file);
    } catch {
      return null;
    }
  }
  return { file, position: `${m[2]}:${m[3]}` };
}

/**
 * `process.exit`, `process.abort` and `process.kill` of this process, called from a plugin's code,
 * throw instead: inside a hook that is a throw from the hook (the bot parks the symbol, an
 * optimiser trial fails naming its combination), in a timer of its own an uncaught exception.
 * Before, one such call ended the bot, its positions unmanaged, or an optimiser's worker thread.
 * The engine's own calls (the stack shows no plugin) go through as before.
 */
function refuseExitsFromPlugins(plugins: () => ReadonlyMap<string, LoadedPlugin>): void {
  const refuse = (call: string) => {
    const stray = strayPluginError(new Error(call), plugins());
    if (stray) throw new Error(`${call} called by plugin ${stray.strategyIds.join(', ')} at ${stray.at} was refused: a plugin may not end the process it runs in`);
  };
  const exit = process.exit.bind(process);
  const abort = process.abort.bind(process);
  const kill = process.kill.bind(process);
  process.exit = ((code?: number | string | null) => {
    refuse(`process.exit(${code ?? ''})`);
    return exit(code);
  }) as typeof process.exit;
  process.abort = (() => {
    refuse('process.abort()');
    return abort();
  }) as typeof process.abort;
  process.kill = ((pid: number, signal?: string | number) => {
    if (pid === process.pid || pid === 0) refuse(`process.kill(${pid}${signal === undefined ? '' : `, ${JSON.stringify(signal)}`})`);
    return kill(pid, signal);
  }) as typeof process.kill;
}
