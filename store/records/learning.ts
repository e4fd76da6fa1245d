import { randomUUID } from 'node:crypto';
import { insertRows } from './sqlRows.js';
import type { SqlWriter } from './sqlRows.js';

/*
 * The learning system's writes (DuckDB): the pattern database (patterns, pattern_outcomes),
 * promotions, recommendations, experiments and feedback. Its reads stay with the learning
 * system (analyzer/learning/, queries/learning_*.sql); the kv table is in kv.ts. Values are bound
 * as parameters, never interpolated; JSON columns are bound as JSON text; `current_timestamp`
 * stamps rows whose time the caller does not give.
 */

/** A pattern (or a task type's base row) seen in a run's window: registered so outcomes can reference it. */
export interface SeenPatternRecord {
  id: string;
  kind: string;
  taskType: string;
  signature: string;
  /** Status of a new row ('base' or 'observed'); an existing row keeps its own. */
  status: string;
}

/** One window's counts of a pattern (table `pattern_outcomes`); windows are epoch nanoseconds. */
export interface PatternOutcomeRecord {
  patternId: string;
  runId: string;
  windowFromNs: bigint | null;
  windowToNs: bigint;
  support: number;
  successes: number;
}

/** A tested pattern's cumulative statistics, status and evidence (table `patterns`). */
export interface PatternStatsRecord {
  id: string;
  kind: string;
  taskType: string;
  signature: string;
  support: number;
  successes: number;
  successRate: number;
  ciLow: number;
  ciHigh: number;
  /** A non-finite lift (a base rate of 0) is stored as NULL. */
  lift: number | null;
  confidence: number;
  status: string;
  /** Stored as JSON. */
  evidence: Record<string, unknown>;
}

/** The states a review (a human or the auto-promote policy) sets on a pattern. */
export type PatternReviewStatus = 'rolling_out' | 'promoted' | 'rejected' | 'demoted';

/** One change of a task type's team policy or of the promotion rules (table `promotions`). */
export interface PromotionRecord {
  action: string;
  taskType: string | null;
  patternId: string | null;
  previousDefault: string | null;
  newDefault: string | null;
  share: number | null;
  bound: string | null;
  actor: string;
  reason: string;
}

/** A recommendation as the report carries it (table `recommendations`); scope and effect are stored as JSON. */
export interface RecommendationRecord {
  id: string;
  kind: string;
  scope: Record<string, string>;
  action: string;
  rationale: string;
  expected_effect: Record<string, unknown>;
  confidence: number;
  bounded_by: string;
}

/** An experiment definition with its defaults resolved (table `experiments`). */
export interface ExperimentRecord {
  name: string;
  variants: readonly string[];
  weights: readonly number[] | null;
  metric: string;
  minSample: number | null;
  status: string;
}

/** One piece of validated, normalised feedback on a trace (table `feedback`). */
export interface FeedbackRecord {
  traceId: string;
  spanId: string | null;
  score: number | null;
  label: string | null;
  source: string;
  comment: string | null;
}

const SEEN_PATTERN_COLUMNS = ['id', 'kind', 'task_type', 'signature', 'status', 'first_seen', 'last_seen', 'updated_at'] as const;
const SEEN_PATTERN_TAIL = 'ON CONFLICT (id) DO UPDATE SET last_seen = excluded.last_seen';
const OUTCOME_COLUMNS = ['pattern_id', 'run_id', 'window_from_ns', 'window_to_ns', 'support', 'successes'] as const;
const DELETE_OUTCOMES = 'DELETE FROM pattern_outcomes';
const PATTERN_STATS_COLUMNS = [
  'id', 'kind', 'task_type', 'signature', 'support', 'successes', 'success_rate', 'ci_low', 'ci_high', 'lift', 'confidence', 'status', 'evidence', 'updated_at',
] as const;
const PATTERN_STATS_TAIL = `ON CONFLICT (id) DO UPDATE SET kind = excluded.kind, support = excluded.support, successes = excluded.successes,
       success_rate = excluded.success_rate, ci_low = excluded.ci_low, ci_high = excluded.ci_high, lift = excluded.lift,
       confidence = excluded.confidence, status = excluded.status, evidence = excluded.evidence, updated_at = excluded.updated_at`;
const SET_PATTERN_STATUS = `UPDATE patterns SET status = $s, updated_at = current_timestamp WHERE id = $id`;
const INSERT_PROMOTION = `INSERT INTO promotions (id, pattern_id, task_type, action, previous_default, new_default, traffic_share, bounded_by, actor, reason, created_at)
     VALUES ($id, $pattern_id, $task_type, $action, $prev, $next, $share, $bound, $actor, $reason, current_timestamp)`;
const UPSERT_RECOMMENDATION = `INSERT INTO recommendations (id, run_id, kind, scope, action, rationale, expected_effect, confidence, bounded_by, status, created_at)
       VALUES ($id, $run, $kind, CAST($scope AS JSON), $action, $rationale, CAST($effect AS JSON), $confidence, $bound, 'open', current_timestamp)
       ON CONFLICT (id) DO UPDATE SET run_id = excluded.run_id, scope = excluded.scope, action = excluded.action, rationale = excluded.rationale,
         expected_effect = excluded.expected_effect, confidence = excluded.confidence, bounded_by = excluded.bounded_by, created_at = excluded.created_at`;
