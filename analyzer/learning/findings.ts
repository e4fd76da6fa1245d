import { createHash } from 'node:crypto';
import type { MantelHaenszelResult, Stratum2x2 } from '../stats/mantelHaenszel.js';
import { fitGrouped, scoreTest } from '../stats/forwardLogistic.js';
import { cellsOf, intersectionSize, pooledStat, sameComposition } from './findingRuns.js';
import type { Candidate, Direction, TaskView } from './findingRuns.js';
import { wilsonInterval } from '../stats/proportions.js';
import { featuresOf } from './features.js';
import type { FeatureKind } from './features.js';
import { membersOf, suggestSeparation } from './separation.js';
import type { SuggestedExperiment } from './separation.js';
import type { MinedPattern } from './patterns.js';
import type { ExecutionRecord } from './records.js';

/**
 * How a folded row relates to its finding: `same_runs` = it occurs in exactly the finding's runs
 * (the data cannot separate them); `within` = its runs are a subset of the finding's; `explained`
 * = it overlaps the finding, and once the finding's runs are set aside it no longer differs;
 * `mirror` = it differs the other way (or shares no run with the finding), because the finding's
 * runs sat in the rest of its task type: the other side of the same effect.
 */
export type AliasRelation = 'same_runs' | 'within' | 'explained' | 'mirror';

export interface FindingAlias {
  patternId: string;
  taskType: string;
  signature: string;
  relation: AliasRelation;
  support: number;
  successes: number;
}

/** One effect in the data: the smallest signature that explains it, and every row that restates it. */
export interface Finding {
  id: string;
  kind: 'antipattern' | 'pattern';
  signature: string;
  featureKind: FeatureKind;
  /** Task types where the signature itself was flagged (the strata its evidence is pooled over). */
  taskTypes: string[];
  /** The pattern rows (one per task type) of the signature. */
  patternIds: string[];
  support: number;
  successes: number;
  successRate: number;
  /** Success rate of the same task types' runs without the signature. */
  restRate: number;
  ciLow: number;
  ciHigh: number;
  /** Mantel–Haenszel odds ratio over the task types (success odds with / without). */
  oddsRatio: number;
  /** Cochran–Mantel–Haenszel p pooled over the task types. */
  pValue: number;
  /** Smallest BH q of its rows in the whole family of tests. */
  qValue: number;
  aliases: FindingAlias[];
  /** Signatures of the same size in exactly the same runs: the data cannot tell them from this one. */
  indistinguishable: string[];
  /** A run that would tell the indistinguishable candidates apart. */
  experiment: SuggestedExperiment | null;
  /** The effect adjusted for the other findings. */
  adjusted: AdjustedEffect;
  note: string;
}

/** The effect in a logistic model with an intercept per task type and every finding as a term. */
export interface AdjustedEffect {
  /** The other findings it is adjusted for. */
  adjustedFor: string[];
  /** Success odds with it / without it, the others held fixed. */
  oddsRatio: number;
  /** Score test of adding it to the model of the findings chosen before it. */
  pValue: number;
}

export interface FindingsReport {
  findings: Finding[];
  /** Rows significant in the family that stay significant with the findings accounted for, but not strongly enough for a finding of their own. */
  unconfirmed: { patternId: string; taskType: string; signature: string; kind: string; support: number; successes: number; qValue: number }[];
  /** Every (task type, feature) test of the family. */
  tested: number;
  /** Rows significant in the family (before folding). */
  flagged: number;
  /** Largest p-value BH rejected: the cutoff a residual effect must still pass to stay a finding of its own. */
  cutoff: number;
  fdr: number;
  procedure: string;
}

export const FINDINGS_PROCEDURE =
  'family: every (task type, feature) row with support ≥ min-support, Fisher exact two-sided against the rest of its task type; ' +
  'Benjamini–Hochberg across the whole family at the stated FDR. The significant rows are then folded by forward selection in a ' +
  'logistic model (an intercept per task type, one term per finding): at each step the row with the largest score statistic ' +
  '(ties: the smaller group of runs, then the smaller composition) becomes a finding if it passes Bonferroni over the whole ' +
  "family (p ≤ FDR / rows tested: the candidates were picked by looking at the data); the rest fold under the finding whose absence would let them explain the most (same runs, within its runs, " +
  "explained, or its mirror), or, if still significant at the family's cutoff with every finding accounted for, are listed as unconfirmed.";

