import { lstatSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/** A folder name the optimiser could have written (`npm run optimize` or the workbench); refuses paths and traversal. */
const NAME = /^[A-Za-z0-9._+-]{1,160}$/;
/** An optimisation.json larger than this is not sent in one message (a search of a million trials). */
export const MAX_OPTIMISATION_BYTES = 12 * 1024 * 1024;

export interface OptimisationInfo {
  readonly name: string;
  readonly size: number;
  readonly modified: string;
}

export function isOptimisationName(name: string): boolean {
  return NAME.test(name) && name !== '.' && name !== '..';
}

/**
 * The optimisation recordings under `dir` (each `<name>/optimisation.json`), newest first.
 * Only regular files in real folders count; anything else is skipped, never thrown.
 */
export function listOptimisations(dir: string): OptimisationInfo[] {
  let entries;
  try {
    entries = readdirSync(dir, { withFileTypes: true });
  } catch {
    return [];
  }
  const out: OptimisationInfo[] = [];
  for (const entry of entries) {
    if (!entry.isDirectory() || !isOptimisationName(entry.name)) continue;
    try {
      const stat = lstatSync(join(dir, entry.name, 'optimisation.json'));
      if (stat.isFile()) out.push({ name: entry.name, size: stat.size, modified: stat.mtime.toISOString() });
    } catch {
      /* a run still under way, or no recording: not listed */
    }
  }
  return out.sort((a, b) => (a.modified < b.modified ? 1 : a.modified > b.modified ? -1 : 0));
}

/** The parsed recording, or why not (missing, too large, not an optimisation recording). */
export function readOptimisation(dir: string, name: string): { ok: true; recording: Record<string, unknown> } | { ok: false; reason: string } {
  if (!isOptimisationName(name)) return { ok: false, reason: `no optimisation named ${JSON.stringify(name.slice(0, 160))}` };
  const path = join(dir, name, 'optimisation.json');
  let stat;
  try {
    stat = lstatSync(path);
  } catch {
    return { ok: false, reason: `no optimisation named ${JSON.stringify(name)}` };
  }
  if (!stat.isFile()) return { ok: false, reason: `no optimisation named ${JSON.stringify(name)}` };
  if (stat.size > MAX_OPTIMISATION_BYTES) return { ok: false, reason: `${name} is ${Math.round(stat.size / 1e6)} MB, too large for one message; open its trials.csv instead` };
  try {
    const json = JSON.parse(readFileSync(path, 'utf8')) as Record<string, unknown>;
    if (json?.kind !== 'optimisation') return { ok: false, reason: `${name}/optimisation.json is not an optimisation recording` };
    return { ok: true, recording: json };
  } catch (err) {
    return { ok: false, reason: `${name}/optimisation.json cannot be read: ${(err as Error).message}` };
  }
}
