import { performance } from 'node:perf_hooks';
import type { DuckDbStore } from '../store/DuckDbStore.js';
import type { AnalyzerSource, QueryRunner } from './AnalyzerSource.js';
import { sourceFromReader, sourceFromStore } from './AnalyzerSource.js';
import { evaluateConditions } from './alerts/conditions.js';
import { readAlertStates } from './alerts/persistence.js';
import type { ForecastRule, RulesConfig } from './alerts/rules.js';
import { DEFAULT_RULES } from './alerts/rules.js';
import type { StoredAlert } from './alerts/stateMachine.js';
import { advanceAlerts, pendingNotifications, toReportAlert } from './alerts/stateMachine.js';
import { computeForecasts } from './forecasts.js';
import { computeMetrics } from './metrics.js';
import { computeRecovery } from './recovery.js';
import type { RegressionPolicy } from './regressionPolicy.js';
import { detectRegressions } from './regressions.js';
import type { Report } from './reportSchema.js';
import { ReportSchema } from './reportSchema.js';
import { lastAnalysedPosition } from './runs.js';
import { fetchSeries } from './series.js';
import { dispatchAlerts } from './sinks/dispatch.js';
import type { AlertNotification, Sink, SinkResult } from './sinks/Sink.js';
import { computeTeams } from './teams.js';
import { computeSessions } from './sessions.js';
import { computeCosts } from './costs.js';
import { computeBudgets } from './budgets.js';
import type { BudgetRule } from './alerts/rules.js';
import type { TimeRange } from './window.js';
import { nsToIso, parseDuration, resolveWindows } from './window.js';

/** What an extension (e.g. the learning engine) sees: the report so far and where to read. */
export interface AnalyzerContext {
  source: AnalyzerSource;
  window: TimeRange;
  baseline: TimeRange;
  now: Date;
  report: Readonly<Report>;
}

/** Adds patterns and recommendations to the report; its arrays are appended to the report's. */
export type AnalyzerExtension = (ctx: AnalyzerContext) => Promise<Partial<Pick<Report, 'patterns' | 'recommendations'>>>;

export interface AnalyzeOptions {
  /** Read from (and, when writable, persist alert state and runs to) this store. */
  store?: DuckDbStore;
  /** Or read through a query runner (a collector's `/api/sql`): report only, nothing persisted. */
  reader?: QueryRunner;
  /** Or any source. */
  source?: AnalyzerSource;
  /** Current window length back from `now` (default `24h`). */
  since?: string;
  /** Baseline: a length immediately before the window (default `7d`) or `<iso>..<iso>`. */
  baseline?: string;
  now?: Date;
  /** Start the window where the last successful run ended (never earlier than `since`). */
  incremental?: boolean;
  rules?: RulesConfig;
  sinks?: readonly Sink[];
  extensions?: readonly AnalyzerExtension[];
  /** Series bucket for change points and forecasts (default: window / 24, at least 1m). */
  bucket?: string;
  regressionPolicy?: Partial<RegressionPolicy>;
  /** Persist alert state and the run when the store is writable (default true). */
  persist?: boolean;
  /** Where extension failures are reported (default: stderr). A failing extension never fails the run. */
  onWarning?: (message: string) => void;
}

export interface AnalyzeRunResult {
  report: Report;
  /** One entry per sink; empty when there were no sinks. */
  deliveries: SinkResult[];
  /** Whether alert state and the run were written to the store. */
  persisted: boolean;
  runId: string | null;
  spansAnalyzed: number;
  /** Milliseconds per stage (metrics, baseline, teams, sessions, costs, recovery, series, regressions, forecasts, extensions, alerts, persist). */
  timings: Record<string, number>;
}

const MAX_BUCKETS = 2000;

function chooseBucket(window: TimeRange, span: bigint, explicit?: string): bigint {
  if (explicit) return parseDuration(explicit);
  const minute = 60_000_000_000n;
  let b = (window.toNs - window.fromNs) / 24n;
  b = b < minute ? minute : b - (b % minute);
  const minForCap = span / BigInt(MAX_BUCKETS) + 1n;
  return b < minForCap ? minForCap : b;
}

function resolveSource(o: AnalyzeOptions): AnalyzerSource {
  if (o.source) return o.source;
  if (o.store) return sourceFromStore(o.store);
  if (o.reader) return sourceFromReader(o.reader);
  throw new Error('analyze: give a store, a reader or a source');
}

/**
 * Runs the batch analyzer once: metrics, teams, recovery, regressions, forecasts, extensions,
 * alert rules (state machine + sinks), and — with a writable store — persists alert state and
 * the run. Returns the validated report and what happened to the notifications.
 */
