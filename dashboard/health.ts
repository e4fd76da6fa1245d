import { statfs } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import type { DashboardApi } from './DashboardApi.js';

export type CheckStatus = 'ok' | 'warn' | 'fail';

export interface HealthCheck {
  name: string;
  status: CheckStatus;
  detail: string;
  value?: number | string | null;
}

export interface HealthReport {
  status: CheckStatus;
  checked_at: string;
  checks: HealthCheck[];
}

export interface HealthOptions {
  /** The DuckDB file, for the disk check. */
  dbPath?: string;
  /** Newest span older than this fails the ingest-lag check (default 900 s: a quarter hour without any span from a live fleet). */
  maxLagSeconds?: number;
  /**
   * Whether something is expected to be writing to this store now (default true: a collector, or a
   * dashboard in front of one). When false (a file nothing writes to: a demo, a copy, a report
   * host), old data is not a lag: the check says "no recent data" and stays ok.
   */
  writerLive?: boolean;
  /** Free disk below this warns (default 1 GiB) … */
  minFreeBytes?: number;
  /** … and below this fails (default 256 MiB: DuckDB needs room for its WAL and checkpoints). */
  criticalFreeBytes?: number;
  now?: () => number;
}

const GiB = 1024 ** 3;

/** Worst status wins. */
export function overallStatus(checks: readonly HealthCheck[]): CheckStatus {
  return checks.some((c) => c.status === 'fail') ? 'fail' : checks.some((c) => c.status === 'warn') ? 'warn' : 'ok';
}

/** Checks that need the store: reachable, ingest lag (newest span's age), firing alerts, analyzer runs, disk. */
export async function storeHealth(api: DashboardApi, opts: HealthOptions = {}): Promise<HealthReport> {
  const now = (opts.now ?? Date.now)();
  const checks: HealthCheck[] = [];
  try {
    const [h] = await api.run('dashboard_health');
    const spans = Number(h?.spans ?? 0);
    checks.push({ name: 'store', status: 'ok', detail: `schema v${h?.schema_version ?? '?'}, ${spans.toLocaleString('en-US')} spans`, value: spans });
    const maxLag = opts.maxLagSeconds ?? 900;
    if (h?.newest_end_ns === null || h?.newest_end_ns === undefined) {
      checks.push({ name: 'ingest_lag', status: 'warn', detail: 'no spans stored yet', value: null });
    } else {
      const lagS = Math.max(0, (now - Number(BigInt(String(h.newest_end_ns)) / 1_000_000n)) / 1000);
      const late = lagS > maxLag;
      checks.push({
        name: 'ingest_lag',
        status: late && opts.writerLive !== false ? 'fail' : 'ok',
        detail:
          late && opts.writerLive === false
            ? `no recent data: newest span ended ${formatAge(lagS)} ago; nothing is writing to this store now, so that is not a lag (to require fresh data, pass --max-lag or the collector's --url)`
            : `newest span ended ${formatAge(lagS)} ago (threshold ${formatAge(maxLag)})`,
        value: Math.round(lagS),
      });
    }
    const firing = Number(h?.alerts_firing ?? 0);
    checks.push({ name: 'alerts', status: firing > 0 ? 'warn' : 'ok', detail: firing > 0 ? `${firing} alert(s) firing` : 'none firing', value: firing });
    const lastRun = h?.last_analyzer_run_ms == null ? null : Number(h.last_analyzer_run_ms);
    checks.push({
      name: 'analyzer',
      status: lastRun === null ? 'warn' : 'ok',
      detail: lastRun === null ? 'no analyzer run recorded; schedule `agentpulse analyze` (see deploy/)' : `last run ${formatAge((now - lastRun) / 1000)} ago`,
      value: lastRun,
    });
  } catch (err) {
    checks.push({ name: 'store', status: 'fail', detail: `query failed: ${err instanceof Error ? err.message : String(err)}` });
  }
  if (opts.dbPath) checks.push(await diskCheck(opts.dbPath, opts));
  return { status: overallStatus(checks), checked_at: new Date(now).toISOString(), checks };
}

/** Free space on the file system holding the store. */
export async function diskCheck(dbPath: string, opts: Pick<HealthOptions, 'minFreeBytes' | 'criticalFreeBytes'> = {}): Promise<HealthCheck> {
  try {
    const s = await statfs(dirname(resolve(dbPath)));
    const free = Number(s.bavail) * Number(s.bsize);
    const total = Number(s.blocks) * Number(s.bsize);
    const status: CheckStatus = free < (opts.criticalFreeBytes ?? GiB / 4) ? 'fail' : free < (opts.minFreeBytes ?? GiB) ? 'warn' : 'ok';
    return { name: 'disk', status, detail: `${(free / GiB).toFixed(1)} GiB free of ${(total / GiB).toFixed(1)} GiB at ${dirname(resolve(dbPath))}`, value: free };
  } catch (err) {
    return { name: 'disk', status: 'warn', detail: `cannot stat ${dirname(resolve(dbPath))}: ${err instanceof Error ? err.message : String(err)}` };
  }
}

interface SpoolDamage {
  quarantined?: number;
  framesSkipped?: number;
  bytesSkipped?: number;
  last?: { path?: string; movedTo?: string | null; reason?: string };
}

/** GET <url>/healthz within `timeoutMs`: fail when unreachable or unhealthy, warn when its spool or write-ahead log met damaged data. */
export async function collectorCheck(url: string, timeoutMs = 3000): Promise<HealthCheck> {
  try {
    const res = await fetch(new URL('/healthz', url), { signal: AbortSignal.timeout(timeoutMs) });
    const body = (await res.json().catch(() => ({}))) as { status?: string; queueSpans?: number; spoolBytes?: number; spoolDamage?: SpoolDamage };
    if (!res.ok) return { name: 'collector', status: 'fail', detail: `${url} answered ${res.status} (${body.status ?? 'unhealthy'})` };
    const d = body.spoolDamage;
    if (d) {
      const where = d.last?.movedTo ? `; kept as evidence in ${d.last.movedTo}` : '';
      return {
        name: 'collector',
        status: 'warn',
        detail: `${url} is up, but its spool met damaged data: ${d.framesSkipped ?? 0} frames (${d.bytesSkipped ?? 0} B) skipped, ${d.quarantined ?? 0} files quarantined (last: ${d.last?.reason ?? 'unknown'}${where}); see docs/operations.md`,
      };
    }
    return { name: 'collector', status: 'ok', detail: `${url} is up (queue ${body.queueSpans ?? 0} spans, spool ${body.spoolBytes ?? 0} B)` };
  } catch (err) {
    const why = err instanceof Error ? (err.cause instanceof Error ? err.cause.message : err.message) : String(err);
    return { name: 'collector', status: 'fail', detail: `${url} unreachable (${why}); start it with \`agentpulse collect\`` };
  }
}

export function formatAge(seconds: number): string {
  if (seconds < 90) return `${Math.round(seconds)} s`;
  if (seconds < 5400) return `${Math.round(seconds / 60)} min`;
  if (seconds < 172_800) return `${(seconds / 3600).toFixed(1)} h`;
  return `${(seconds / 86_400).toFixed(1)} d`;
}
