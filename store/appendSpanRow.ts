import type { DuckDBAppender } from '@duckdb/node-api';
import type { NormalizedSpan } from './normalize.js';

// Module-level (not per-row closures): this runs once per value on the write path.
/** Appends a nullable VARCHAR value (also used by the log and metric writers). */
export function vs(ap: DuckDBAppender, v: string | null): void {
  if (v === null) ap.appendNull();
  else ap.appendVarchar(v);
}

function vi(ap: DuckDBAppender, v: number | null): void {
  if (v === null) ap.appendNull();
  else ap.appendBigInt(BigInt(v));
}

/**
 * Appends one normalised span as a `spans` row, in `SPAN_COLUMNS` order. The store's writer and
 * the benches' raw-appender baselines share it, so "the same rows" means the same native calls.
 */
export function appendSpanRow(ap: DuckDBAppender, r: NormalizedSpan): void {
  ap.appendVarchar(r.traceId);
  ap.appendVarchar(r.spanId);
  vs(ap, r.parentSpanId);
  ap.appendVarchar(r.name);
  ap.appendVarchar(r.kind);
  ap.appendBigInt(r.startNs);
  ap.appendBigInt(r.endNs);
  ap.appendBigInt(r.durationNs);
  ap.appendVarchar(r.statusCode);
  vs(ap, r.statusMessage);
  vs(ap, r.serviceName);
  vs(ap, r.scopeName);
  vs(ap, r.operation);
  vs(ap, r.agentName);
  vs(ap, r.provider);
  vs(ap, r.model);
  vs(ap, r.toolName);
  vs(ap, r.taskId);
  vs(ap, r.taskType);
  vs(ap, r.teamId);
  vs(ap, r.teamSignature);
  vs(ap, r.errorType);
  vi(ap, r.inputTokens);
  vi(ap, r.outputTokens);
  r.costUsd === null ? ap.appendNull() : ap.appendDouble(r.costUsd);
  vi(ap, r.contextSize);
  vi(ap, r.queueDepth);
  vs(ap, r.recoveryStrategy);
  vs(ap, r.recoveryOutcome);
  ap.appendVarchar(r.attributesJson);
  ap.appendVarchar(r.resourceJson);
  ap.appendVarchar(r.eventsJson);
  ap.appendVarchar(r.linksJson);
  vs(ap, r.sessionId);
  vs(ap, r.callId);
  vs(ap, r.agentPath);
  ap.endRow();
}
