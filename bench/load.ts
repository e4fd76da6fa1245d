/**
 * The fleet load/stress harness shared by `bench/load.bench.ts` and the bounded CI test:
 * several processes of concurrent simulated agents, started with the agentpulse preload,
 * send OTLP to one collector; optionally the collector restarts mid-run. Counts every
 * span the agents ended against what the store holds at the end.
 */
import { spawn } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startLocalServer } from '../server/startServer.js';

const here = dirname(fileURLToPath(import.meta.url));
/** Repo root from sources (bench/) or from dist/bench/. */
export const repoRoot = here.includes(`${join('dist', 'bench')}`) ? join(here, '..', '..') : join(here, '..');

export interface LoadOptions {
  db: string;
  processes: number;
  agentsPerProcess: number;
  tasksPerAgent: number;
  faultRate?: number;
  /**
   * Stop the collector once it has received this share (0..1) of the spans the fleet will send,
   * and bring it back `downMs` later: mid-run by construction, however fast the machine is.
   */
  restartAtShare?: number;
  downMs?: number;
  spoolDir: string;
  seed?: number;
  /** Milliseconds each simulated tool/LLM call takes (default 1: as fast as the machine goes). */
  paceMs?: number;
}

export interface LoadResult {
  ended: number;
  stored: number;
  /** Acknowledged (or spooled) by the clients' exporters but not in the store: must be 0. */
  lost: number;
  /** Ended but never handed over: dropped by the SDK's bounded batch queue under overload (by design). */
  droppedByClients: number;
  seconds: number;
  spansPerSecond: number;
  faults: number;
  recoveredCalls: number;
  failedCalls: number;
  crashedProcesses: number;
  /** Children that told the user they spooled spans because the collector did not answer. */
  spoolingProcesses: number;
  /** With a restart: whether the collector went down before the last agent process finished. */
  restartedMidRun: boolean | null;
  peakCollectorRssMb: number;
  ackP99Ms: number | null;
  recoveryByStrategy: Record<string, unknown>[];
}

interface ChildOut {
  spans: number;
  faults: number;
  recoveredCalls: number;
  failedCalls: number;
  /** Spans the collector acknowledged to this process's exporter. */
  acked: number | null;
  /** Spans its exporter spooled to disk (collector down) for later delivery. */
  spooled: number | null;
}

function runChild(i: number, url: string, o: LoadOptions): Promise<{ out: ChildOut | null; code: number | null; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'agentpulse/register', join(repoRoot, 'test', 'fixtures', 'load-agent.mjs')], {
      cwd: repoRoot,
      env: {
        ...process.env,
        OTEL_EXPORTER_OTLP_ENDPOINT: url,
        OTEL_EXPORTER_OTLP_TIMEOUT: '3000',
        OTEL_SERVICE_NAME: `load-${i}`,
        AGENTPULSE_SPOOL_DIR: o.spoolDir,
        AGENTS: String(o.agentsPerProcess),
        TASKS: String(o.tasksPerAgent),
        FAULT_RATE: String(o.faultRate ?? 0),
        PROC: String(i),
        SEED: String(o.seed ?? 1),
        PACE_MS: String(o.paceMs ?? 1),
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('exit', (code) => {
      const line = stdout.trim().split('\n').pop() ?? '';
      let out: ChildOut | null = null;
      try {
        out = JSON.parse(line) as ChildOut;
      } catch {
        out = null;
      }
      resolve({ out, code, stderr });
    });
  });
}

