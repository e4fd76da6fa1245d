/**
 * A/B experiments on task success. Assignment is a deterministic hash of (experiment, unit)
 * (see assignment.ts and `variant()` in the SDK), which tags spans with
 * `agentpulse.experiment.<name>` = variant. The analysis checks, in order: sample-ratio
 * mismatch (chi-square vs the intended weights, p < 0.001 halts the verdict because assignment
 * or logging is broken), the minimum sample per arm for the minimum detectable effect, then
 * each variant against control with a two-proportion z-test, BH-adjusted across variants.
 */
import { upsertExperiment } from '../../store/records/learning.js';
import { bhQValues } from '../stats/multipleTesting.js';
import { minSampleSizePerArm, srmTest, twoProportionZTest, wilsonInterval } from '../stats/proportions.js';
import { num, parseJson } from './db.js';
import type { LearningDb } from './db.js';
import { LearningInputError } from './errors.js';
import { loadExecutionRecords } from './records.js';

export interface ExperimentDefinition {
  name: string;
  /** First variant is the control. */
  variants: string[];
  weights?: number[];
  /** Only task success is measured today. */
  metric?: 'task_success';
  /** Overrides the computed minimum sample per arm. */
  minSample?: number | null;
  status?: string;
}

export interface ExperimentAnalysisOptions {
  /** Significance level after BH across variants (default 0.05). */
  alpha?: number;
  /** SRM alarm level (default 0.001: the check runs on every experiment every run, so false alarms must be rare). */
  srmAlpha?: number;
  /** Minimum detectable absolute difference in success rate (default 0.05 = 5 points). */
  mde?: number;
  /** Power for the sample-size calculation (default 0.8). */
  power?: number;
}

export interface VariantResult {
  variant: string;
  tasks: number;
  successes: number;
  rate: number | null;
  ciLow: number;
  ciHigh: number;
  expectedShare: number;
}

export interface ExperimentResult {
  name: string;
  control: string;
  variants: VariantResult[];
  srm: { chiSquare: number; pValue: number; mismatch: boolean };
  minSamplePerArm: number;
  comparisons: { variant: string; diff: number; pValue: number; qValue: number; significant: boolean }[];
  verdict: 'no_data' | 'srm_mismatch' | 'collecting' | 'significant' | 'not_significant';
  winner: string | null;
  summary: string;
}

const NAME = /^[A-Za-z0-9_.-]{1,64}$/;

/** Creates or updates an experiment definition. */
export async function defineExperiment(db: LearningDb, def: ExperimentDefinition): Promise<void> {
  if (!NAME.test(def.name)) throw new LearningInputError(`experiment name must match ${NAME}, got "${def.name}"`);
  if (def.variants.length < 2 || new Set(def.variants).size !== def.variants.length) throw new LearningInputError('an experiment needs at least two distinct variants');
  if (def.weights && (def.weights.length !== def.variants.length || def.weights.some((w) => !(w > 0)))) throw new LearningInputError('weights must be positive, one per variant');
  await upsertExperiment(db, {
    name: def.name, variants: def.variants, weights: def.weights ?? null, metric: def.metric ?? 'task_success', minSample: def.minSample ?? null, status: def.status ?? 'running',
  });
}

/** Every defined experiment. */
export async function listExperiments(db: LearningDb): Promise<ExperimentDefinition[]> {
  const rows = await db.query(`SELECT name, CAST(variants AS VARCHAR) AS variants, CAST(weights AS VARCHAR) AS weights, metric, min_sample, status FROM experiments ORDER BY created_at, name`);
  return rows.map((r) => ({
    name: String(r.name),
    variants: parseJson<string[]>(r.variants, []),
    weights: parseJson<number[] | undefined>(r.weights, undefined) ?? undefined,
    metric: 'task_success',
    minSample: r.min_sample === null ? null : num(r.min_sample),
    status: String(r.status),
  }));
}

