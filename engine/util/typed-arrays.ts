/** The typed arrays the engine keeps growable columns in. */
export type NumberColumn = Float64Array | Int32Array | Int8Array | Uint32Array;

/**
 * A copy of `column` in a new array of the same type and `length` elements (the rest zero):
 * how the engine's columnar stores (deal history, daily closes, the report's trades, realised
 * risk) grow. Typed arrays keep their numbers off the collector's heap, which object arrays do not.
 */
export function widened<A extends NumberColumn>(column: A, length: number): A {
  const out = new (column.constructor as new (length: number) => A)(length);
  out.set(column);
  return out;
}
