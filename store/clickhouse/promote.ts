import { ATTR } from '../normalize.js';
import { SKETCH_GAMMA, ZERO_BUCKET } from '../sketch.js';

/**
 * ClickHouse expressions that derive agentpulse's promoted `spans` columns from one row of the
 * OpenTelemetry Collector's `otel_traces` layout, with the same rules as store/normalize.ts:
 * GenAI names first, then the older spellings; empty strings are NULL; numbers parse from text
 * (the exporter stores every attribute value as a string in `SpanAttributes`).
 */

const q = (s: string): string => `'${s.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
/** A string attribute, NULL when absent or empty (Map lookups of a missing key give ''). */
const str = (key: string): string => `nullIf(SpanAttributes[${q(key)}], '')`;
const num = (key: string): string => `toFloat64OrNull(SpanAttributes[${q(key)}])`;
const int = (expr: string): string => `CAST(trunc(${expr}) AS Nullable(Int64))`;

/** SpanKind as the exporter wrote it ('Server' in current versions, 'SPAN_KIND_SERVER' in older ones) → 'server'. */
const KIND = `if(SpanKind = '', 'unspecified', lower(replaceRegexpOne(SpanKind, '^SPAN_KIND_', '')))`;
/** StatusCode ('Error' / 'STATUS_CODE_ERROR' / 'ERROR') → 'ERROR' | 'OK' | 'UNSET'. */
const STATUS = `multiIf(upper(replaceRegexpOne(StatusCode, '^STATUS_CODE_', '')) = 'ERROR', 'ERROR',
    upper(replaceRegexpOne(StatusCode, '^STATUS_CODE_', '')) = 'OK', 'OK', 'UNSET')`;

/** Sorted, unique, trimmed member list joined with '+' (teamSignatureOf); JSON arrays or "a,b" / "a+b" text. */
const TEAM_FROM_MEMBERS = `nullIf(arrayStringConcat(arraySort(arrayDistinct(arrayFilter(m -> m != '', arrayMap(m -> trimBoth(m),
    if(startsWith(SpanAttributes[${q(ATTR.teamMembers)}], '['), JSONExtract(SpanAttributes[${q(ATTR.teamMembers)}], 'Array(String)'),
       splitByRegexp('[,+]', SpanAttributes[${q(ATTR.teamMembers)}])))))), '+'), '')`;

/** The first recorded exception's type, else NULL. */
const EXCEPTION_TYPE = `nullIf(arrayFirst(t -> t != '', arrayMap((n, a) -> if(n = 'exception', a['exception.type'], ''), \`Events.Name\`, \`Events.Attributes\`)), '')`;

const LN_GAMMA = Math.log(SKETCH_GAMMA);

/** Sketch bucket of a duration in ns, as store/sketch.ts sketchBucket(). */
export const sketchBucketSql = (durationExpr: string): string =>
  `if(${durationExpr} > 0, toInt16(ceil(log(toFloat64(${durationExpr})) / ${LN_GAMMA.toPrecision(17)})), toInt16(${ZERO_BUCKET}))`;

/** `gen_ai.operation.name` (`invoke_workflow` folded into `invoke_agent`), the older name, or execute_tool for a span naming a tool. */
const OPERATION = `coalesce(if(${str(ATTR.operation)} = 'invoke_workflow', 'invoke_agent', ${str(ATTR.operation)}), ${str(ATTR.operationFallback)},
    if(${str(ATTR.toolName)} IS NULL, NULL, 'execute_tool'))`;

/**
 * [column, ClickHouse expression over otel_traces] in agentpulse's `spans` column order. These
 * read the GenAI names (and their older spellings) only: rows the agentpulse collector writes
 * carry the values its normalizer computed, dialects included (schema.ts, MATERIALIZED_COLUMNS).
 */
export function promotedColumns(): [string, string][] {
  const tool = str(ATTR.toolName);
  return [
    ['trace_id', 'TraceId'],
    ['span_id', 'SpanId'],
    ['parent_span_id', `nullIf(ParentSpanId, '')`],
    ['name', 'toString(SpanName)'],
    ['kind', KIND],
    ['start_ns', 'toUnixTimestamp64Nano(Timestamp)'],
    ['end_ns', 'toUnixTimestamp64Nano(Timestamp) + toInt64(Duration)'],
    ['duration_ns', 'toInt64(Duration)'],
    ['status_code', STATUS],
    ['status_message', `nullIf(StatusMessage, '')`],
    ['service_name', `nullIf(toString(ServiceName), '')`],
    ['scope_name', `nullIf(ScopeName, '')`],
    ['operation', OPERATION],
    ['agent_name', str(ATTR.agentName)],
    ['provider', `coalesce(${str(ATTR.provider)}, ${str(ATTR.providerLegacy)})`],
    ['model', `coalesce(${str(ATTR.requestModel)}, ${str(ATTR.responseModel)})`],
    ['tool_name', tool],
    ['task_id', str(ATTR.taskId)],
    ['task_type', str(ATTR.taskType)],
    ['team_id', str(ATTR.teamId)],
    ['team_signature', `coalesce(${str(ATTR.teamSignature)}, ${TEAM_FROM_MEMBERS})`],
    ['error_type', `coalesce(${str(ATTR.errorType)}, if(${STATUS} = 'ERROR', coalesce(${EXCEPTION_TYPE}, '_OTHER'), NULL))`],
    ['input_tokens', int(`coalesce(${num(ATTR.inputTokens)}, ${num(ATTR.inputTokensLegacy)})`)],
    ['output_tokens', int(`coalesce(${num(ATTR.outputTokens)}, ${num(ATTR.outputTokensLegacy)})`)],
    ['cost_usd', num(ATTR.costUsd)],
    ['context_size', int(num(ATTR.contextSize))],
    ['queue_depth', int(num(ATTR.queueDepth))],
    ['recovery_strategy', str(ATTR.recoveryStrategy)],
    ['recovery_outcome', str(ATTR.recoveryOutcome)],
    ['attributes', 'toJSONString(SpanAttributes)'],
    ['resource_attributes', 'toJSONString(ResourceAttributes)'],
    [
      'events',
      `concat('[', arrayStringConcat(arrayMap((t, n, a) -> concat('{"name":', toJSONString(toString(n)), ',"time_ns":"', toString(toUnixTimestamp64Nano(t)),
        '","attributes":', toJSONString(a), '}'), \`Events.Timestamp\`, \`Events.Name\`, \`Events.Attributes\`), ','), ']')`,
    ],
    [
      'links',
      `concat('[', arrayStringConcat(arrayMap((t, s, a) -> concat('{"trace_id":', toJSONString(t), ',"span_id":', toJSONString(s),
        ',"attributes":', toJSONString(a), '}'), \`Links.TraceId\`, \`Links.SpanId\`, \`Links.Attributes\`), ','), ']')`,
    ],
    ['session_id', `coalesce(${str(ATTR.conversationId)}, ${str(ATTR.sessionId)}, ${str(ATTR.conversationIdLegacy)})`],
    [
      'call_id',
      `coalesce(${str(ATTR.toolCallId)}, multiIf(${OPERATION} = 'execute_tool', ${str(ATTR.toolCallIdUnderscore)},
        ${OPERATION} IN ('chat', 'text_completion', 'generate_content'), ${str(ATTR.responseId)}, NULL))`,
    ],
    // Agent paths are built at ingest from stored ancestors (store/attribution.ts), which the ClickHouse
    // backend does not do: NULL unless written (a history imported from DuckDB's Parquet export keeps them).
    ['agent_path', 'CAST(NULL AS Nullable(String))'],
  ];
}
