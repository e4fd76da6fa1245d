/**
 * Whole-process timing of two commands run in turn (A B A B …), each with the same stdin, for
 * start-up budgets: the figure is the median of the paired differences A − B, so a machine that
 * speeds up or slows down during the run moves both sides of each pair alike.
 */
import { spawnSync } from 'node:child_process';

export interface PairedResult {
  label: string;
  runs: number;
  /** Medians in ms. */
  aMs: number;
  bMs: number;
  /** Median of the per-pair differences A − B, ms. */
  diffMs: number;
  /** Spread of the differences (min, max), ms. */
  diffMinMs: number;
  diffMaxMs: number;
}

export interface Command {
  argv: readonly string[];
  input?: string;
  env?: NodeJS.ProcessEnv;
  cwd?: string;
}

function timeOnce(c: Command): number {
  const t0 = process.hrtime.bigint();
  const r = spawnSync(c.argv[0]!, c.argv.slice(1), { input: c.input ?? '', env: c.env ?? process.env, cwd: c.cwd, stdio: ['pipe', 'ignore', 'pipe'], timeout: 30_000 });
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  if (r.status !== 0) throw new Error(`${c.argv.join(' ')} exited ${r.status}: ${r.stderr?.toString().trim().slice(0, 300)}`);
  return ms;
}

export const median = (xs: readonly number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};

/** Runs one warm-up of each, then `runs` pairs (alternating which goes first). */
export function paired(label: string, a: Command, b: Command, runs: number): PairedResult {
  timeOnce(a);
  timeOnce(b);
  const as: number[] = [];
  const bs: number[] = [];
  const diffs: number[] = [];
  for (let i = 0; i < runs; i++) {
    let ta: number;
    let tb: number;
    if (i % 2 === 0) {
      ta = timeOnce(a);
      tb = timeOnce(b);
    } else {
      tb = timeOnce(b);
      ta = timeOnce(a);
    }
    as.push(ta);
    bs.push(tb);
    diffs.push(ta - tb);
  }
  return { label, runs, aMs: median(as), bMs: median(bs), diffMs: median(diffs), diffMinMs: Math.min(...diffs), diffMaxMs: Math.max(...diffs) };
}

export function formatPaired(r: PairedResult, budgetMs?: number): string {
  const verdict = budgetMs === undefined ? '' : r.diffMs <= budgetMs ? `  within ${budgetMs} ms` : `  OVER ${budgetMs} ms`;
  return `${r.label.padEnd(34)} A ${r.aMs.toFixed(1).padStart(7)} ms  B ${r.bMs.toFixed(1).padStart(7)} ms  A−B median ${r.diffMs.toFixed(1).padStart(6)} ms (spread ${r.diffMinMs.toFixed(1)}…${r.diffMaxMs.toFixed(1)}, ${r.runs} pairs)${verdict}`;
}
