import { ns } from '../AnalyzerSource.js';
import type { AnalyzerSource } from '../AnalyzerSource.js';
import { SEVERITY_RANK } from '../regressionPolicy.js';
import type { ForecastEntry, MetricRow, Regression, Severity } from '../reportSchema.js';
import { num, strOrNull } from '../rows.js';
import type { TimeRange } from '../window.js';
import { parseDuration } from '../window.js';
import { alertFingerprint } from './fingerprint.js';
import type { BudgetStatus } from '../reportSchema.js';
import type { AbsenceRule, Rule, ThresholdRule } from './rules.js';
import { scopeMatches } from './rules.js';

/** One rule's condition on one scope that holds in this run. */
export interface ActiveCondition {
  fingerprint: string;
  rule: string;
  severity: Severity;
  scope: Record<string, string | null>;
  value: number | null;
  threshold: number | null;
  /** The rule's for-duration in milliseconds (0 = fire at once). */
  forMs: number;
  summary: string;
}

function metricValue(m: MetricRow, metric: ThresholdRule['metric']): number | null {
  if (metric === 'error_rate') return 1 - m.success_rate;
  return m[metric];
}

const compare = (op: ThresholdRule['op'], v: number, t: number): boolean =>
  op === '>' ? v > t : op === '>=' ? v >= t : op === '<' ? v < t : v <= t;

const scopeLabel = (s: Record<string, string | null>): string =>
  Object.entries(s).map(([k, v]) => `${k}=${v ?? '∅'}`).join(' ');

export interface ConditionInputs {
  source: AnalyzerSource;
  rules: readonly Rule[];
  window: TimeRange;
  baseline: TimeRange;
  metrics: MetricRow[];
  regressions: Regression[];
  forecasts: ForecastEntry[];
  /** Spend per budget rule and scope value (analyzer/budgets.ts). */
  budgets?: BudgetStatus[];
}

/** Evaluates every rule against this run's findings; returns the conditions that hold now. */
export async function evaluateConditions(inputs: ConditionInputs): Promise<ActiveCondition[]> {
  const out: ActiveCondition[] = [];
  const forMsOf = (r: Rule): number => Number(parseDuration(r.for, { allowZero: true }) / 1_000_000n);
  for (const rule of inputs.rules) {
    switch (rule.kind) {
      case 'threshold':
        for (const m of inputs.metrics) {
          const scope = { agent: m.agent, operation: m.operation, model: m.model };
          const v = metricValue(m, rule.metric);
          if (v === null || !scopeMatches(rule.scope, scope) || !compare(rule.op, v, rule.threshold)) continue;
          out.push({
            fingerprint: alertFingerprint(rule.name, rule.metric, scope), rule: rule.name, severity: rule.severity, scope, value: v,
            threshold: rule.threshold, forMs: forMsOf(rule), summary: `${rule.metric} ${v} ${rule.op} ${rule.threshold} on ${scopeLabel(scope)}`,
          });
        }
        break;
      case 'regression':
        for (const r of inputs.regressions) {
          if (rule.metric && r.metric !== rule.metric) continue;
          if (SEVERITY_RANK[r.severity] < SEVERITY_RANK[rule.min_severity] || !scopeMatches(rule.scope, r.scope)) continue;
          out.push({
            fingerprint: alertFingerprint(rule.name, r.metric, r.scope), rule: rule.name, severity: rule.severity ?? r.severity, scope: r.scope,
            value: r.current, threshold: r.baseline, forMs: forMsOf(rule),
            summary: `${r.metric} regressed ${r.change_pct > 0 ? '+' : ''}${r.change_pct}% (${r.baseline} → ${r.current}, q=${r.q_value.toPrecision(2)}) on ${scopeLabel(r.scope)}${r.change_point_at ? ` since ${r.change_point_at}` : ''}`,
          });
        }
        break;
      case 'forecast':
        for (const f of inputs.forecasts) {
          if (f.metric !== rule.metric || !scopeMatches(rule.scope, f.scope) || f.eta === null) continue;
          if (rule.threshold !== undefined && f.threshold !== rule.threshold) continue;
          out.push({
            fingerprint: alertFingerprint(rule.name, f.metric, f.scope), rule: rule.name, severity: rule.severity, scope: f.scope,
            value: f.predicted, threshold: f.threshold, forMs: forMsOf(rule),
            summary: `${f.metric} forecast to reach ${f.threshold} by ${f.eta} on ${scopeLabel(f.scope)}`,
          });
        }
        break;
      case 'absence':
        out.push(...(await absence(inputs, rule)));
        break;
      case 'budget':
        for (const b of inputs.budgets ?? []) {
          if (b.rule !== rule.name || !b.over) continue;
          const scope = { [b.scope]: b.key };
          out.push({
            fingerprint: alertFingerprint(rule.name, 'budget', scope), rule: rule.name, severity: rule.severity, scope, value: b.usd,
            threshold: b.budget_usd, forMs: forMsOf(rule), summary: `${b.scope} ${b.key} spent $${b.usd.toFixed(4)} of a $${b.budget_usd} budget over ${b.window}`,
          });
        }
        break;
    }
  }
  return out;
}

/**
 * Absence of data: a scope seen in the baseline or window whose newest span is older than the
 * rule's duration at the end of the window. The duration is the condition itself, so it fires
 * at once (no extra pending period). `value` is the silence in minutes.
 */
async function absence(inputs: ConditionInputs, rule: AbsenceRule): Promise<ActiveCondition[]> {
  const from = inputs.baseline.fromNs < inputs.window.fromNs ? inputs.baseline.fromNs : inputs.window.fromNs;
  const rows = await inputs.source.named('analyzer_last_seen', { from_ns: ns(from), to_ns: ns(inputs.window.toNs) });
  const silenceNs = parseDuration(rule.for);
  const out: ActiveCondition[] = [];
  for (const r of rows) {
    const scope = { agent: strOrNull(r.agent), operation: strOrNull(r.operation), model: strOrNull(r.model) };
    if (!scopeMatches(rule.scope, scope)) continue;
    const silent = inputs.window.toNs - BigInt(String(r.last_start_ns));
    if (silent <= silenceNs) continue;
    const minutes = Math.round(num(String(silent / 1_000_000n)) / 60_000);
    out.push({
      fingerprint: alertFingerprint(rule.name, 'absence', scope), rule: rule.name, severity: rule.severity, scope, value: minutes,
      threshold: Number(silenceNs / 60_000_000_000n), forMs: 0, summary: `no spans for ${minutes} min on ${scopeLabel(scope)}`,
    });
  }
  return out;
}
