import { mantelHaenszel } from '../stats/mantelHaenszel.js';
import type { MantelHaenszelResult, Stratum2x2 } from '../stats/mantelHaenszel.js';
import type { Cell } from '../stats/forwardLogistic.js';
import { membersOf } from './separation.js';
import type { MinedPattern } from './patterns.js';

/*
 * The runs behind findings: which tasks hold which candidate rows, grouped into the logistic
 * model's cells, and the plain (unadjusted) pooled statistics of a candidate.
 */

export type Direction = 'antipattern' | 'pattern';

export interface Candidate {
  /** The direction of its rows in the family; at selection, the direction once earlier findings are set aside. */
  kind: Direction;
  signature: string;
  /** Filled when chosen. */
  adjusted?: { adjustedFor: string[]; oddsRatio: number; pValue: number };
  rows: MinedPattern[];
  /** Task indices per row (ascending), and their union. */
  rowRuns: Int32Array[];
  runs: Int32Array;
  runKey: string;
}

/** Groups runs by task type and the candidates they hold: the model's data. */
export function cellsOf(list: readonly Candidate[], tasks: TaskView): { cells: Cell[]; strata: number } {
  const strataOf = new Map<string, number>();
  for (const t of tasks.taskType) if (!strataOf.has(t)) strataOf.set(t, strataOf.size);
  const held: number[][] = tasks.taskType.map(() => []);
  list.forEach((c, k) => {
    for (const i of c.runs) held[i].push(k);
  });
  const cells = new Map<string, Cell>();
  tasks.taskType.forEach((t, i) => {
    const key = `${strataOf.get(t)}|${held[i].join(',')}`;
    const cell = cells.get(key) ?? cells.set(key, { stratum: strataOf.get(t)!, features: held[i], n: 0, s: 0 }).get(key)!;
    cell.n++;
    if (tasks.ok[i]) cell.s++;
  });
  return { cells: [...cells.values()], strata: strataOf.size };
}

/** A candidate's runs against the rest of each of its task types, pooled over them (Mantel–Haenszel); null without runs. */
export function pooledStat(c: Candidate, tasks: TaskView): (MantelHaenszelResult & { tables: Stratum2x2[] }) | null {
  const totals = new Map<string, { n: number; s: number }>();
  tasks.taskType.forEach((t, i) => {
    const x = totals.get(t) ?? totals.set(t, { n: 0, s: 0 }).get(t)!;
    x.n++;
    if (tasks.ok[i]) x.s++;
  });
  const strata: Stratum2x2[] = [];
  let support = 0;
  c.rows.forEach((row, k) => {
    const n = c.rowRuns[k].length;
    const s = c.rowRuns[k].reduce((m, i) => m + (tasks.ok[i] ? 1 : 0), 0);
    const base = totals.get(row.taskType)!;
    support += n;
    strata.push({ a: s, b: n - s, c: base.s - s, d: base.n - n - (base.s - s) });
  });
  return support === 0 ? null : { ...mantelHaenszel(strata), tables: strata };
}

export function intersectionSize(a: Int32Array, b: Int32Array): number {
  let i = 0;
  let j = 0;
  let n = 0;
  while (i < a.length && j < b.length) {
    if (a[i] === b[j]) {
      n++;
      i++;
      j++;
    } else if (a[i] < b[j]) i++;
    else j++;
  }
  return n;
}

export function sameComposition(a: string, b: string): boolean {
  const ma = membersOf(a);
  const mb = membersOf(b);
  return ma !== null && mb !== null && ma.length === mb.length && ma.every((m) => mb.includes(m));
}

export interface TaskView {
  ok: boolean[];
  taskType: string[];
  taskTeam: (string | null)[];
}

