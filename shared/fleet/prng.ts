/**
 * A small seeded pseudo-random generator (mulberry32) so synthetic sales are
 * byte-identical for the same seed on every machine and Node version;
 * `Math.random` cannot be seeded.
 */

/** A seeded source of uniform and normal deviates. */
export interface Prng {
  /** Uniform in [0, 1). */
  next(): number;
  /** Standard normal (Box–Muller). */
  normal(): number;
  /** Integer in [min, max] inclusive. */
  int(min: number, max: number): number;
}

/** mulberry32: 32-bit state, full period 2^32, good enough for simulation and tiny. */
export function mulberry32(seed: number): Prng {
  let state = seed >>> 0;
  const next = (): number => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return {
    next,
    normal: () => {
      // 1 - next() is in (0, 1], so the log never sees zero.
      const u = 1 - next();
      const v = next();
      return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
    },
    int: (min, max) => min + Math.floor(next() * (max - min + 1)),
  };
}

/**
 * A 32-bit seed from a run seed and a key (an ISBN), so each book's stream is
 * independent of which other books are generated and in what order.
 */
export function deriveSeed(seed: number, key: string): number {
  // FNV-1a over the key, mixed with the run seed.
  let h = (0x811c9dc5 ^ (seed >>> 0)) >>> 0;
  for (let i = 0; i < key.length; i++) {
    h ^= key.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h >>> 0;
}
