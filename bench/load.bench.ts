/**
 * Fleet load benchmark: ≥ 500 concurrent simulated agents in ≥ 4 processes send OTLP
 * (protobuf, through the preload) to one collector for a fixed span count; reports
 * sustained spans/s, collector ack p99, RSS, and lost spans (must be 0). Then the same
 * fleet with faults at 5 %, 20 %, 50 % and a collector restart mid-run.
 *   node dist/bench/load.bench.js [--tasks N] [--quick]
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runLoad } from './load.js';

export async function benchLoad(opts: { tasksPerAgent?: number; quick?: boolean } = {}): Promise<Record<string, unknown>> {
  const tasks = opts.tasksPerAgent ?? (opts.quick ? 20 : 1050); // 500 agents × 1050 tasks × 4 spans ≈ 2.1 M spans
  const out: Record<string, unknown> = {};
  const dir = mkdtempSync(join(tmpdir(), 'ap-bench-load-'));
  try {
    // Paced: each call takes 50 ms, so 500 agents offer about what one collector on this machine
    // sustains; then unpaced (1 ms calls), an overload that the clients' bounded queues absorb by dropping.
    for (const [label, paceMs] of [['paced', 50], ['overload', 1]] as const) {
      const r = await runLoad({ db: join(dir, `load-${label}.duckdb`), spoolDir: join(dir, `spool-${label}`), processes: 4, agentsPerProcess: 125, tasksPerAgent: tasks, paceMs });
      out[`load_${label}`] = r;
      console.log(`load (${label}, ${paceMs} ms calls): ${r.ended} spans ended, ${r.stored} stored, ${r.seconds.toFixed(1)} s, ${Math.round(r.spansPerSecond)} spans/s sustained, ack p99 ≤ ${r.ackP99Ms} ms, peak RSS ${r.peakCollectorRssMb} MB; acknowledged spans lost ${r.lost}; dropped by the clients' bounded queues ${r.droppedByClients}; crashed ${r.crashedProcesses}`);
    }
    for (const rate of [0.05, 0.2, 0.5]) {
      const s = await runLoad({
        db: join(dir, `stress-${rate}.duckdb`),
        spoolDir: join(dir, `spool-${rate}`),
        processes: 4,
        agentsPerProcess: 125,
        tasksPerAgent: Math.max(10, Math.round(tasks / 10)),
        faultRate: rate,
        restartAtShare: 0.3,
        downMs: 4000,
      });
      out[`stress_${rate}`] = s;
      console.log(`stress ${rate * 100}% faults + collector restart: recovered ${s.recoveredCalls}/${s.faults} (${((100 * s.recoveredCalls) / Math.max(1, s.faults)).toFixed(1)} %), by strategy ${JSON.stringify(s.recoveryByStrategy)}, lost ${s.lost}, crashed ${s.crashedProcesses}`);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  return out;
}

if (process.argv[1] && import.meta.url.endsWith(process.argv[1].split('/').pop()!)) {
  const i = process.argv.indexOf('--tasks');
  await benchLoad({ tasksPerAgent: i > 0 ? Number(process.argv[i + 1]) : undefined, quick: process.argv.includes('--quick') });
}
