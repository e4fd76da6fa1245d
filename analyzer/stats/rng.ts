/**
 * Seeded pseudo-random numbers for reproducible statistics (Monte Carlo,
 * Thompson sampling, simulations). Never use it for anything security related.
 */

/** A deterministic random source; every sampler draws only from `next()`. */
export interface Rng {
  /** Uniform double in [0, 1) with 32 bits of randomness. */
  next(): number;
  /** Uniform integer in [0, n). */
  int(n: number): number;
  /** Standard normal N(0, 1) (Marsaglia polar method, spare value cached). */
  normal(): number;
  /** Gamma(shape, scale 1), shape > 0 (Marsaglia–Tsang; shape < 1 via the U^(1/shape) boost). */
  gamma(shape: number): number;
  /** Beta(a, b), a, b > 0, as X / (X + Y) with X ~ Gamma(a), Y ~ Gamma(b). */
  beta(a: number, b: number): number;
}

const TWO_POW_32 = 4294967296;

/**
 * Creates an xoshiro128** generator (Blackman & Vigna) whose 128-bit state is
 * filled from `seed` by splitmix32, so nearby seeds give unrelated streams.
 * xoshiro128** is chosen over mulberry32 for its 2^128 − 1 period and because
 * it passes BigCrush; both are far faster than the samplers built on them.
 *
 * @example
 * const rng = createRng(42);
 * const u = rng.next(); const z = rng.normal(); const p = rng.beta(3, 7);
 */
export function createRng(seed: number): Rng {
  let s = seed >>> 0;
  const splitmix32 = (): number => {
    s = (s + 0x9e3779b9) | 0;
    let z = s;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
    return (z ^ (z >>> 16)) >>> 0;
  };
  let a = splitmix32();
  let b = splitmix32();
  let c = splitmix32();
  let d = splitmix32();
  // An all-zero state is the one fixed point of xoshiro; splitmix32 cannot
  // produce four zeros in a row in practice, but guard anyway.
  if ((a | b | c | d) === 0) a = 1;

  const nextUint32 = (): number => {
    const result = Math.imul(rotl(Math.imul(b, 5), 7), 9) >>> 0;
    const t = b << 9;
    c ^= a;
    d ^= b;
    b ^= c;
    a ^= d;
    c ^= t;
    d = rotl(d, 11);
    return result;
  };

  const next = (): number => nextUint32() / TWO_POW_32;

  let spare = 0;
  let hasSpare = false;
  const normal = (): number => {
    if (hasSpare) {
      hasSpare = false;
      return spare;
    }
    let u = 0;
    let v = 0;
    let r = 0;
    do {
      u = 2 * next() - 1;
      v = 2 * next() - 1;
      r = u * u + v * v;
    } while (r >= 1 || r === 0);
    const f = Math.sqrt((-2 * Math.log(r)) / r);
    spare = v * f;
    hasSpare = true;
    return u * f;
  };

  const gamma = (shape: number): number => {
    if (!(shape > 0) || !Number.isFinite(shape)) throw new RangeError(`gamma shape must be a positive finite number, got ${shape}`);
    if (shape < 1) {
      // Gamma(a) = Gamma(a + 1) · U^(1/a): Marsaglia–Tsang needs shape ≥ 1.
      // (1 − next()) ∈ (0, 1] avoids log/pow of 0.
      return gamma(shape + 1) * Math.pow(1 - next(), 1 / shape);
    }
    const dd = shape - 1 / 3;
    const cc = 1 / Math.sqrt(9 * dd);
    for (;;) {
      let x = 0;
      let v = 0;
      do {
        x = normal();
        v = 1 + cc * x;
      } while (v <= 0);
      v = v * v * v;
      const u = 1 - next();
      const x2 = x * x;
      if (u < 1 - 0.0331 * x2 * x2) return dd * v;
      if (Math.log(u) < 0.5 * x2 + dd * (1 - v + Math.log(v))) return dd * v;
    }
  };

  const beta = (alpha: number, betaParam: number): number => {
    const x = gamma(alpha);
    const y = gamma(betaParam);
    const sum = x + y;
    // Both gammas can underflow to 0 for tiny shapes; fall back to the mean.
    return sum > 0 ? x / sum : alpha / (alpha + betaParam);
  };

  const int = (n: number): number => Math.floor(next() * n);

  return { next, int, normal, gamma, beta };
}

function rotl(x: number, k: number): number {
  return (x << k) | (x >>> (32 - k));
}
