import { Command } from 'commander';
import { parseSinkSpec } from '../../analyzer/sinks/parseSinkSpec.js';
import { parseDurationMs } from '../../analyzer/window.js';
import { collectorCheck, diskCheck, formatAge, overallStatus, type HealthCheck, type HealthReport } from '../../dashboard/health.js';
import { collectorClient, openDashboardSource, preferredUrl } from '../openStore.js';
import { isStoreLocked, StoreMissingError } from '../../store/errors.js';
import { CliError } from '../errors.js';
import { lockedStoreError, noteThroughHolder, servingHolder } from '../openStore.js';
import { globalOptions, print } from '../globalOptions.js';

interface HealthFlags {
  maxLag: string;
  sink: string[];
  strict?: boolean;
}

/** Alert sinks from --sink and AGENTPULSE_ALERT_SINKS (comma-separated), each validated. */
function sinkChecks(specs: string[]): HealthCheck[] {
  if (specs.length === 0) return [{ name: 'alert_sinks', status: 'ok', detail: 'none configured (alerts stay in the store and the dashboard)', value: 0 }];
  return specs.map((spec) => {
    try {
      return { name: 'alert_sink', status: 'ok', detail: `${parseSinkSpec(spec).name} is valid`, value: spec };
    } catch (err) {
      return { name: 'alert_sink', status: 'fail', detail: err instanceof Error ? err.message : String(err), value: spec };
    }
  });
}

/** `agentpulse health`: checks for monitors; exit 2 on any failure. */
export const healthCommand = new Command('health')
  .description('check the store, the collector (--url), ingest lag, alert sinks and disk; exits 2 when a check fails')
  .option('--max-lag <duration>', 'fail when the newest span is older than this (with --db, only when given; see below)', '15m')
  .option('--sink <spec>', 'an alert sink to validate (repeatable; also AGENTPULSE_ALERT_SINKS)', (v: string, p: string[]) => [...p, v], [] as string[])
  .option('--strict', 'exit 1 on warnings too')
  .addHelpText('after', `
Ingest lag: through --url (a collector is receiving) the newest span must be younger than --max-lag.
With --db and a file nothing is writing to (a demo, a copy), old data is reported as "no recent data"
and is not a failure unless --max-lag is given explicitly.
Exit codes: 0 healthy (warnings allowed), 1 warnings with --strict, 2 a check failed.
Examples:
  $ agentpulse --url http://127.0.0.1:4318 health --max-lag 5m
  $ agentpulse --db agents.duckdb health --json`)
  .action(async function (this: Command, flags: HealthFlags) {
    const g = globalOptions(this);
    const maxLagSeconds = parseDurationMs(flags.maxLag, { label: '--max-lag' }) / 1000;
    // An explicit --max-lag means "this store must be getting data"; the default only judges a live writer.
    const requireFresh = this.getOptionValueSource('maxLag') === 'cli';
    let url = preferredUrl(g);
    if (!url) {
      // The process that holds the file serves it: check through it (its lag, its queue).
      const holder = await servingHolder(g.db);
      if (holder) {
        noteThroughHolder(g.db, holder);
        url = holder.url;
      }
    }
    const checks: HealthCheck[] = [];
    if (url) {
      const c = await collectorCheck(url);
      checks.push(c);
      if (c.status === 'ok') {
        try {
          const r = (await collectorClient(url, 10_000).get(`/api/health?max_lag=${maxLagSeconds}`)) as HealthReport;
          checks.push(...r.checks.filter((x) => x.name !== 'disk' || !g.db));
        } catch (err) {
          checks.push({ name: 'store', status: 'warn', detail: `collector up but its store checks failed: ${err instanceof Error ? err.message : String(err)}` });
        }
      }
    } else {
      try {
        // Opened here, so no writer holds the file now.
        const source = await openDashboardSource({ db: g.db, options: { health: { maxLagSeconds, writerLive: requireFresh } } });
        try {
          const r = (await source.fetch('/api/health')) as HealthReport;
          checks.push(...r.checks.filter((x) => x.name !== 'disk'));
        } finally {
          await source.close();
        }
      } catch (err) {
        if (isStoreLocked(err)) {
          checks.push({ name: 'store', status: 'warn', detail: `${lockedStoreError(err, g.db).message} (ingest lag not checked)` });
        } else if (err instanceof StoreMissingError) {
          checks.push({ name: 'store', status: 'fail', detail: err.message });
        } else throw err;
      }
    }
    checks.push(await diskCheck(g.db));
    const envSinks = (process.env.AGENTPULSE_ALERT_SINKS ?? '').split(',').map((s) => s.trim()).filter(Boolean);
    checks.push(...sinkChecks([...flags.sink, ...envSinks]));
    const report: HealthReport = { status: overallStatus(checks), checked_at: new Date().toISOString(), checks };
    if (g.json) print(JSON.stringify({ ...report, max_lag_seconds: maxLagSeconds }, null, 2));
    else {
      const mark = { ok: 'ok  ', warn: 'WARN', fail: 'FAIL' };
      print(report.checks.map((c) => `${mark[c.status]}  ${c.name.padEnd(12)} ${c.detail}`).join('\n'));
      print(`health: ${report.status.toUpperCase()} (max ingest lag ${formatAge(maxLagSeconds)})`);
    }
    const failed = report.checks.filter((c) => c.status === 'fail').map((c) => c.name);
    if (failed.length > 0) throw new CliError(`health check failed: ${failed.join(', ')}`, { exitCode: 2, code: 'UNHEALTHY' });
    if (flags.strict && report.status === 'warn') throw new CliError('health: warnings (--strict)', { exitCode: 1, code: 'UNHEALTHY' });
  });
