import { DOUBLE, DuckDBInstance, LIST, listValue, type DuckDBConnection } from '@duckdb/node-api';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { quantileCont, quantileDisc, quantiles } from './quantiles.js';

let instance: DuckDBInstance;
let connection: DuckDBConnection;

beforeAll(async () => {
  instance = await DuckDBInstance.create(':memory:');
  connection = await instance.connect();
});

afterAll(() => {
  connection.closeSync();
  instance.closeSync();
});

async function duckQuantiles(values: number[], q: number): Promise<[number, number]> {
  const reader = await connection.runAndReadAll(
    'SELECT quantile_disc(x, $q) AS d, quantile_cont(x, $q) AS c FROM (SELECT unnest($values) AS x)',
    { q, values: listValue(values) },
    { q: DOUBLE, values: LIST(DOUBLE) },
  );
  const [d, c] = reader.getRows()[0];
  return [Number(d), Number(c)];
}

const interestingQ = fc.oneof(
  fc.constantFrom(0, 0.01, 0.07, 0.1, 0.14, 0.25, 0.28, 0.3, 0.5, 0.7, 0.75, 0.9, 0.95, 0.99, 0.999, 1, 1 / 3, 2 / 3),
  fc.double({ min: 0, max: 1, noNaN: true }),
);

describe('quantileDisc / quantileCont', () => {
  it('match DuckDB quantile_disc and quantile_cont on random data', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(
          fc.array(fc.integer({ min: -50, max: 50 }), { minLength: 1, maxLength: 300 }),
          fc.array(fc.double({ min: -1e6, max: 1e6, noNaN: true, noDefaultInfinity: true }), { minLength: 1, maxLength: 300 }),
        ),
        interestingQ,
        async (values, q) => {
          const sorted = Float64Array.from(values).sort();
          const [d, c] = await duckQuantiles(values, q);
          expect(quantileDisc(sorted, q) + 0).toBe(d + 0); // + 0 folds −0 into 0
          // Interpolating between a and b rounds at the scale of a and b, not of the result (which
          // can be ~0 between a large negative and 0), so the bound scales with the data's magnitude.
          const scale = Math.max(1, Math.abs(c), Math.abs(sorted[0]), Math.abs(sorted[sorted.length - 1]));
          expect(Math.abs(quantileCont(sorted, q) - c)).toBeLessThanOrEqual(1e-12 * scale);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('picks the DuckDB index for sizes where ⌊(n−1)q⌋ and ⌈nq⌉−1 disagree', async () => {
    for (const [n, q] of [[4, 0.9], [10, 0.95], [50, 0.14], [100, 0.07], [30, 1 / 3 + 1e-16]] as const) {
      const values = Array.from({ length: n }, (_, i) => i);
      const [d] = await duckQuantiles(values, q);
      expect(quantileDisc(values, q)).toBe(d);
    }
  });

  it('returns the extremes at q = 0 and 1 and rejects q outside [0, 1]', () => {
    const s = [1, 2, 3, 10];
    expect(quantileDisc(s, 0)).toBe(1);
    expect(quantileDisc(s, 1)).toBe(10);
    expect(quantileCont(s, 1)).toBe(10);
    expect(quantileCont(s, 0.5)).toBe(2.5);
    expect(() => quantileDisc(s, 1.5)).toThrow(RangeError);
    expect(Number.isNaN(quantileCont([], 0.5))).toBe(true);
  });
});

describe('quantiles', () => {
  it('sorts once, drops NaN and agrees with the sorted-array functions', () => {
    fc.assert(
      fc.property(fc.array(fc.double({ noDefaultInfinity: true }), { minLength: 1, maxLength: 100 }), interestingQ, (values, q) => {
        const finite = values.filter((v) => !Number.isNaN(v)).sort((a, b) => a - b);
        const [c] = quantiles(values, [q]);
        const [d] = quantiles(values, [q], 'disc');
        if (finite.length === 0) {
          expect(Number.isNaN(d)).toBe(true);
          return;
        }
        expect(d + 0).toBe(quantileDisc(finite, q) + 0);
        expect(Object.is(c, quantileCont(finite, q)) || Math.abs(c - quantileCont(finite, q)) === 0).toBe(true);
      }),
    );
  });
});