/** Pure analysis of per-variant counts; see the module comment for the order of checks. */
export function analyzeCounts(def: ExperimentDefinition, counts: Map<string, { tasks: number; successes: number }>, options: ExperimentAnalysisOptions = {}): ExperimentResult {
  const alpha = options.alpha ?? 0.05;
  const srmAlpha = options.srmAlpha ?? 0.001;
  const mde = options.mde ?? 0.05;
  const weights = def.weights ?? def.variants.map(() => 1);
  const wTotal = weights.reduce((a, b) => a + b, 0);
  const control = def.variants[0];
  const variants: VariantResult[] = def.variants.map((v, i) => {
    const c = counts.get(v) ?? { tasks: 0, successes: 0 };
    const ci = wilsonInterval(c.successes, c.tasks);
    return { variant: v, tasks: c.tasks, successes: c.successes, rate: c.tasks > 0 ? c.successes / c.tasks : null, ciLow: ci.lower, ciHigh: ci.upper, expectedShare: weights[i] / wTotal };
  });
  const srm = srmTest(variants.map((v) => v.tasks), weights);
  const p0 = variants[0].rate ?? 0.5;
  const p1 = p0 + mde <= 1 ? p0 + mde : p0 - mde;
  const minSamplePerArm = def.minSample ?? minSampleSizePerArm(p0, p1, { alpha, power: options.power ?? 0.8 });
  const raw = variants.slice(1).map((v) => twoProportionZTest(v.successes, v.tasks, variants[0].successes, variants[0].tasks));
  const q = bhQValues(raw.map((r) => r.pValue));
  const comparisons = variants.slice(1).map((v, i) => ({ variant: v.variant, diff: raw[i].diff, pValue: raw[i].pValue, qValue: q[i], significant: q[i] <= alpha }));
  const total = variants.reduce((s, v) => s + v.tasks, 0);
  let verdict: ExperimentResult['verdict'];
  let winner: string | null = null;
  const mismatch = total > 0 && srm.pValue < srmAlpha;
  if (total === 0) verdict = 'no_data';
  else if (mismatch) verdict = 'srm_mismatch';
  else if (variants.some((v) => v.tasks < minSamplePerArm)) verdict = 'collecting';
  else if (comparisons.some((c) => c.significant)) {
    verdict = 'significant';
    const better = comparisons.filter((c) => c.significant && c.diff > 0).sort((a, b) => b.diff - a.diff)[0];
    winner = better ? better.variant : control;
  } else verdict = 'not_significant';
  const rates = variants.map((v) => `${v.variant} ${v.successes}/${v.tasks}`).join(', ');
  const summary = {
    no_data: 'no tagged tasks yet',
    srm_mismatch: `sample ratio mismatch (p = ${srm.pValue.toExponential(2)}): assignment or logging is broken; do not trust the results`,
    collecting: `collecting: need ${minSamplePerArm} tasks per arm to detect ${(mde * 100).toFixed(0)} points (${rates})`,
    significant: `${winner} wins (${rates}; q = ${Math.min(...comparisons.map((c) => c.qValue)).toExponential(2)})`,
    not_significant: `no significant difference at α = ${alpha} (${rates})`,
  }[verdict];
  return { name: def.name, control, variants, srm: { chiSquare: srm.chiSquare, pValue: srm.pValue, mismatch }, minSamplePerArm, comparisons, verdict, winner, summary };
}

/** Analyses one experiment from the spans tagged by `variant()`. */
export async function analyzeExperiment(db: LearningDb, def: ExperimentDefinition, options: ExperimentAnalysisOptions = {}): Promise<ExperimentResult> {
  const records = await loadExecutionRecords(db, { experiment: def.name });
  const counts = new Map<string, { tasks: number; successes: number }>();
  for (const r of records) {
    if (r.variant === null) continue;
    const c = counts.get(r.variant) ?? { tasks: 0, successes: 0 };
    c.tasks++;
    if (r.success) c.successes++;
    counts.set(r.variant, c);
  }
  // Traffic in a variant the definition does not know is an assignment bug: give it a zero
  // intended share so the SRM check flags it instead of silently dropping those tasks.
  const unknown = [...counts.keys()].filter((v) => !def.variants.includes(v)).sort();
  if (unknown.length === 0) return analyzeCounts(def, counts, options);
  const weights = def.weights ?? def.variants.map(() => 1);
  return analyzeCounts({ ...def, variants: [...def.variants, ...unknown], weights: [...weights, ...unknown.map(() => 0)] }, counts, options);
}
