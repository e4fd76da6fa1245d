import { spawnSync } from 'node:child_process';
import { join, resolve } from 'node:path';
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { ensureBuilt } from '../test/build.js';
import { parseRulesConfig } from './alerts/rules.js';
import { DURATION_UNITS, formatDuration, parseDuration, parseDurationMs, WindowSpecError } from './window.js';

const units = Object.keys(DURATION_UNITS);
const term = fc.record({ n: fc.integer({ min: 0, max: 10_000 }), unit: fc.constantFrom(...units) });
/** What one wording looks like, whoever asked. */
const WORDING = /^(--[a-z-]+: )?".*" is not a duration( longer than zero)?; use a number and a unit \(ms, s, m, h, d, w\), e\.g\. 90s, 30m, 24h, 7d or 1d12h$/;

describe('parseDuration', () => {
  // The last test runs the compiled CLI; rebuild only when sources are newer (a parallel tsc rewrites dist/).
  beforeAll(() => ensureBuilt(), 180_000);

  it('adds up any sequence of <integer><unit> terms exactly', () => {
    fc.assert(
      fc.property(fc.array(term, { minLength: 1, maxLength: 5 }), (terms) => {
        const text = terms.map((t) => `${t.n}${t.unit}`).join('');
        const expected = terms.reduce((s, t) => s + BigInt(t.n) * DURATION_UNITS[t.unit], 0n);
        expect(parseDuration(text, { allowZero: true })).toBe(expected);
      }),
    );
  });

  it('reads back what formatDuration writes', () => {
    fc.assert(
      fc.property(fc.bigInt({ min: 1n, max: 10n ** 18n }), (k) => {
        const ns = k * 1_000_000n; // formatDuration's smallest unit here is ms
        expect(parseDuration(formatDuration(ns))).toBe(ns);
      }),
    );
  });

  it('reads decimal fractions (1.5h = 90m) and ignores surrounding blanks', () => {
    expect(parseDuration('1.5h')).toBe(parseDuration('90m'));
    expect(parseDurationMs(' 0.25s ')).toBe(250);
    expect(parseDurationMs('1d12h')).toBe(36 * 3_600_000);
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 1_000 }), fc.integer({ min: 0, max: 999 }), (whole, milli) => {
        const frac = String(milli).padStart(3, '0');
        expect(parseDurationMs(`${whole}.${frac}s`, { allowZero: true })).toBe(whole * 1_000 + milli);
      }),
    );
  });

  it('refuses anything else, always with the one wording', () => {
    const bad = fc.oneof(
      fc.string({ maxLength: 12 }),
      fc.constantFrom('', '15', '90 s', '1 d', '-5m', '5x', 'h', '1h 30m', '1.h', '.5h', '0m', '0s0ms', '1e3s', 'soon'),
    );
    fc.assert(
      fc.property(bad, fc.constantFrom(undefined, '--since', '--max-lag'), (text, label) => {
        let valid = true;
        try {
          valid = parseDuration(text, { label }) > 0n;
        } catch (err) {
          valid = false;
          expect(err).toBeInstanceOf(WindowSpecError);
          expect((err as Error).message).toMatch(WORDING);
          if (label) expect((err as Error).message.startsWith(`${label}: `)).toBe(true);
        }
        // Whatever was accepted really is terms of <number><unit>.
        if (valid) expect(text.trim()).toMatch(/^(\d+(\.\d+)?(ms|s|m|h|d|w))+$/);
      }),
      { numRuns: 500 },
    );
  });

  it('accepts zero only when asked to (a rule\'s `for: 0s`)', () => {
    expect(parseDuration('0s', { allowZero: true })).toBe(0n);
    expect(() => parseDuration('0s', { label: '--since' })).toThrow('--since: "0s" is not a duration longer than zero; use a number and a unit');
  });

  it('is what every CLI command and the rules file say about a bad duration', () => {
    const bin = resolve(import.meta.dirname, '../bin/agentpulse.js');
    const db = join(resolve(import.meta.dirname, '..'), 'no-such-dir', 'x.duckdb');
    const runs: [string[], string][] = [
      [['health', '--max-lag', 'soon'], '--max-lag'],
      [['analyze', '--since', 'soon'], '--since'],
      [['retention', '--keep', 'soon'], '--keep'],
      [['export', '--since', 'soon', '--parquet', 'out'], '--since'],
      [['analytics', '--since', 'soon'], '--since'],
    ];
    expect(() => parseRulesConfig({ rules: [{ name: 'quiet', kind: 'absence', for: 'soon' }] }, 'rules.yaml')).toThrow(
      'rules.yaml: rules.0.for: "soon" is not a duration; use a number and a unit (ms, s, m, h, d, w), e.g. 90s, 30m, 24h, 7d or 1d12h',
    );
    for (const [args, label] of runs) {
      const r = spawnSync(process.execPath, [bin, '--db', db, ...args], { encoding: 'utf8', timeout: 60_000 });
      expect(r.stderr.trim(), args.join(' ')).toBe(`agentpulse: ${label}: "soon" is not a duration; use a number and a unit (ms, s, m, h, d, w), e.g. 90s, 30m, 24h, 7d or 1d12h`);
      expect(r.status).toBe(1);
    }
  });
});