/** How many parts a signature names: team members, 2 for a pair or a tool bigram, else 1. */
function sizeOf(signature: string): number {
  const members = membersOf(signature);
  if (members) return members.length;
  return signature.startsWith('seq:') ? 2 : 1;
}

const RELATION_RANK: Record<AliasRelation, number> = { same_runs: 0, within: 1, explained: 2, mirror: 3 };
const KIND_RANK: Record<string, number> = { pair: 0, team: 1 };
const kindRank = (s: string): number => KIND_RANK[s.slice(0, s.indexOf(':'))] ?? 2;

export interface FindingsOptions {
  fdr?: number;
  /** How many tested rows the family had (default: the rows given). */
  tested?: number;
}

/**
 * Folds the significant rows of one pattern-mining run into findings: one per effect, named by
 * the smallest signature that explains it across task types, with the rows that restate it as
 * aliases. Needs the runs themselves (which tasks hold which features), not only counts.
 */
export function buildFindings(records: readonly ExecutionRecord[], mined: readonly MinedPattern[], options: FindingsOptions = {}): FindingsReport {
  const significant = mined.filter((p) => p.significant && p.successRate !== p.restRate);
  const cutoff = significant.reduce((m, p) => Math.max(m, p.pValue), 0);
  const fdr = options.fdr ?? 0.05;
  const tested = options.tested ?? mined.length;
  const { findings, unconfirmed } = significant.length > 0 ? foldRows(records, significant, cutoff, fdr, tested) : { findings: [], unconfirmed: [] };
  return {
    findings,
    unconfirmed: unconfirmed.map((p) => ({ patternId: p.id, taskType: p.taskType, signature: p.signature, kind: p.kind, support: p.support, successes: p.successes, qValue: p.qValue })),
    tested,
    flagged: significant.length,
    cutoff,
    fdr,
    procedure: FINDINGS_PROCEDURE,
  };
}

const directionOf = (p: MinedPattern): Direction => (p.successRate < p.restRate ? 'antipattern' : 'pattern');

/**
 * Forward selection over both directions at once: a strong effect makes the rest of its task
 * type look better (or worse), so a "pattern" can be the mirror of an antipattern; once the
 * effect is a term of the model, neither its restatements nor its mirror have anything left.
 */
