import { randomUUID } from 'node:crypto';
import type { LearningDb } from './db.js';
import { analyzeExperiment, listExperiments } from './experiments.js';
import type { ExperimentAnalysisOptions, ExperimentResult } from './experiments.js';
import type { AliasRelation, Finding } from './findings.js';
import { listPatterns, updatePatternDb } from './patternDb.js';
import type { StoredPattern } from './patternDb.js';
import { patternId } from './patterns.js';
import type { PatternDbUpdate } from './patternDb.js';
import { guardPromotions } from './guard.js';
import type { GuardAction } from './guard.js';
import { autoPromote } from './policy.js';
import type { PromotionStep } from './policy.js';
import { buildRecommendations, saveRecommendations } from './recommend.js';
import type { Recommendation } from './recommend.js';

/** The report contract's pattern shape (strict); `signature` is prefixed with the task type: `bugfix/team:coder+reviewer`. */
export interface ReportPattern {
  id: string;
  kind: 'pattern' | 'antipattern';
  signature: string;
  support: number;
  success_rate: number;
  confidence: number;
  status: string;
  finding_id?: string;
  aliases?: { signature: string; relation: AliasRelation }[];
}

/** A stored pattern in the report's shape. */
export function toReportPattern(p: { id: string; kind: 'pattern' | 'antipattern'; taskType: string; signature: string; support: number; successRate: number; confidence: number; status: string }): ReportPattern {
  return { id: p.id, kind: p.kind, signature: `${p.taskType}/${p.signature}`, support: p.support, success_rate: p.successRate, confidence: p.confidence, status: p.status };
}

/**
 * The report's patterns with findings folded: rows that restate a finding are left out, and the
 * finding's own rows carry them as `aliases` (a finding across task types has a row in each).
 */
export function foldedReportPatterns(rows: readonly StoredPattern[], findings: readonly Finding[]): ReportPattern[] {
  const byId = new Map(findings.map((f) => [f.id, f]));
  return rows.flatMap((p) => {
    const role = p.evidence.finding_role;
    const f = typeof p.evidence.finding_id === 'string' ? byId.get(p.evidence.finding_id) : undefined;
    if (role === 'alias' && f) return [];
    const out = toReportPattern(p);
    if (role !== 'finding' || !f) return [out];
    // The finding's aliases sit under its row in the task type they belong to (or the first row).
    const home = (a: { taskType: string }): string => (f.patternIds.includes(patternId(a.taskType, f.signature)) ? patternId(a.taskType, f.signature) : f.patternIds[0]);
    const aliases = f.aliases.filter((a) => home(a) === p.id).map((a) => ({ signature: `${a.taskType}/${a.signature}`, relation: a.relation }));
    return [{ ...out, kind: f.kind, finding_id: f.id, aliases }];
  });
}

export interface LearningResult {
  patterns: ReportPattern[];
  recommendations: Recommendation[];
  experiments: ExperimentResult[];
  promotions: PromotionStep[];
  /** Promoted teams the guard demoted this run (they got worse than the team they replaced). */
  demotions: GuardAction[];
  update: Pick<PatternDbUpdate, 'runId' | 'windowFromNs' | 'windowToNs' | 'tasks'>;
}

export interface LearningRunOptions {
  runId?: string;
  /** Window end by task start (default now). */
  untilNs?: bigint;
  minSupport?: number;
  fdr?: number;
  seed?: number;
  experiments?: ExperimentAnalysisOptions;
  /** Forget pattern counts and recount the whole history first. */
  rebuild?: boolean;
  /** Report patterns: antipatterns, team compositions and significant patterns (default), or every tested one. */
  reportAll?: boolean;
}

/**
 * One learning pass for an analyzer run (needs a writable store): updates the pattern DB with
 * the tasks since the last run, applies the auto-promote policy if one is configured (bounded,
 * recorded), rebuilds recommendations (saved to `recommendations`), and analyses running
 * experiments. Returns the report's `patterns` and `recommendations` (experiment verdicts are
 * recommendations of kind 'experiment').
 * @example
 * const { patterns, recommendations } = await runLearning(store, { runId });
 */
export async function runLearning(db: LearningDb, options: LearningRunOptions = {}): Promise<LearningResult> {
  const runId = options.runId ?? randomUUID();
  const update = await updatePatternDb(db, { runId, untilNs: options.untilNs, minSupport: options.minSupport, fdr: options.fdr, rebuild: options.rebuild });
  const demotions = await guardPromotions(db, { records: update.history });
  const promotions = await autoPromote(db);
  const experiments: ExperimentResult[] = [];
  for (const def of await listExperiments(db)) if (def.status === 'running') experiments.push(await analyzeExperiment(db, def, options.experiments));
  const recommendations = [...(await buildRecommendations(db, { seed: options.seed })), ...experiments.map(experimentRecommendation)];
  await saveRecommendations(db, runId, recommendations);
  const stored = await listPatterns(db);
  const patterns = foldedReportPatterns(
    stored.filter((p) => options.reportAll || p.kind === 'antipattern' || p.signature.startsWith('team:') || p.confidence >= 1 - (options.fdr ?? 0.05)),
    update.findings.findings,
  );
  return { patterns, recommendations, experiments, promotions, demotions, update: { runId, windowFromNs: update.windowFromNs, windowToNs: update.windowToNs, tasks: update.tasks } };
}

/** An experiment verdict as a report recommendation. */
export function experimentRecommendation(e: ExperimentResult): Recommendation {
  const action = {
    no_data: `start sending traffic to experiment ${e.name}`,
    srm_mismatch: `stop experiment ${e.name} and fix its assignment/logging before reading results`,
    collecting: `keep experiment ${e.name} running`,
    significant: e.winner === e.control ? `keep ${e.control}; end experiment ${e.name}` : `ship ${e.winner} from experiment ${e.name}`,
    not_significant: `no winner in experiment ${e.name}; keep ${e.control} or extend it`,
  }[e.verdict];
  const best = e.comparisons.find((c) => c.variant === e.winner);
  return {
    id: `rec_experiment_${e.name}`,
    kind: 'experiment',
    scope: { experiment: e.name },
    action,
    rationale: e.summary,
    expected_effect: { metric: 'task_success_rate', verdict: e.verdict, diff: best?.diff ?? null, srm_p_value: e.srm.pValue, min_sample_per_arm: e.minSamplePerArm },
    confidence: best ? 1 - best.qValue : 0,
    bounded_by: 'fixed hash assignment at the defined weights',
  };
}