const UPSERT_EXPERIMENT = `INSERT INTO experiments (name, variants, weights, metric, min_sample, status, created_at)
     VALUES ($name, CAST($variants AS JSON), CAST($weights AS JSON), $metric, $min, $status, current_timestamp)
     ON CONFLICT (name) DO UPDATE SET variants = excluded.variants, weights = excluded.weights, metric = excluded.metric,
       min_sample = excluded.min_sample, status = excluded.status`;
const INSERT_FEEDBACK = `INSERT INTO feedback (trace_id, span_id, score, label, source, comment, created_at) VALUES ($t, $s, $score, $label, $source, $comment, current_timestamp)`;

/**
 * Registers patterns seen at `seenAt` (ISO-8601): new rows get `status` and first/last seen;
 * existing ones only move `last_seen`.
 */
export async function insertSeenPatterns(db: SqlWriter, rows: readonly SeenPatternRecord[], seenAt: string): Promise<void> {
  await insertRows(db, 'patterns', SEEN_PATTERN_COLUMNS, rows.map((r) => [r.id, r.kind, r.taskType, r.signature, r.status, seenAt, seenAt, seenAt]), SEEN_PATTERN_TAIL);
}

/** Appends one window's counts per pattern to `pattern_outcomes`. */
export async function appendPatternOutcomes(db: SqlWriter, rows: readonly PatternOutcomeRecord[]): Promise<void> {
  await insertRows(db, 'pattern_outcomes', OUTCOME_COLUMNS, rows.map((r) => [r.patternId, r.runId, r.windowFromNs, r.windowToNs, r.support, r.successes]));
}

/** Forgets every window's counts (a rebuild recounts the whole history). */
export async function deletePatternOutcomes(db: SqlWriter): Promise<void> {
  await db.query(DELETE_OUTCOMES);
}

/** Upserts tested patterns' statistics, status and evidence, stamped `updatedAt` (ISO-8601). */
export async function upsertPatternStats(db: SqlWriter, rows: readonly PatternStatsRecord[], updatedAt: string): Promise<void> {
  await insertRows(
    db,
    'patterns',
    PATTERN_STATS_COLUMNS,
    rows.map((p) => [p.id, p.kind, p.taskType, p.signature, p.support, p.successes, p.successRate, p.ciLow, p.ciHigh,
      p.lift !== null && Number.isFinite(p.lift) ? p.lift : null, p.confidence, p.status, JSON.stringify(p.evidence), updatedAt]),
    PATTERN_STATS_TAIL,
  );
}

/**
 * Sets a pattern's review status (no-op for an unknown id).
 * @example
 * await setPatternStatus(db, patternId, 'rejected');
 */
export async function setPatternStatus(db: SqlWriter, id: string, status: PatternReviewStatus): Promise<void> {
  await db.query(SET_PATTERN_STATUS, { s: status, id });
}

/** Appends one policy change to `promotions`; returns its new id. */
export async function insertPromotion(db: SqlWriter, c: PromotionRecord): Promise<string> {
  const id = randomUUID();
  await db.query(INSERT_PROMOTION, {
    id, pattern_id: c.patternId, task_type: c.taskType, action: c.action, prev: c.previousDefault, next: c.newDefault, share: c.share, bound: c.bound, actor: c.actor, reason: c.reason,
  });
  return id;
}

/** Upserts recommendations (status 'open') under `runId`, one statement each. */
export async function upsertRecommendations(db: SqlWriter, runId: string, recs: readonly RecommendationRecord[]): Promise<void> {
  for (const r of recs) {
    await db.query(UPSERT_RECOMMENDATION, {
      id: r.id, run: runId, kind: r.kind, scope: JSON.stringify(r.scope), action: r.action, rationale: r.rationale, effect: JSON.stringify(r.expected_effect), confidence: r.confidence, bound: r.bounded_by,
    });
  }
}

/** Creates an experiment or replaces its definition (its creation time stays). */
export async function upsertExperiment(db: SqlWriter, e: ExperimentRecord): Promise<void> {
  await db.query(UPSERT_EXPERIMENT, {
    name: e.name, variants: JSON.stringify(e.variants), weights: e.weights ? JSON.stringify(e.weights) : null, metric: e.metric, min: e.minSample, status: e.status,
  });
}

/**
 * Appends one piece of feedback, stamped now.
 * @example
 * await insertFeedback(db, { traceId, spanId: null, score: null, label: 'success', source: 'cli', comment: null });
 */
export async function insertFeedback(db: SqlWriter, f: FeedbackRecord): Promise<void> {
  await db.query(INSERT_FEEDBACK, { t: f.traceId, s: f.spanId, score: f.score, label: f.label, source: f.source, comment: f.comment });
}
