import { readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { AgentpulseError } from '../../store/errors.js';
import { ForecastMetricSchema, SeveritySchema } from '../reportSchema.js';
import { parseDuration } from '../window.js';

const duration = z.string().superRefine((s, ctx) => {
  try {
    parseDuration(s, { allowZero: true });
  } catch (err) {
    // The same wording as every other place a duration is read.
    ctx.addIssue({ code: 'custom', message: err instanceof Error ? err.message : String(err) });
  }
});

/** Which scopes a rule applies to: exact values, or `*` wildcards (`gpt-*`); omitted = any. */
export const ScopeMatchSchema = z
  .object({ agent: z.string().optional(), operation: z.string().optional(), model: z.string().optional() })
  .strict();
export type ScopeMatch = z.infer<typeof ScopeMatchSchema>;

export const ThresholdMetricSchema = z.enum([
  'count', 'success_rate', 'error_rate', 'p50_ms', 'p95_ms', 'p99_ms', 'tokens', 'cost_usd', 'context_size_p95', 'queue_depth_p95',
]);

const base = {
  name: z.string().min(1).regex(/^[A-Za-z0-9_.:-]+$/, 'letters, digits, _ . : - only'),
  scope: ScopeMatchSchema.default({}),
  /** How long the condition must hold before the alert fires (pending until then). */
  for: duration.default('0m'),
};

export const ThresholdRuleSchema = z
  .object({
    ...base,
    kind: z.literal('threshold'),
    metric: ThresholdMetricSchema,
    op: z.enum(['>', '>=', '<', '<=']).default('>'),
    threshold: z.number(),
    severity: SeveritySchema.default('warning'),
  })
  .strict();

export const RegressionRuleSchema = z
  .object({
    ...base,
    kind: z.literal('regression'),
    metric: z.enum(['latency_p95_ms', 'error_rate']).optional(),
    /** Only regressions at least this severe alert. */
    min_severity: SeveritySchema.default('warning'),
    /** Alert severity; defaults to the regression's own. */
    severity: SeveritySchema.optional(),
  })
  .strict();

export const ForecastRuleSchema = z
  .object({
    ...base,
    kind: z.literal('forecast'),
    metric: ForecastMetricSchema,
    threshold: z.number().optional(),
    horizon: duration.default('24h'),
    severity: SeveritySchema.default('warning'),
  })
  .strict();

export const AbsenceRuleSchema = z
  .object({
    ...base,
    kind: z.literal('absence'),
    /** Silence longer than this (for a scope seen in the baseline or window) fires. */
    for: duration,
    severity: SeveritySchema.default('critical'),
  })
  .strict();

/**
 * Spend over a window per agent (its own model calls), session, team composition or task type:
 * fires for each scope value over `usd`; the report's `budgets` says when the others run out.
 */
export const BudgetRuleSchema = z
  .object({
    name: base.name,
    kind: z.literal('budget'),
    scope: z.enum(['agent', 'session', 'team', 'task_type']),
    /** Only scope values matching this (`*` wildcards); omitted = every value. */
    match: z.string().optional(),
    usd: z.number().positive(),
    window: duration.default('24h'),
    for: base.for,
    severity: SeveritySchema.default('warning'),
  })
  .strict();

export const RuleSchema = z.discriminatedUnion('kind', [ThresholdRuleSchema, RegressionRuleSchema, ForecastRuleSchema, AbsenceRuleSchema, BudgetRuleSchema]);
export type Rule = z.infer<typeof RuleSchema>;
export type ThresholdRule = z.infer<typeof ThresholdRuleSchema>;
export type RegressionRule = z.infer<typeof RegressionRuleSchema>;
export type ForecastRule = z.infer<typeof ForecastRuleSchema>;
export type AbsenceRule = z.infer<typeof AbsenceRuleSchema>;
export type BudgetRule = z.infer<typeof BudgetRuleSchema>;

export const RulesConfigSchema = z
  .object({
    rules: z.array(RuleSchema).superRefine((rules, ctx) => {
      const seen = new Set<string>();
      for (const [i, r] of rules.entries()) {
        if (seen.has(r.name)) ctx.addIssue({ code: 'custom', path: [i, 'name'], message: `duplicate rule name "${r.name}"` });
        seen.add(r.name);
      }
    }),
    /** Sink specs, as for `--sink` (e.g. `alertmanager:http://am:9093`). */
    sinks: z.array(z.string()).default([]),
  })
  .strict();
export type RulesConfig = z.infer<typeof RulesConfigSchema>;

/** Used when no rules file is given: alert on warning-or-worse regressions and predicted crossings. */
export const DEFAULT_RULES: RulesConfig = RulesConfigSchema.parse({
  rules: [
    { name: 'regression', kind: 'regression', min_severity: 'warning' },
    { name: 'forecast_p95', kind: 'forecast', metric: 'p95_ms' },
    { name: 'forecast_error_rate', kind: 'forecast', metric: 'error_rate' },
  ],
});

export class RulesConfigError extends AgentpulseError {
  constructor(message: string, cause?: unknown) {
    super('BAD_RULES', message, { cause });
  }
}

/** Validates a parsed rules object; the error names the first bad field. */
export function parseRulesConfig(value: unknown, origin = 'rules'): RulesConfig {
  const r = RulesConfigSchema.safeParse(value);
  if (r.success) return r.data;
  const issue = r.error.issues[0];
  const where = issue.path.length > 0 ? issue.path.join('.') : '(top level)';
  throw new RulesConfigError(`${origin}: ${where}: ${issue.message}`, r.error);
}

/** Loads a YAML or JSON rules file (YAML is a superset of JSON, so one parser reads both). */
export function loadRulesFile(path: string): RulesConfig {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new RulesConfigError(`cannot read rules file ${path}: ${(err as Error).message}`, err);
  }
  let value: unknown;
  try {
    value = parseYaml(text);
  } catch (err) {
    throw new RulesConfigError(`${path} is not valid YAML/JSON: ${(err as Error).message.split('\n')[0]}`, err);
  }
  return parseRulesConfig(value, path);
}

/** Whether a scope matches a rule's scope filter (`*` matches any run of characters). */
export function scopeMatches(match: ScopeMatch, scope: Record<string, string | null>): boolean {
  for (const k of ['agent', 'operation', 'model'] as const) {
    const pattern = match[k];
    if (pattern === undefined) continue;
    const value = scope[k] ?? '';
    const re = new RegExp(`^${pattern.split('*').map((p) => p.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('.*')}$`);
    if (!re.test(value)) return false;
  }
  return true;
}
