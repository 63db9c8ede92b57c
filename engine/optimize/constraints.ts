import { ParamError, type ParamSet, type ParamValue } from './param-space.ts';

/**
 * A test a combination must pass to be run; combinations that fail are skipped, not run.
 * `names`: the parameters it reads (a portfolio applies it to the symbols whose strategy has them).
 */
export type Constraint = ((params: Readonly<Record<string, unknown>>) => boolean) & { readonly names?: readonly string[] };

const OPS = ['<=', '>=', '==', '!=', '<', '>'] as const;
type Op = (typeof OPS)[number];

/**
 * Parses `--constraint "fast<slow"`: two operands (parameter names or numbers, each optionally
 * times a number, e.g. `2*fast<=slow` or `fast*2<=slow`) and one of < <= > >= == !=. Names are checked against
 * the parameters the run knows (`known`).
 *
 * @example
 * parseConstraint('fast<slow', ['fast', 'slow'])({ fast: 5, slow: 20 }); // true
 */
export function parseConstraint(text: string, known: readonly string[]): Constraint {
  const op = OPS.find((o) => text.includes(o));
  if (!op) throw new ParamError(`--constraint "${text}": expected two operands and one of ${OPS.join(' ')}`);
  const [left, right] = text.split(op).map((s) => s.trim());
  if (!left || !right || text.split(op).length !== 2) throw new ParamError(`--constraint "${text}": expected "a ${op} b"`);
  const names: string[] = [];
  const l = operand(text, left, known, names);
  const r = operand(text, right, known, names);
  return Object.assign((p: Readonly<Record<string, unknown>>) => compare(l(p), op, r(p)), { names });
}

function operand(text: string, raw: string, known: readonly string[], names: string[]): (p: Readonly<Record<string, unknown>>) => number {
  const m = /^(?:(-?\d+(?:\.\d+)?)\s*\*\s*)?([A-Za-z_][A-Za-z0-9_]*)(?:\s*\*\s*(-?\d+(?:\.\d+)?))?$/.exec(raw);
  if (m) {
    const factor = Number(m[1] ?? 1) * Number(m[3] ?? 1);
    const name = m[2];
    if (!known.includes(name)) throw new ParamError(`--constraint "${text}": unknown parameter "${name}" (known: ${known.join(', ')})`);
    names.push(name);
    return (p) => factor * Number(p[name]);
  }
  const n = Number(raw);
  if (!Number.isFinite(n)) throw new ParamError(`--constraint "${text}": "${raw}" is neither a parameter nor a number`);
  return () => n;
}

function compare(a: number, op: Op, b: number): boolean {
  switch (op) {
    case '<': return a < b;
    case '<=': return a <= b;
    case '>': return a > b;
    case '>=': return a >= b;
    case '==': return a === b;
    case '!=': return a !== b;
  }
}

/** All constraints at once, over the full config (base config with the combination merged in). */
export function allOf(constraints: readonly Constraint[], base: Readonly<Record<string, unknown>>): (params: ParamSet) => boolean {
  if (constraints.length === 0) return () => true;
  return (params: Readonly<Record<string, ParamValue>>) => {
    const merged = { ...base, ...params };
    return constraints.every((c) => c(merged));
  };
}