export async function analyzeRun(options: AnalyzeOptions): Promise<AnalyzeRunResult> {
  const startedMs = Date.now();
  const source = resolveSource(options);
  const now = options.now ?? new Date();
  const nowMs = now.getTime();
  const { window, baseline } = resolveWindows({ now, since: options.since ?? '24h', baseline: options.baseline ?? '7d' });
  if (options.incremental) {
    const last = await lastAnalysedPosition(source);
    if (last !== null && last > window.fromNs && last < window.toNs) window.fromNs = last;
  }
  const rules = options.rules ?? DEFAULT_RULES;

  const timings: Record<string, number> = {};
  let mark = performance.now();
  const lap = (stage: string): void => {
    const t = performance.now();
    timings[stage] = Math.round(t - mark);
    mark = t;
  };
  const metrics = await computeMetrics(source, window);
  lap('metrics');
  const baselineMetrics = await computeMetrics(source, baseline);
  lap('baseline_metrics');
  const teams = await computeTeams(source, window);
  lap('teams');
  const sessions = await computeSessions(source, window);
  lap('sessions');
  const costs = await computeCosts(source, window);
  lap('costs');
  const recovery = await computeRecovery(source, window);
  lap('recovery');

  const seriesFrom = baseline.fromNs < window.fromNs ? baseline.fromNs : window.fromNs;
  const bucketNs = chooseBucket(window, window.toNs - seriesFrom, options.bucket);
  const series = await fetchSeries(source, { fromNs: seriesFrom, toNs: window.toNs }, bucketNs);
  lap('series');
  const regressions = await detectRegressions(source, { window, baseline, series, policy: options.regressionPolicy });
  lap('regressions');
  const windowBuckets = Number((window.toNs - window.fromNs + bucketNs - 1n) / bucketNs);
  const forecasts = computeForecasts({
    series,
    fitBuckets: Math.min(series.buckets, 2 * windowBuckets),
    baselineMetrics,
    rules: rules.rules.filter((r): r is ForecastRule => r.kind === 'forecast'),
  });
  lap('forecasts');

  const report: Report = {
    version: 1,
    generated_at: now.toISOString(),
    window: { from: nsToIso(window.fromNs), to: nsToIso(window.toNs) },
    baseline: { from: nsToIso(baseline.fromNs), to: nsToIso(baseline.toNs) },
    metrics,
    teams,
    costs,
    sessions,
    regressions,
    forecasts,
    alerts: [],
    patterns: [],
    recommendations: [],
    recovery,
  };

  const warn = options.onWarning ?? ((m: string) => process.stderr.write(`agentpulse analyze: ${m}\n`));
  for (const [i, ext] of (options.extensions ?? []).entries()) {
    try {
      const add = await ext({ source, window, baseline, now, report });
      if (add.patterns) report.patterns.push(...add.patterns);
      if (add.recommendations) report.recommendations.push(...add.recommendations);
    } catch (err) {
      warn(`extension ${ext.name || i} failed and was skipped: ${err instanceof Error ? err.message : String(err)}`);
    }
  }

  lap('extensions');
  // Alerts: conditions → state machine → persistence → sinks.
  const budgetRules = rules.rules.filter((r): r is BudgetRule => r.kind === 'budget');
  const budgets = budgetRules.length > 0 ? await computeBudgets(source, budgetRules, window.toNs) : undefined;
  if (budgets) report.budgets = budgets;
  const active = await evaluateConditions({ source, rules: rules.rules, window, baseline, metrics, regressions, forecasts, budgets });
  const previous = await readAlertStates(source);
  const { states, changed, transitions } = advanceAlerts(previous, active, nowMs);
  const resolvedNow = new Set(transitions.filter((t) => t.to === 'resolved').map((t) => t.fingerprint));
  report.alerts = states.filter((a) => a.state !== 'resolved' || resolvedNow.has(a.fingerprint)).map(toReportAlert);

  const records = options.persist === false ? undefined : source.records;
  if (records) await records.writeAlertChanges(changed, transitions);

  let deliveries: SinkResult[] = [];
  const owed = pendingNotifications(states);
  const sinks = options.sinks ?? [];
  if (sinks.length > 0) {
    const note = (a: StoredAlert): AlertNotification => ({ ...toReportAlert(a), summary: a.summary ?? `${a.rule} ${a.state}` });
    const firing = states.filter((a) => a.state === 'firing').map(note);
    if (owed.length > 0 || firing.length > 0) {
      deliveries = await dispatchAlerts(sinks, { notifications: owed.map(note), firing, report });
      // Only when every sink took them: a sink that gave up gets them again next run.
      if (records && deliveries.every((d) => d.ok)) await records.markNotified(owed, nowMs);
    }
  }

  lap('alerts');
  const validated = ReportSchema.parse(report);
  const spansAnalyzed = metrics.reduce((s, m) => s + m.count, 0);
  let runId: string | null = null;
  if (records) {
    runId = await records.recordRun({
      startedMs, finishedMs: Date.now(), fromNs: window.fromNs, toNs: window.toNs, spansAnalyzed, status: 'ok', report: validated,
    });
  }
  lap('persist');
  return { report: validated, deliveries, persisted: records !== undefined, runId, spansAnalyzed, timings };
}

/**
 * The analyzer report for a window versus its baseline (see ARCHITECTURE "Analyzer report contract").
 * @example
 * const report = await analyze({ store, since: '24h', baseline: '7d' });
 */
export async function analyze(options: AnalyzeOptions): Promise<Report> {
  return (await analyzeRun(options)).report;
}

