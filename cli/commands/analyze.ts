import { existsSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { Command, Option } from 'commander';
import { analyzeRun } from '../../analyzer/analyze.js';
import type { AnalyzerSource } from '../../analyzer/AnalyzerSource.js';
import { DEFAULT_RULES, loadRulesFile } from '../../analyzer/alerts/rules.js';
import { learningExtension } from '../../analyzer/learning/extension.js';
import { renderMarkdown } from '../../analyzer/markdown.js';
import { SEVERITY_RANK } from '../../analyzer/regressionPolicy.js';
import type { Report, Severity } from '../../analyzer/reportSchema.js';
import { parseSinkSpec } from '../../analyzer/sinks/parseSinkSpec.js';
import { parseDuration } from '../../analyzer/window.js';
import { CliError, isAgentpulseError } from '../errors.js';
import { globalOptions, print } from '../globalOptions.js';
import { formatJson } from '../output.js';
import { collectorClient, openAnalyzerTarget } from '../openStore.js';

/** Exit code when `--fail-on` finds something at or above the level (1 stays "the command failed"). */
export const FINDINGS_EXIT_CODE = 2;
/**
 * Exit code when a sink gave up after its retries. The report is still written and the alerts stay
 * owed (re-sent next run). Wins over FINDINGS_EXIT_CODE: schedulers treat 2 as success, and an
 * undelivered alert must not look like one.
 */
export const SINK_FAILED_EXIT_CODE = 3;

interface AnalyzeFlags {
  since: string;
  baseline: string;
  out?: string;
  format?: 'json' | 'md';
  failOn?: Severity;
  rules?: string;
  sink: string[];
  incremental?: boolean;
  persist: boolean;
  bucket?: string;
}

/** The most severe finding: a regression, or an alert that is firing. */
function worstFinding(report: Report): Severity | null {
  const levels = [...report.regressions.map((r) => r.severity), ...report.alerts.filter((a) => a.state === 'firing').map((a) => a.severity)];
  return levels.reduce<Severity | null>((w, s) => (w === null || SEVERITY_RANK[s] > SEVERITY_RANK[w] ? s : w), null);
}

/** `agentpulse analyze`: the batch analyzer report, alerts and sinks. */
export const analyzeCommand = new Command('analyze')
  .description('analyze the trace store: metrics, regressions vs a baseline, forecasts, alerts (JSON or Markdown report)')
  .option('--since <duration>', 'current window, back from now', '24h')
  .option('--baseline <spec>', 'baseline: a duration before the window (7d) or <iso>..<iso>', '7d')
  .option('--out <file>', 'write the report to a file instead of stdout')
  .addOption(new Option('--format <format>', 'report format (default md; --json implies json)').choices(['json', 'md']))
  .addOption(new Option('--fail-on <severity>', `exit ${FINDINGS_EXIT_CODE} when a regression or firing alert is at least this severe`).choices(['warning', 'critical']))
  .option('--rules <file>', 'alert rules (YAML or JSON); default: regressions ≥ warning and forecast crossings')
  .option('--sink <spec>', 'send alerts: stdout, ndjson:FILE, webhook:URL, slack:URL, alertmanager:URL (repeatable)', (v: string, prev: string[]) => [...prev, v], [] as string[])
  .option('--incremental', 'start the window where the last successful run ended (scheduled runs)')
  .option('--no-persist', 'do not write alert state or the run to the store')
  .option('--bucket <duration>', 'series bucket for change points and forecasts (default: window/24)')
  .addHelpText(
    'after',
    `
Examples:
  $ agentpulse analyze                                   last 24h vs the 7 days before, Markdown
  $ agentpulse analyze --json --out report.json --fail-on critical   CI gate
  $ agentpulse analyze --since 1h --baseline 2025-03-01T00:00Z..2025-03-08T00:00Z
  $ agentpulse analyze --rules deploy/rules.example.yaml --sink alertmanager:http://127.0.0.1:9093 --incremental
  $ agentpulse --url http://127.0.0.1:4318 analyze --incremental --sink webhook:http://127.0.0.1:9000/hook

With --db (default), alert state, alert history and the run are stored in the file (the analyzer
needs the file to itself for the few seconds it runs). With --url the collector, which owns the
file, runs the analysis and stores the same things; sinks are then called from the collector's host.
A sink that is down is retried (HTTP sinks: 4 attempts, backoff from 500 ms), then reported on stderr,
one line per sink; the report is still written, and its notifications stay owed: the next run sends
them again.
Exit codes: 0 ok, 1 error, ${FINDINGS_EXIT_CODE} findings at or above --fail-on, ${SINK_FAILED_EXIT_CODE} a sink failed (wins over ${FINDINGS_EXIT_CODE}).`,
  )
  .action(async function (this: Command, flags: AnalyzeFlags) {
    const g = globalOptions(this);
    // Bad durations are the user's typo: say which flag, before opening anything.
    parseDuration(flags.since, { label: '--since' });
    if (!flags.baseline.includes('..')) parseDuration(flags.baseline, { label: '--baseline' });
    if (flags.bucket) parseDuration(flags.bucket, { label: '--bucket' });
    const format = flags.format ?? (g.json ? 'json' : 'md');
    const rules = flags.rules ? loadRulesFile(flags.rules) : DEFAULT_RULES;
    const sinks = [...rules.sinks, ...flags.sink].map(parseSinkSpec);

    let result: { report: Report; deliveries: { sink: string; ok: boolean; error?: string }[] };
    const target = await openAnalyzerTarget(g, { persist: flags.persist });
    let source: AnalyzerSource = { named: () => Promise.resolve([]) };
    let close: () => Promise<void> = async () => {};
    const url = 'url' in target ? target.url : undefined;
    if (url) {
      // The collector owns the writer: it runs the analysis so alert state and the run position persist.
      result = await analyzeThroughCollector(url, {
        since: flags.since,
        baseline: flags.baseline,
        incremental: flags.incremental ?? false,
        persist: flags.persist,
        bucket: flags.bucket,
        rules: flags.rules ? rules : undefined,
        sinks: flags.sink,
      });
    } else if ('source' in target) {
      source = target.source;
      close = target.close;
    }

    try {
      if (!url) result = await analyzeRun({
        source,
        persist: flags.persist,
        since: flags.since,
        baseline: flags.baseline,
        rules,
        sinks,
        incremental: flags.incremental,
        bucket: flags.bucket,
        // Patterns, antipatterns and recommendations from the learning system land in the same report.
        extensions: [learningExtension()],
      });
    } catch (err) {
      if (isAgentpulseError(err)) throw new CliError(err.message, { cause: err });
      throw err;
    } finally {
      await close();
    }
    result = result!;
    const failedSinks = result.deliveries.filter((d) => !d.ok);
    for (const d of failedSinks) process.stderr.write(`agentpulse analyze: sink ${d.sink} failed: ${d.error}; its notifications stay owed and are sent again next run\n`);

    const text = format === 'json' ? formatJson(result.report) : renderMarkdown(result.report);
    if (flags.out) await writeFile(flags.out, text.endsWith('\n') ? text : text + '\n');
    else print(text);

    if (failedSinks.length > 0) {
      // Each failed sink already has its line on stderr; this only sets the exit code.
      throw new CliError(`${failedSinks.length} of ${result.deliveries.length} sink(s) failed`, { exitCode: SINK_FAILED_EXIT_CODE, code: 'SINK_FAILED', reported: true });
    }
    const worst = worstFinding(result.report);
    if (flags.failOn && worst && SEVERITY_RANK[worst] >= SEVERITY_RANK[flags.failOn]) {
      throw new CliError(`found ${worst} findings (--fail-on ${flags.failOn})`, { exitCode: FINDINGS_EXIT_CODE, code: 'FINDINGS' });
    }
  });

/** Asks a running collector to analyze its own store (POST /api/analyze). */
async function analyzeThroughCollector(
  url: string,
  body: Record<string, unknown>,
): Promise<{ report: Report; deliveries: { sink: string; ok: boolean; error?: string }[] }> {
  const json = (await collectorClient(url).post('/api/analyze', body, { what: 'to analyze', timeoutMs: 300_000 })) as { report?: Report; deliveries?: [] } | null;
  if (!json?.report) throw new CliError(`the collector at ${url} answered without a report; is it an agentpulse collector?`);
  return { report: json.report, deliveries: json.deliveries ?? [] };
}
