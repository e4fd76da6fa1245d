import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { runLoad } from '../bench/load.js';
import { ensureBuilt } from './build.js';

const dirs: string[] = [];
function tempDir(): string {
  const d = mkdtempSync(join(tmpdir(), 'ap-load-'));
  dirs.push(d);
  return d;
}
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});
beforeAll(() => ensureBuilt());

describe('fleet load (bounded CI variant of bench/load)', () => {
  it('500 concurrent agents in 4 processes → one collector: every ended span stored', async () => {
    const dir = tempDir();
    const r = await runLoad({ db: join(dir, 'load.duckdb'), spoolDir: join(dir, 'spool'), processes: 4, agentsPerProcess: 125, tasksPerAgent: 8 });
    console.log(`load: ${r.stored} spans in ${r.seconds.toFixed(1)} s (${Math.round(r.spansPerSecond)}/s), ack p99 ${r.ackP99Ms} ms, collector-process RSS ${r.peakCollectorRssMb} MB`);
    expect(r.crashedProcesses).toBe(0);
    expect(r.ended).toBeGreaterThanOrEqual(4 * 125 * 8 * 4);
    expect(r.lost).toBe(0);
    expect(r.droppedByClients).toBe(0); // at this size nothing overflows the clients' queues
  }, 180_000);

  it('with faults and a collector restart mid-run: agents never crash, recovery is measured, nothing is lost', async () => {
    const dir = tempDir();
    const r = await runLoad({
      db: join(dir, 'stress.duckdb'),
      spoolDir: join(dir, 'spool'),
      processes: 4,
      agentsPerProcess: 60,
      tasksPerAgent: 20,
      faultRate: 0.2,
      restartAtShare: 0.2,
      downMs: 4000, // longer than the exporters' own retry budget (OTEL_EXPORTER_OTLP_TIMEOUT=3000): they must spool
    });
    console.log(`stress: ${r.spoolingProcesses} of 4 processes spooled while the collector was down; faults ${r.faults}, recovered ${r.recoveredCalls}, failed ${r.failedCalls}, by strategy ${JSON.stringify(r.recoveryByStrategy)}`);
    expect(r.crashedProcesses).toBe(0);
    expect(r.lost).toBe(0);
    expect(r.restartedMidRun).toBe(true); // the collector was down while agents were still sending
    expect(r.faults).toBeGreaterThan(0);
    expect(r.recoveredCalls / r.faults).toBeGreaterThanOrEqual(0.8);
    const retry = r.recoveryByStrategy.find((s) => s.strategy === 'retry');
    expect(Number(retry?.recovered)).toBe(r.recoveredCalls);
  }, 240_000);
});
