import type { DuckDBConnection } from '@duckdb/node-api';
import type { RollupSpan } from './rollups.js';

/** A stored span read back with what rewriting it needs: its key, its rollup fields and what may be filled in. */
export interface StoredSpan extends RollupSpan {
  traceId: string;
  spanId: string;
  scopeName: string | null;
  callId: string | null;
  sessionId: string | null;
  taskId: string | null;
  teamId: string | null;
  provider: string | null;
  agentPath: string | null;
}

const COLUMNS = `trace_id, span_id, parent_span_id, start_ns, duration_ns, service_name, scope_name, agent_name, operation, model, provider,
  status_code, error_type, task_id, task_type, team_id, team_signature, recovery_strategy, recovery_outcome, input_tokens, output_tokens,
  cost_usd, call_id, session_id, agent_path`;

const s = (v: unknown): string | null => (v === null || v === undefined ? null : String(v));
const n = (v: unknown): number | null => (v === null || v === undefined ? null : Number(v));

/**
 * Stored spans matching `where` (bound with `params`), whose keys are joined from the temp table
 * `_batch_keys` filled with `keys` (pairs of strings put in its two columns) when `keys` is given.
 */
export async function readStoredSpans(
  conn: DuckDBConnection,
  where: string,
  params: Record<string, string | bigint>,
  keys?: { join: string; rows: readonly (readonly [string, string])[] },
): Promise<StoredSpan[]> {
  let from = 'spans s';
  if (keys) {
    if (keys.rows.length === 0) return [];
    await conn.run('DELETE FROM _batch_keys');
    const ap = await conn.createAppender('_batch_keys', 'main', 'temp');
    try {
      for (const [a, b] of keys.rows) {
        ap.appendVarchar(a);
        ap.appendVarchar(b);
        ap.endRow();
      }
      ap.flushSync();
    } finally {
      ap.closeSync();
    }
    from = `spans s SEMI JOIN temp.main._batch_keys k ON ${keys.join}`;
  }
  const res = await conn.runAndReadAll(`SELECT ${COLUMNS.split(',').map((c) => `s.${c.trim()}`).join(', ')} FROM ${from} WHERE ${where}`, params);
  return res.getRows().map((r) => ({
    traceId: String(r[0]),
    spanId: String(r[1]),
    parentSpanId: s(r[2]),
    startNs: BigInt(r[3] as bigint),
    durationNs: BigInt(r[4] as bigint),
    serviceName: s(r[5]),
    scopeName: s(r[6]),
    agentName: s(r[7]),
    operation: s(r[8]),
    model: s(r[9]),
    provider: s(r[10]),
    statusCode: String(r[11]),
    errorType: s(r[12]),
    taskId: s(r[13]),
    taskType: s(r[14]),
    teamId: s(r[15]),
    teamSignature: s(r[16]),
    recoveryStrategy: s(r[17]),
    recoveryOutcome: s(r[18]),
    inputTokens: n(r[19]),
    outputTokens: n(r[20]),
    costUsd: n(r[21]),
    callId: s(r[22]),
    sessionId: s(r[23]),
    agentPath: s(r[24]),
  }));
}

/** Fields `rewriteStored` may change on a stored span. */
export type SpanPatch = Partial<
  Pick<StoredSpan, 'agentName' | 'sessionId' | 'taskId' | 'teamId' | 'agentPath' | 'model' | 'provider' | 'inputTokens' | 'outputTokens' | 'costUsd' | 'statusCode' | 'errorType'>
>;

const PATCH_COLUMNS: Record<keyof SpanPatch, string> = {
  agentName: 'agent_name',
  sessionId: 'session_id',
  taskId: 'task_id',
  teamId: 'team_id',
  agentPath: 'agent_path',
  model: 'model',
  provider: 'provider',
  inputTokens: 'input_tokens',
  outputTokens: 'output_tokens',
  costUsd: 'cost_usd',
  statusCode: 'status_code',
  errorType: 'error_type',
};

/** Updates one stored span's columns named in `patch` (values bound, never interpolated). */
export async function patchStored(conn: DuckDBConnection, span: StoredSpan, patch: SpanPatch): Promise<void> {
  const sets: string[] = [];
  const params: Record<string, string | number | bigint | null> = { t: span.traceId, s: span.spanId, st: span.startNs };
  for (const [k, col] of Object.entries(PATCH_COLUMNS) as [keyof SpanPatch, string][]) {
    if (!(k in patch)) continue;
    sets.push(`${col} = $${k}`);
    const v = patch[k];
    params[k] = v === undefined ? null : (v as string | number | null);
  }
  if (sets.length === 0) return;
  await conn.run(`UPDATE spans SET ${sets.join(', ')} WHERE trace_id = $t AND span_id = $s AND start_ns = $st`, params);
}

/**
 * Fills attribution columns of many stored spans in one statement: each column is set only where
 * it is NULL (values bound through a temp table, never interpolated).
 */
export async function fillAttribution(
  conn: DuckDBConnection,
  patches: readonly { span: StoredSpan; patch: Pick<SpanPatch, 'agentName' | 'sessionId' | 'taskId' | 'teamId' | 'agentPath'> }[],
): Promise<void> {
  if (patches.length === 0) return;
  await conn.run(
    'CREATE TEMP TABLE IF NOT EXISTS _attribution (trace_id VARCHAR, span_id VARCHAR, start_ns BIGINT, agent_name VARCHAR, session_id VARCHAR, task_id VARCHAR, team_id VARCHAR, agent_path VARCHAR)',
  );
  await conn.run('DELETE FROM _attribution');
  const ap = await conn.createAppender('_attribution', 'main', 'temp');
  const v = (x: string | null | undefined): void => (x === null || x === undefined ? ap.appendNull() : ap.appendVarchar(x));
  try {
    for (const { span, patch } of patches) {
      ap.appendVarchar(span.traceId);
      ap.appendVarchar(span.spanId);
      ap.appendBigInt(span.startNs);
      v(patch.agentName);
      v(patch.sessionId);
      v(patch.taskId);
      v(patch.teamId);
      v(patch.agentPath);
      ap.endRow();
    }
    ap.flushSync();
  } finally {
    ap.closeSync();
  }
  await conn.run(`UPDATE spans SET agent_name = coalesce(spans.agent_name, p.agent_name), session_id = coalesce(spans.session_id, p.session_id),
    task_id = coalesce(spans.task_id, p.task_id), team_id = coalesce(spans.team_id, p.team_id),
    agent_path = coalesce(spans.agent_path, p.agent_path)
    FROM temp.main._attribution p WHERE spans.trace_id = p.trace_id AND spans.span_id = p.span_id AND spans.start_ns = p.start_ns`);
}
