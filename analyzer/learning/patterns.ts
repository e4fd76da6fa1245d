import { createHash } from 'node:crypto';
import { bhQValues } from '../stats/multipleTesting.js';
import { wilsonInterval } from '../stats/proportions.js';
import { featuresOf } from './features.js';
import type { FeatureKind } from './features.js';
import { fisherExactTest } from './fisherExact.js';
import type { ExecutionRecord } from './records.js';

/** Support and successes of one feature within one task type. */
export interface FeatureCount {
  taskType: string;
  kind: FeatureKind;
  signature: string;
  support: number;
  successes: number;
  /** A few failed traces, as evidence. */
  failedExamples: string[];
}

export interface BaseCount {
  taskType: string;
  support: number;
  successes: number;
}

/** One mined pattern, in the report contract's shape plus its statistics. */
export interface MinedPattern {
  id: string;
  kind: 'pattern' | 'antipattern';
  featureKind: FeatureKind;
  taskType: string;
  signature: string;
  support: number;
  successes: number;
  successRate: number;
  /** 95 % Wilson interval of the success rate. */
  ciLow: number;
  ciHigh: number;
  /** success rate / the task type's base rate. */
  lift: number;
  baseRate: number;
  /** Success rate of the same task type's tasks without this feature. */
  restRate: number;
  pValue: number;
  qValue: number;
  /** 1 − q: how sure the "differs from the rest" call is, after FDR control. */
  confidence: number;
  significant: boolean;
}

export interface MineOptions {
  /** Features seen in fewer tasks are not tested (default 10: below that a 2×2 table has too little power to matter). */
  minSupport?: number;
  /** Benjamini–Hochberg false discovery rate across every test of the run (default 0.05). */
  fdr?: number;
}

/** Stable id of a pattern: the same task type and signature always get the same id. */
export function patternId(taskType: string, signature: string): string {
  return 'p_' + createHash('sha256').update(`${taskType}\u0000${signature}`).digest('hex').slice(0, 12);
}

/** Counts features and bases per task type from records. */
export function countFeatures(records: readonly ExecutionRecord[], maxExamples = 5): { features: FeatureCount[]; bases: BaseCount[] } {
  const features = new Map<string, FeatureCount>();
  const bases = new Map<string, BaseCount>();
  for (const r of records) {
    if (!r.taskType) continue;
    const base = bases.get(r.taskType) ?? { taskType: r.taskType, support: 0, successes: 0 };
    base.support++;
    if (r.success) base.successes++;
    bases.set(r.taskType, base);
    for (const f of featuresOf(r)) {
      const key = `${r.taskType}\u0000${f.signature}`;
      let c = features.get(key);
      if (!c) features.set(key, (c = { taskType: r.taskType, kind: f.kind, signature: f.signature, support: 0, successes: 0, failedExamples: [] }));
      c.support++;
      if (r.success) c.successes++;
      else if (c.failedExamples.length < maxExamples) c.failedExamples.push(r.traceId);
    }
  }
  return { features: [...features.values()], bases: [...bases.values()] };
}

/**
 * Tests every feature with enough support against the rest of its task type (Fisher exact,
 * two-sided), controls the false discovery rate across all tests with Benjamini–Hochberg, and
 * labels a feature an antipattern when it is significantly worse than the rest. Everything else
 * frequent stays a pattern (significantly better ones have `significant` set).
 */
export function minePatterns(features: readonly FeatureCount[], bases: readonly BaseCount[], options: MineOptions = {}): MinedPattern[] {
  const minSupport = options.minSupport ?? 10;
  const fdr = options.fdr ?? 0.05;
  const baseOf = new Map(bases.map((b) => [b.taskType, b]));
  const tested = features.filter((f) => f.support >= minSupport && baseOf.has(f.taskType));
  const pValues = tested.map((f) => {
    const b = baseOf.get(f.taskType)!;
    const restN = b.support - f.support;
    const restS = b.successes - f.successes;
    return restN > 0 ? fisherExactTest(f.successes, f.support - f.successes, restS, restN - restS) : 1;
  });
  const q = bhQValues(pValues);
  return tested.map((f, i) => {
    const b = baseOf.get(f.taskType)!;
    const rate = f.successes / f.support;
    const baseRate = b.support > 0 ? b.successes / b.support : NaN;
    const restN = b.support - f.support;
    const restRate = restN > 0 ? (b.successes - f.successes) / restN : NaN;
    const ci = wilsonInterval(f.successes, f.support);
    const significant = q[i] <= fdr;
    return {
      id: patternId(f.taskType, f.signature),
      kind: significant && rate < restRate ? 'antipattern' : 'pattern',
      featureKind: f.kind,
      taskType: f.taskType,
      signature: f.signature,
      support: f.support,
      successes: f.successes,
      successRate: rate,
      ciLow: ci.lower,
      ciHigh: ci.upper,
      lift: baseRate > 0 ? rate / baseRate : NaN,
      baseRate,
      restRate,
      pValue: pValues[i],
      qValue: q[i],
      confidence: 1 - q[i],
      significant,
    };
  });
}