/** Runs the fleet; resolves when every child exited and the store has settled. */
export async function runLoad(o: LoadOptions): Promise<LoadResult> {
  let running = await startLocalServer(o.db, { port: 0 });
  const port = running.collector.port;
  const url = running.collector.url;
  let peakRss = 0;
  const rssTimer = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage().rss)), 100);
  const t0 = performance.now();
  let restart: Promise<void> = Promise.resolve();
  let stoppedAt: number | null = null;
  if (o.restartAtShare !== undefined) {
    // Tasks × (task, agent, chat, ≥1 tool) spans per agent: a lower bound on what will arrive.
    const expected = o.processes * o.agentsPerProcess * o.tasksPerAgent * 4;
    const threshold = Math.max(1, Math.floor(expected * o.restartAtShare));
    restart = new Promise<void>((resolve) => {
      const poll = setInterval(async () => {
        if (running.collector.metrics.spansReceived < threshold) return;
        clearInterval(poll);
        stoppedAt = performance.now();
        await running.stop();
        await new Promise((r) => setTimeout(r, o.downMs ?? 1000));
        running = await startLocalServer(o.db, { port });
        resolve();
      }, 20);
    });
  }
  const children = await Promise.all(Array.from({ length: o.processes }, (_, i) => runChild(i, url, o)));
  const childrenDoneAt = performance.now();
  await restart;
  // Spans spooled while the collector was down are re-sent by the children at exit when it is back;
  // a child that exited during the outage leaves them for the next run: send them now.
  const { SpoolingExporter } = await import('../instrumentation/SpoolingExporter.js');
  const resend = new SpoolingExporter({ export: (_s, cb) => cb({ code: 0 }), shutdown: async () => {} }, { dir: o.spoolDir, url: `${running.collector.url}/v1/traces` });
  await resend.replay();
  await resend.shutdown();
  await running.collector.flush();
  const seconds = (performance.now() - t0) / 1000;
  clearInterval(rssTimer);
  const ended = children.reduce((s, c) => s + (c.out?.spans ?? 0), 0);
  const [{ n }] = await running.store.query('SELECT count(*) AS n FROM spans');
  const recoveryByStrategy = await running.store.query(
    `SELECT recovery_strategy AS strategy, count(*) FILTER (WHERE recovery_outcome IN ('recovered','failed','escalated')) AS attempts,
            count(*) FILTER (WHERE recovery_outcome = 'recovered') AS recovered
     FROM spans WHERE recovery_strategy IS NOT NULL GROUP BY 1 ORDER BY 1`,
  );
  const metrics = await fetch(`${running.collector.url}/metrics`).then((r) => r.text()).catch(() => '');
  // Recovery spans are extra spans the agents did not count; compare only agent-counted ones.
  const [{ r: recoverySpans }] = await running.store.query("SELECT count(*) AS r FROM spans WHERE scope_name = 'agentpulse.recovery'");
  await running.stop();
  const stored = Number(n);
  const delivered = children.reduce((sum, c) => sum + (c.out?.acked ?? 0) + (c.out?.spooled ?? 0), 0);
  return {
    ended,
    stored,
    lost: Math.max(0, delivered - stored),
    droppedByClients: Math.max(0, ended + Number(recoverySpans) - delivered),
    seconds,
    spansPerSecond: stored / seconds,
    faults: children.reduce((s, c) => s + (c.out?.faults ?? 0), 0),
    recoveredCalls: children.reduce((s, c) => s + (c.out?.recoveredCalls ?? 0), 0),
    failedCalls: children.reduce((s, c) => s + (c.out?.failedCalls ?? 0), 0),
    crashedProcesses: children.filter((c) => c.code !== 0 || !c.out).length,
    spoolingProcesses: children.filter((c) => /spooling them to/.test(c.stderr)).length,
    restartedMidRun: o.restartAtShare === undefined ? null : stoppedAt !== null && stoppedAt < childrenDoneAt,
    peakCollectorRssMb: Math.round(peakRss / 1e6),
    ackP99Ms: histogramP99(metrics),
    recoveryByStrategy,
  };
}

/** p99 of the collector's write-latency histogram from its Prometheus text, in ms (bucket upper bound). */
function histogramP99(text: string): number | null {
  const buckets = [...text.matchAll(/^(agentpulse_collector_ack_duration_seconds_bucket)\{le="([^"]+)"\} (\d+(?:\.\d+)?)/gm)].map((m) => ({ le: m[2], n: Number(m[3]) }));
  if (buckets.length === 0) return null;
  const total = buckets[buckets.length - 1].n;
  if (total === 0) return null;
  const hit = buckets.find((b) => b.n >= 0.99 * total);
  if (!hit || hit.le === '+Inf') return null;
  const v = Number(hit.le);
  return v < 100 ? v * 1000 : v; // seconds-based buckets are converted to ms
}
