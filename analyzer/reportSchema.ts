import { z } from 'zod';

/**
 * The analyzer report (ARCHITECTURE "Analyzer report contract"). This zod schema is the
 * source of truth: `docs/report.schema.json` is generated from it (`writeReportJsonSchema`),
 * and the TypeScript types below are inferred from it, so the three cannot drift apart.
 * Times are ISO-8601 UTC strings; latencies are milliseconds; rates are fractions in [0, 1].
 */
const iso = z.string().describe('ISO-8601 UTC timestamp');
const nullableNumber = z.number().nullable();

export const SeveritySchema = z.enum(['info', 'warning', 'critical']);
export type Severity = z.infer<typeof SeveritySchema>;

export const WindowSchema = z.object({ from: iso, to: iso }).strict();

/** agent × operation × model; null where the spans carry no such attribute. */
export const ScopeSchema = z
  .object({ agent: z.string().nullable(), operation: z.string().nullable(), model: z.string().nullable() })
  .strict();
export type Scope = z.infer<typeof ScopeSchema>;

export const MetricRowSchema = z
  .object({
    agent: z.string().nullable(),
    operation: z.string().nullable(),
    model: z.string().nullable(),
    count: z.number().int().nonnegative(),
    success_rate: z.number().min(0).max(1),
    error_rate_by_type: z.record(z.string(), z.number().min(0).max(1)),
    p50_ms: nullableNumber,
    p95_ms: nullableNumber,
    p99_ms: nullableNumber,
    tokens: z.number().nonnegative(),
    cost_usd: z.number(),
    context_size_p95: nullableNumber,
    queue_depth_p95: nullableNumber,
  })
  .strict();
export type MetricRow = z.infer<typeof MetricRowSchema>;

export const TeamRowSchema = z
  .object({
    team_signature: z.string(),
    runs: z.number().int().nonnegative(),
    success_rate: z.number().min(0).max(1),
    p95_ms: nullableNumber,
    cost_usd: z.number(),
  })
  .strict();
export type TeamRow = z.infer<typeof TeamRowSchema>;

export const SessionRowSchema = z
  .object({
    session_id: z.string(),
    service_name: z.string().nullable(),
    agents: z.number().int().nonnegative(),
    model_requests: z.number().int().nonnegative(),
    tool_calls: z.number().int().nonnegative(),
    errors: z.number().int().nonnegative(),
    tokens: z.number().nonnegative(),
    cost_usd: z.number(),
    span_ms: z.number().nonnegative().describe('first span start to last span end within the window'),
  })
  .strict();
export type SessionRow = z.infer<typeof SessionRowSchema>;

export const CostsSchema = z
  .object({
    by_agent: z.array(
      z.object({
        agent: z.string(),
        self_usd: z.number().describe('model calls whose nearest agent ancestor is this agent'),
        subtree_usd: z.number().describe('self plus every agent it called, transitively, within the trace'),
        calls: z.number().int().nonnegative().describe('invoke_agent / create_agent spans of this agent'),
      }).strict(),
    ),
    by_session: z.array(z.object({ session_id: z.string(), usd: z.number() }).strict()).describe('the 100 most expensive sessions'),
    by_team: z.array(z.object({ team_signature: z.string(), usd: z.number() }).strict()),
    by_task_type: z.array(z.object({ task_type: z.string(), usd: z.number() }).strict()),
  })
  .strict();
export type Costs = z.infer<typeof CostsSchema>;

export const BudgetStatusSchema = z
  .object({
    rule: z.string(),
    scope: z.enum(['agent', 'session', 'team', 'task_type']),
    key: z.string(),
    usd: z.number().describe('spent in the rule window'),
    budget_usd: z.number(),
    window: z.string(),
    over: z.boolean(),
    burn_usd_per_hour: nullableNumber.describe('spend per hour since the first priced span of the scope in the window'),
    runs_out_at: iso.nullable().describe('under budget: when it runs out at the current burn rate, if within one window from now'),
  })
  .strict();
export type BudgetStatus = z.infer<typeof BudgetStatusSchema>;

export const RegressionSchema = z
  .object({
    metric: z.enum(['latency_p95_ms', 'error_rate']),
    scope: ScopeSchema,
    baseline: z.number(),
    current: z.number(),
    change_pct: z.number().describe('(current − baseline) / baseline × 100; for error_rate a relative change of the rate'),
    p_value: z.number().min(0).max(1),
    q_value: z.number().min(0).max(1).describe('Benjamini–Hochberg adjusted over every test in the run'),
    change_point_at: iso.nullable().describe('start of the change, from change-point detection on the per-bucket series'),
    severity: SeveritySchema,
    effect_size: z.number().describe('latency: rank-biserial correlation (Cliff’s delta); error_rate: difference of rates'),
    samples: z.object({ baseline: z.number().int(), current: z.number().int() }).strict(),
  })
  .strict();