function foldRows(records: readonly ExecutionRecord[], rows: readonly MinedPattern[], cutoff: number, fdr: number, tested: number): { findings: Finding[]; unconfirmed: MinedPattern[] } {
  const sigsByType = new Map<string, Set<string>>();
  for (const r of rows) (sigsByType.get(r.taskType) ?? sigsByType.set(r.taskType, new Set()).get(r.taskType)!).add(r.signature);
  // Tasks of the task types concerned, with their outcome and which flagged rows they hold.
  const taskType: string[] = [];
  const taskTeam: (string | null)[] = [];
  const ok: boolean[] = [];
  const runsOfRow = new Map<string, number[]>();
  for (const r of records) {
    const wanted = r.taskType === null ? undefined : sigsByType.get(r.taskType);
    if (!wanted) continue;
    const i = taskType.length;
    taskType.push(r.taskType!);
    taskTeam.push(r.teamSignature);
    ok.push(r.success);
    for (const f of featuresOf(r)) {
      if (!wanted.has(f.signature)) continue;
      const key = `${r.taskType}\u0000${f.signature}`;
      (runsOfRow.get(key) ?? runsOfRow.set(key, []).get(key)!).push(i);
    }
  }
  const candidates = new Map<string, Candidate>();
  for (const row of rows) {
    const kind = directionOf(row);
    const key = `${kind}\u0000${row.signature}`;
    const c = candidates.get(key) ?? { kind, signature: row.signature, rows: [], rowRuns: [], runs: new Int32Array(0), runKey: '' };
    c.rows.push(row);
    c.rowRuns.push(Int32Array.from(runsOfRow.get(`${row.taskType}\u0000${row.signature}`) ?? []));
    candidates.set(key, c);
  }
  for (const c of candidates.values()) {
    const all = new Int32Array(c.rowRuns.reduce((n, r) => n + r.length, 0));
    let at = 0;
    for (const r of c.rowRuns) all.set(r, (at += r.length) - r.length);
    c.runs = all.sort();
    c.runKey = createHash('sha256').update(new Uint8Array(c.runs.buffer, c.runs.byteOffset, c.runs.byteLength)).digest('hex');
  }

  const tasks: TaskView = { ok, taskType, taskTeam };
  const list = [...candidates.values()];
  const { cells, strata } = cellsOf(list, tasks);
  // Forward selection: the candidate the current model explains least joins it, while one passes Bonferroni over the family.
  const chosen: Candidate[] = [];
  const chosenIdx: number[] = [];
  let fit = fitGrouped(cells, strata, []);
  while (chosen.length < MAX_FINDINGS) {
    let best: Ranked | null = null;
    // The rows in play were picked by looking at the data, so the honest family for a finding of
    // its own is the whole pattern space: Bonferroni over every tested row.
    const threshold = fdr / tested;
    list.forEach((c, k) => {
      if (chosenIdx.includes(k)) return;
      const t = scoreTest(cells, fit, strata, k);
      if (t === null || t.pValue > threshold) return;
      const ranked = { c, k, chi: t.chiSquare, support: c.runs.length, pValue: t.pValue };
      if (!best || better(ranked, best)) best = ranked;
    });
    if (!best) break;
    const { c, k, pValue } = best as Ranked;
    c.adjusted = { adjustedFor: chosen.map((f) => f.signature), oddsRatio: NaN, pValue };
    chosen.push(c);
    chosenIdx.push(k);
    fit = fitGrouped(cells, strata, chosenIdx);
  }
  // Direction and odds ratio from the final model: each finding adjusted for all the others.
  chosen.forEach((c, j) => {
    c.kind = fit.beta[j] < 0 ? 'antipattern' : 'pattern';
    c.adjusted!.oddsRatio = Math.exp(fit.beta[j]);
    c.adjusted!.adjustedFor = chosen.filter((f) => f !== c).map((f) => f.signature);
  });
  // Every row left restates a finding: it goes under the finding it would stand in for — the one
  // whose absence from the model lets it explain the most — then the one it shares most runs with.
  const folded = new Map<Candidate, { c: Candidate; relation: AliasRelation }[]>(chosen.map((c) => [c, []]));
  const without = chosenIdx.map((_, j) => fitGrouped(cells, strata, chosenIdx.filter((__, i) => i !== j)));
  const unconfirmed: MinedPattern[] = [];
  list.forEach((c, k) => {
    if (chosenIdx.includes(k)) return;
    const alone = scoreTest(cells, fit, strata, k);
    let home: { f: Candidate; chi: number; p: number; shared: number } | null = null;
    chosen.forEach((f, j) => {
      const t = scoreTest(cells, without[j], strata, k);
      const chi = t?.chiSquare ?? 0;
      const shared = intersectionSize(c.runs, f.runs);
      if (!home || chi > home.chi + 1e-9 * chi || (Math.abs(chi - home.chi) <= 1e-9 * chi && shared > home.shared)) home = { f, chi, p: t?.pValue ?? 1, shared };
    });
    const h = home as { f: Candidate; chi: number; p: number; shared: number } | null;
    // A row counted in the pattern DB whose runs this history no longer holds (late data, a
    // retention cut): nothing to fold it by.
    if (c.runs.length === 0) {
      unconfirmed.push(...c.rows);
      return;
    }
    // Still significant at the family's cutoff with every finding accounted for, no finding
    // accounting for it (taking one out of the model changes its statistic by less than a
    // 1-df significant amount), and not strong enough for a finding of its own: reported beside
    // the findings, not folded into one.
    const gain = h ? h.chi - (alone?.chiSquare ?? 0) : 0;
    if (!h || (alone !== null && alone.pValue <= cutoff && h.shared < c.runs.length && gain < CHI2_1DF_95)) {
      unconfirmed.push(...c.rows);
      return;
    }
    const relation: AliasRelation =
      c.runKey === h.f.runKey ? 'same_runs' : h.shared === c.runs.length ? 'within' : c.kind === h.f.kind && h.shared > 0 ? 'explained' : 'mirror';
    folded.get(h.f)!.push({ c, relation });
  });
  const findings = chosen.map((c) => toFinding(c, folded.get(c)!, tasks, pooledStat(c, tasks)));
  return { findings, unconfirmed };
}

/** χ²(1) at 95 %: how much a finding must explain of a row to have it folded under it. */
const CHI2_1DF_95 = 3.841;

/** No run of history holds more distinct effects than this; the selection stops there regardless. */
const MAX_FINDINGS = 50;

