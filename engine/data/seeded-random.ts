/**
 * mulberry32: a tiny, fast 32-bit PRNG. Not cryptographic; chosen because the same seed gives
 * the same sequence on every platform and Node version, which `Math.random` does not promise.
 * Returns floats in [0, 1).
 */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * A whole number in [0, n) from a source of 32-bit floats such as `mulberry32`. Up to 2^32 it
 * is `Math.floor(rng() * n)`, one draw (so seeded results stay as they were); above, one draw
 * holds too few bits to reach every number (2^32 values for 2^40 choices), so two draws make
 * a 53-bit fraction, enough for any safe integer n.
 *
 * @example
 * const rng = mulberry32(7);
 * const index = randomBelow(rng, 10_000_000_000); // every index reachable
 */
export function randomBelow(rng: () => number, n: number): number {
  if (n <= 4294967296) return Math.floor(rng() * n);
  const high = Math.floor(rng() * 2097152); // 21 bits
  const low = rng(); // 32 bits
  return Math.min(n - 1, Math.floor(((high + low) / 2097152) * n));
}

/** Standard normal draws (Box-Muller, both values used) from a uniform source. */
export function normalSource(uniform: () => number): () => number {
  let spare = NaN;
  return () => {
    if (!Number.isNaN(spare)) {
      const s = spare;
      spare = NaN;
      return s;
    }
    const u = 1 - uniform(); // (0, 1], keeps log finite
    const v = uniform();
    const r = Math.sqrt(-2 * Math.log(u));
    spare = r * Math.sin(2 * Math.PI * v);
    return r * Math.cos(2 * Math.PI * v);
  };
}

/** A stable 32-bit seed from a string (FNV-1a), so each symbol gets its own default series. */
export function seedFromString(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193) >>> 0;
  return h;
}
