import type { Command } from 'commander';

/**
 * Every CLI command, in the order `--help` lists them, with the one-line summary `--help` shows
 * and how to load it. A command's module, and the store, server or analyzer it imports, is loaded
 * only when that command runs (or shows its own help): `agentpulse --help` and `--version` load
 * none of them (cli/main.ts). Add new commands here; test/cli.test.ts checks each summary against
 * the command's own description.
 */
export interface CommandEntry {
  name: string;
  summary: string;
  load(): Promise<Command>;
}

export const COMMANDS: readonly CommandEntry[] = [
  { name: 'demo', summary: 'simulate a fleet of AI agents with injected faults into the store, then print a per-agent summary', load: async () => (await import('./demo.js')).demoCommand },
  { name: 'sql', summary: 'run an ad-hoc SQL query over the trace data (table output; --json or --csv); read-only unless --write', load: async () => (await import('./sql.js')).sqlCommand },
  { name: 'query', summary: 'run a named query from queries/<name>.sql (list them with --list)', load: async () => (await import('./query.js')).queryCommand },
  { name: 'collect', summary: 'run the OTLP/HTTP collector (POST /v1/traces, /v1/logs, /v1/metrics; protobuf or JSON) that writes to the DuckDB store', load: async () => (await import('./collect.js')).collectCommand },
  { name: 'run', summary: 'run a program with the agentpulse preload, sending its spans to a collector (starts one if none is running)', load: async () => (await import('./run.js')).runCommand },
  { name: 'ingest-spool', summary: 'ingest spans that instrumented processes spooled while the database was locked (normally automatic)', load: async () => (await import('./ingestSpool.js')).ingestSpoolCommand },
  { name: 'recover-wal', summary: 'recover a database whose DuckDB write-ahead log (<db>.wal) is damaged: works on copies, never touches the originals', load: async () => (await import('./recoverWal.js')).recoverWalCommand },
  { name: 'export', summary: 'export spans as Parquet partitioned by day (DIR/day=YYYY-MM-DD/), readable by DuckDB, ClickHouse, Spark, pandas', load: async () => (await import('./export.js')).exportCommand },
  { name: 'retention', summary: 'delete raw spans and rollups past their retention (optionally export the spans to Parquet first)', load: async () => (await import('./retention.js')).retentionCommand },
  { name: 'init', summary: 'wire a coding agent to agentpulse: Claude Code hooks and OTel, Codex [otel], Gemini CLI telemetry (idempotent; --remove undoes)', load: async () => (await import('./init.js')).initCommand },
  { name: 'hook', summary: 'journal a Claude Code hook event (JSON on stdin) in a few ms; the store\'s next writer turns it into spans', load: async () => (await import('./hook.js')).hookCommand },
  { name: 'dashboard', summary: 'serve the web dashboard: live agent status, trends, error heat map, teams, costs, alerts, recovery, health, trace waterfalls', load: async () => (await import('./dashboard.js')).dashboardCommand },
  { name: 'top', summary: 'refreshing terminal view of agents: status, rate, p95, errors, breaker state (q or Ctrl-C quits)', load: async () => (await import('./top.js')).topCommand },
  { name: 'analytics', summary: 'summary over a window: throughput, errors, latency, per-agent table, costs, teams, recovery, alerts', load: async () => (await import('./analytics.js')).analyticsCommand },
  { name: 'health', summary: 'check the store, the collector (--url), ingest lag, alert sinks and disk; exits 2 when a check fails', load: async () => (await import('./health.js')).healthCommand },
  { name: 'sources', summary: 'per service: spans, logs and metrics that arrived, the span dialect recognised, and the share of model calls with model/tokens/cost/agent', load: async () => (await import('./sources.js')).sourcesCommand },
  { name: 'analyze', summary: 'analyze the trace store: metrics, regressions vs a baseline, forecasts, alerts (JSON or Markdown report)', load: async () => (await import('./analyze.js')).analyzeCommand },
  { name: 'alerts', summary: 'list alerts the analyzer raised (state from alert_state; --history for transitions)', load: async () => (await import('./alerts.js')).alertsCommand },
  { name: 'suggest-team', summary: 'suggest a team for a task type (policy default, or bounded Thompson-sampling exploration with --explore)', load: async () => (await import('./suggestTeam.js')).suggestTeamCommand },
  { name: 'patterns', summary: 'learned findings (patterns and antipatterns, one per effect); review, promote, reject and demote team defaults', load: async () => (await import('./patterns.js')).patternsCommand },
  { name: 'experiments', summary: 'A/B experiments: per-variant success, SRM check, minimum sample, significance verdict', load: async () => (await import('./experiments.js')).experimentsCommand },
  { name: 'feedback', summary: 'record feedback on a trace (overrides the span-status outcome of its task)', load: async () => (await import('./feedback.js')).feedbackCommand },
];

/** Every command loaded (for tests and docs checks; the CLI itself loads only the one that runs). */
export async function loadAllCommands(): Promise<Command[]> {
  return Promise.all(COMMANDS.map((c) => c.load()));
}
