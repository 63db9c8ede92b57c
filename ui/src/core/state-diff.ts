/**
 * A compact diff between two immutable states, by identity: what the live worker posts to the
 * page instead of structured-cloning the whole state every frame. The reducer never mutates a
 * state it has handed out, so `a === b` means "unchanged" and only changed slices travel.
 *
 * @example
 * const patch = diffState(posted, next); // in the worker
 * mirror = applyPatch(mirror, patch);     // on the page: unchanged slices keep their identity
 */
export type Patch =
  /** Replaced outright. */
  | { readonly v: unknown }
  /** A plain object: only the changed keys, and the removed ones. */
  | { readonly o: Record<string, Patch>; readonly del?: readonly string[] }
  /** A list that kept a run of its old items: `old.slice(from, from + keep)` then `add`. */
  | { readonly from: number; readonly keep: number; readonly add: readonly unknown[] };

/** The patch turning `a` into `b`, or `undefined` when they are the same object. */
export function diffState(a: unknown, b: unknown): Patch | undefined {
  if (a === b) return undefined;
  if (Array.isArray(a) && Array.isArray(b)) return diffList(a, b);
  if (isPlain(a) && isPlain(b)) {
    const o: Record<string, Patch> = {};
    let del: string[] | undefined;
    for (const key in b) {
      const p = key in a ? diffState(a[key], b[key]) : { v: b[key] };
      if (p) o[key] = p;
    }
    for (const key in a) if (!(key in b)) (del ??= []).push(key);
    return del ? { o, del } : { o };
  }
  return { v: b };
}

/** Applies a patch made by `diffState`; returns new objects along the changed paths only. */
export function applyPatch<T>(a: T, patch: Patch | undefined): T {
  if (!patch) return a;
  if ('v' in patch) return patch.v as T;
  if ('o' in patch) {
    const next: Record<string, unknown> = { ...(a as Record<string, unknown>) };
    for (const key in patch.o) next[key] = applyPatch(next[key], patch.o[key]);
    for (const key of patch.del ?? []) delete next[key];
    return next as T;
  }
  const old = a as readonly unknown[];
  const kept = old.slice(patch.from, patch.from + patch.keep);
  for (const item of patch.add) kept.push(item);
  return kept as T;
}

/**
 * Bounded lists drop from the front and append at the back (and a repeated bar replaces the
 * last): find where `b` starts inside `a` and how long they agree, and send only the rest.
 */
function diffList(a: readonly unknown[], b: readonly unknown[]): Patch {
  if (b.length === 0 || a.length === 0) return { v: b };
  const from = a.indexOf(b[0]);
  if (from < 0) return { v: b };
  let keep = 0;
  while (from + keep < a.length && keep < b.length && a[from + keep] === b[keep]) keep++;
  // Mostly new: a plain copy is as small and simpler to apply.
  if (keep < b.length / 4) return { v: b };
  return { from, keep, add: b.slice(keep) };
}

function isPlain(x: unknown): x is Record<string, unknown> {
  if (typeof x !== 'object' || x === null) return false;
  const proto = Object.getPrototypeOf(x);
  return proto === Object.prototype || proto === null;
}