export type Regression = z.infer<typeof RegressionSchema>;

export const ForecastMetricSchema = z.enum(['p95_ms', 'error_rate', 'cost_usd', 'queue_depth_p95']);
export type ForecastMetric = z.infer<typeof ForecastMetricSchema>;

export const ForecastSchema = z
  .object({
    metric: ForecastMetricSchema,
    scope: ScopeSchema,
    horizon: z.string().describe('how far ahead, e.g. "24h"'),
    predicted: z.number().describe('point forecast at the end of the horizon'),
    threshold: z.number(),
    eta: iso.nullable().describe('when the point forecast first reaches the threshold; null if not within the horizon'),
    lower: z.number().nullable(),
    upper: z.number().nullable(),
    method: z.enum(['holt', 'linear']),
  })
  .strict();
export type ForecastEntry = z.infer<typeof ForecastSchema>;

export const AlertStateSchema = z.enum(['pending', 'firing', 'resolved']);
export type AlertStateName = z.infer<typeof AlertStateSchema>;

export const AlertSchema = z
  .object({
    rule: z.string(),
    severity: SeveritySchema,
    state: AlertStateSchema,
    value: nullableNumber,
    threshold: nullableNumber,
    scope: z.record(z.string(), z.string().nullable()),
    since: iso,
    fingerprint: z.string(),
  })
  .strict();
export type Alert = z.infer<typeof AlertSchema>;

export const PatternSchema = z
  .object({
    id: z.string(),
    kind: z.enum(['pattern', 'antipattern']),
    signature: z.string(),
    support: z.number().int().nonnegative(),
    success_rate: z.number().min(0).max(1),
    confidence: z.number(),
    status: z.string(),
    finding_id: z.string().optional().describe('the finding this row names: one per effect (see aliases)'),
    aliases: z
      .array(z.object({ signature: z.string().describe('task_type/signature'), relation: z.enum(['same_runs', 'within', 'explained', 'mirror']) }).strict())
      .optional()
      .describe('rows that restate this finding, folded under it instead of listed'),
  })
  .strict();

export const RecommendationSchema = z
  .object({
    id: z.string(),
    kind: z.string(),
    scope: z.unknown(),
    action: z.string(),
    rationale: z.string(),
    expected_effect: z.unknown(),
    confidence: z.number(),
    bounded_by: z.string().nullable(),
  })
  .strict();

export const RecoveryStrategyStatsSchema = z
  .object({ attempts: z.number().int().nonnegative(), recovered: z.number().int().nonnegative(), success_rate: nullableNumber })
  .strict();

export const RecoverySchema = z
  .object({
    attempts: z.number().int().nonnegative(),
    recovered: z.number().int().nonnegative(),
    success_rate: nullableNumber,
    by_strategy: z.record(z.string(), RecoveryStrategyStatsSchema),
  })
  .strict();
export type RecoverySummary = z.infer<typeof RecoverySchema>;

export const ReportSchema = z
  .object({
    version: z.literal(1),
    generated_at: iso,
    window: WindowSchema,
    baseline: WindowSchema,
    metrics: z.array(MetricRowSchema),
    teams: z.array(TeamRowSchema),
    budgets: z.array(BudgetStatusSchema).optional().describe('spend against each budget rule; absent when no rule has a budget'),
    costs: CostsSchema.optional().describe('hierarchical cost over the window; absent in reports written before it existed'),
    sessions: z.array(SessionRowSchema).optional().describe('the most expensive sessions (conversations) active in the window; absent in reports written before it existed'),
    regressions: z.array(RegressionSchema),
    forecasts: z.array(ForecastSchema),
    alerts: z.array(AlertSchema),
    patterns: z.array(PatternSchema),
    recommendations: z.array(RecommendationSchema),
    recovery: RecoverySchema,
  })
  .strict();
export type Report = z.infer<typeof ReportSchema>;

/** The JSON Schema (draft 2020-12) of the report, as shipped in docs/report.schema.json. */
export function reportJsonSchema(): Record<string, unknown> {
  const schema = z.toJSONSchema(ReportSchema, { target: 'draft-2020-12' }) as Record<string, unknown>;
  return { ...schema, $id: 'https://github.com/agentpulse/agentpulse/docs/report.schema.json', title: 'agentpulse analyzer report' };
}