interface Ranked {
  c: Candidate;
  k: number;
  chi: number;
  /** The candidate's runs. */
  support: number;
  pValue: number;
}

/**
 * Larger statistic first. Within one task type a group and its complement have the same statistic
 * (the model cannot tell "these fail" from "the others succeed"), so on a tie the effect is the
 * smaller group of runs — the one that deviates — then the smaller composition, pairs before
 * teams, then by name.
 */
function better(x: Ranked, y: Ranked): boolean {
  if (Math.abs(x.chi - y.chi) > 1e-9 * Math.max(x.chi, y.chi)) return x.chi > y.chi;
  if (x.support !== y.support) return x.support < y.support;
  const sx = sizeOf(x.c.signature);
  const sy = sizeOf(y.c.signature);
  if (sx !== sy) return sx < sy;
  if (kindRank(x.c.signature) !== kindRank(y.c.signature)) return kindRank(x.c.signature) < kindRank(y.c.signature);
  return x.c.signature < y.c.signature;
}

function toFinding(c: Candidate, folded: { c: Candidate; relation: AliasRelation }[], tasks: TaskView, m: (MantelHaenszelResult & { tables: Stratum2x2[] }) | null): Finding {
  const kind = c.kind;
  const strata = m?.tables ?? [];
  const size = sizeOf(c.signature);
  const indistinguishable = folded
    .filter((f) => f.relation === 'same_runs' && sizeOf(f.c.signature) === size && !sameComposition(f.c.signature, c.signature))
    .map((f) => f.c.signature)
    .sort();
  const successes = Array.from(c.runs).filter((i) => tasks.ok[i]).length;
  const restN = strata.reduce((n, s) => n + s.c + s.d, 0);
  const restS = strata.reduce((n, s) => n + s.c, 0);
  const ci = wilsonInterval(successes, c.runs.length);
  const taskTypes = [...new Set(c.rows.map((r) => r.taskType))].sort();
  const aliases = folded
    .flatMap(({ c: a, relation }) => a.rows.map((row) => ({ patternId: row.id, taskType: row.taskType, signature: row.signature, relation, support: row.support, successes: row.successes })))
    .sort((x, y) => RELATION_RANK[x.relation] - RELATION_RANK[y.relation] || (x.signature < y.signature ? -1 : x.signature > y.signature ? 1 : x.taskType < y.taskType ? -1 : 1));
  const experiment = indistinguishable.length > 0 ? suggestSeparation([c.signature, ...indistinguishable], Array.from(c.runs).map((i) => ({ taskType: tasks.taskType[i], team: tasks.taskTeam[i] }))) : null;
  const rate = successes / c.runs.length;
  const restRate = restN > 0 ? restS / restN : NaN;
  const pct = (x: number): string => `${(100 * x).toFixed(1)} %`;
  const note =
    `${c.signature} ${kind === 'antipattern' ? 'fails more' : 'succeeds more'} than the rest of ${taskTypes.join(', ')} ` +
    `(${pct(rate)} vs ${pct(restRate)} over ${c.runs.length} runs)` +
    (aliases.length > 0 ? `; ${new Set(aliases.map((a) => a.signature)).size} other signatures restate it and are folded here` : '') +
    ((kind === 'antipattern') !== (rate < restRate)
      ? `; that reverses once ${c.adjusted!.adjustedFor.join(', ')} are accounted for (odds ratio ${c.adjusted!.oddsRatio.toFixed(2)})`
      : '') +
    (indistinguishable.length > 0 ? `; the data cannot tell it from ${indistinguishable.join(', ')} (always together)` : '');
  return {
    id: 'f_' + createHash('sha256').update(`${kind}\u0000${c.signature}\u0000${taskTypes.join(',')}`).digest('hex').slice(0, 12),
    kind,
    signature: c.signature,
    featureKind: c.rows[0].featureKind,
    taskTypes,
    patternIds: c.rows.map((r) => r.id).sort(),
    support: c.runs.length,
    successes,
    successRate: rate,
    restRate,
    ciLow: ci.lower,
    ciHigh: ci.upper,
    oddsRatio: m?.oddsRatio ?? NaN,
    pValue: m?.pValue ?? 1,
    qValue: Math.min(...c.rows.map((r) => r.qValue)),
    aliases,
    indistinguishable,
    experiment,
    adjusted: c.adjusted!,
    note,
  };
}
