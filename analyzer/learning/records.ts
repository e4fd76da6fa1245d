import { num, runNamed } from './db.js';
import type { LearningDb, Row } from './db.js';

/** One task as the learning system sees it (queries/learning_execution_records.sql). */
export interface ExecutionRecord {
  taskId: string;
  traceId: string;
  taskType: string | null;
  teamSignature: string | null;
  startNs: bigint;
  endNs: bigint;
  durationNs: number;
  /** Agents invoked, in start order. */
  agents: string[];
  /** Tools executed, in start order. */
  tools: string[];
  models: string[];
  contextSize: number | null;
  recoveries: number;
  recovered: number;
  recoveryStrategies: string[];
  errorTypes: string[];
  costUsd: number;
  /** Outcome from span status alone. */
  statusSuccess: boolean;
  /** Explicit feedback, when given; it overrides the span status. */
  feedbackSuccess: boolean | null;
  success: boolean;
  /** Experiment variant and unit, when the query ran for an experiment. */
  variant: string | null;
  unitId: string | null;
}

export interface RecordFilter {
  sinceNs?: bigint | null;
  untilNs?: bigint | null;
  taskType?: string | null;
  experiment?: string | null;
}

const strings = (v: unknown): string[] => (Array.isArray(v) ? v.filter((x) => x !== null).map(String) : []);
const big = (v: unknown): bigint => (v === null || v === undefined ? 0n : BigInt(typeof v === 'number' ? Math.trunc(v) : String(v)));

function toRecord(r: Row): ExecutionRecord {
  return {
    taskId: String(r.task_id),
    traceId: String(r.trace_id),
    taskType: (r.task_type as string | null) ?? null,
    teamSignature: (r.team_signature as string | null) ?? null,
    startNs: big(r.start_ns),
    endNs: big(r.end_ns),
    durationNs: num(r.duration_ns),
    agents: strings(r.agents),
    tools: strings(r.tools),
    models: strings(r.models),
    contextSize: r.context_size === null || r.context_size === undefined ? null : num(r.context_size),
    recoveries: num(r.recoveries),
    recovered: num(r.recovered),
    recoveryStrategies: strings(r.recovery_strategies),
    errorTypes: strings(r.error_types),
    costUsd: num(r.cost_usd),
    statusSuccess: r.status_success === true,
    feedbackSuccess: r.feedback_success === null || r.feedback_success === undefined ? null : r.feedback_success === true,
    success: r.success === true,
    variant: (r.variant as string | null) ?? null,
    unitId: (r.unit_id as string | null) ?? null,
  };
}

/** Loads execution records, oldest first. */
export async function loadExecutionRecords(db: LearningDb, filter: RecordFilter = {}): Promise<ExecutionRecord[]> {
  const rows = await runNamed(db, 'learning_execution_records', {
    since_ns: filter.sinceNs ?? null,
    until_ns: filter.untilNs ?? null,
    task_type: filter.taskType ?? null,
    experiment: filter.experiment ?? null,
  });
  return rows.map(toRecord);
}
