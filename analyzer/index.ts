/**
 * The batch analyzer: metrics, regressions, change points, forecasts, alert rules with state
 * and sinks, and the report (JSON + Markdown). Statistics live in ./stats; learning in ./learning.
 */
export { analyze, analyzeRun } from './analyze.js';
export type { AnalyzeOptions, AnalyzeRunResult, AnalyzerContext, AnalyzerExtension } from './analyze.js';
export { sourceFromStore, sourceFromReader } from './AnalyzerSource.js';
export type { AnalyzerSource, QueryRunner } from './AnalyzerSource.js';
export { computeMetrics } from './metrics.js';
export type { MetricsOptions } from './metrics.js';
export { computeTeams } from './teams.js';
export { computeRecovery } from './recovery.js';
export { fetchSeries } from './series.js';
export type { ScopeSeries, SeriesSet } from './series.js';
export { detectRegressions } from './regressions.js';
export { DEFAULT_REGRESSION_POLICY, latencySeverity, errorRateSeverity } from './regressionPolicy.js';
export type { RegressionPolicy } from './regressionPolicy.js';
export { dateChange } from './changePointDating.js';
export { computeForecasts } from './forecasts.js';
export { renderMarkdown } from './markdown.js';
export { lastAnalysedPosition } from './runs.js';
export { parseDuration, parseDurationMs, durationError, formatDuration, resolveWindows, WindowSpecError } from './window.js';
export type { TimeRange } from './window.js';
export * from './reportSchema.js';
export * from './alerts/index.js';
export * from './sinks/index.js';
