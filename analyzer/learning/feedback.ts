import { z } from 'zod';
import { insertFeedback } from '../../store/records/learning.js';
import type { LearningDb } from './db.js';
import { LearningInputError } from './errors.js';

/** Labels that mean the task succeeded or failed; other labels are kept but do not change outcomes. */
const SUCCESS_LABELS = new Set(['success', 'succeeded', 'pass', 'passed', 'good', 'positive', 'correct', 'resolved', 'ok']);
const FAILURE_LABELS = new Set(['failure', 'failed', 'fail', 'bad', 'negative', 'incorrect', 'wrong', 'unresolved', 'error']);

/** Feedback as accepted from the CLI and `POST /api/feedback`. */
export const FeedbackInput = z
  .object({
    trace_id: z.string().regex(/^[0-9a-f]{32}$/i, 'trace_id must be 32 hex characters'),
    span_id: z.string().regex(/^[0-9a-f]{16}$/i, 'span_id must be 16 hex characters').optional(),
    /** Quality in [0, 1]; ≥ 0.5 counts as success when no success/failure label is given. */
    score: z.number().min(0).max(1).optional(),
    label: z.string().trim().min(1).max(64).optional(),
    source: z.string().max(64).optional(),
    comment: z.string().max(4000).optional(),
  })
  .refine((f) => f.score !== undefined || f.label !== undefined, { message: 'give a score (0..1) or a label' });

export type FeedbackInput = z.infer<typeof FeedbackInput>;

/** success/failure for known synonyms, else the label as given (lower-cased). */
export function normalizeLabel(label: string): string {
  const l = label.trim().toLowerCase();
  if (SUCCESS_LABELS.has(l)) return 'success';
  if (FAILURE_LABELS.has(l)) return 'failure';
  return l;
}

export interface StoredFeedback {
  traceId: string;
  score: number | null;
  label: string | null;
  /** The outcome this feedback imposes on the trace's task, or null when it imposes none. */
  outcome: 'success' | 'failure' | null;
}

/**
 * Validates and stores one piece of feedback. The latest feedback on a trace overrides the
 * span-status outcome of its task (see queries/learning_execution_records.sql).
 */
export async function recordFeedback(db: LearningDb, input: unknown): Promise<StoredFeedback> {
  const parsed = FeedbackInput.safeParse(input);
  if (!parsed.success) throw new LearningInputError(`invalid feedback: ${parsed.error.issues.map((i) => `${i.path.join('.') || 'body'}: ${i.message}`).join('; ')}`);
  const f = parsed.data;
  const label = f.label === undefined ? null : normalizeLabel(f.label);
  await insertFeedback(db, { traceId: f.trace_id.toLowerCase(), spanId: f.span_id?.toLowerCase() ?? null, score: f.score ?? null, label, source: f.source ?? 'api', comment: f.comment ?? null });
  const outcome = label === 'success' || label === 'failure' ? label : f.score !== undefined ? (f.score >= 0.5 ? 'success' : 'failure') : null;
  return { traceId: f.trace_id.toLowerCase(), score: f.score ?? null, label, outcome };
}
