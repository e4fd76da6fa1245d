import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import { makeSpan } from '../test/spanFactory.js';
import { DuckDbStore } from './DuckDbStore.js';
import { StoreLockedError, StoreMissingError } from './errors.js';
import { SQL_SKETCH_VALUE } from './sketch.js';
import { spoolDirFor, writeSpoolSegment } from './spool.js';

const dirs: string[] = [];
function tempDb(): string {
  const d = mkdtempSync(join(tmpdir(), 'ap-store-'));
  dirs.push(d);
  return join(d, 'test.duckdb');
}
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

describe('DuckDbStore', () => {
  it('opens with a bounded memory limit and thread count when asked (the embedded writer does)', async () => {
    const store = await DuckDbStore.open(':memory:', { threads: 1, memoryLimit: '256MiB' });
    try {
      const [row] = await store.query("SELECT current_setting('memory_limit') AS m, current_setting('threads') AS t");
      expect([String(row!.m), Number(row!.t)]).toEqual(['256.0 MiB', 1]);
    } finally {
      await store.close();
    }
  });

  it('stores spans with promoted GenAI columns, accepting the older gen_ai.system', async () => {
    const store = await DuckDbStore.open(':memory:');
    const span = makeSpan({
      attributes: {
        'gen_ai.operation.name': 'chat',
        'gen_ai.system': 'openai',
        'gen_ai.request.model': 'gpt-4o',
        'gen_ai.usage.input_tokens': 120,
        'gen_ai.usage.output_tokens': 30,
        'gen_ai.agent.name': 'coder',
        'agentpulse.team.members': ['reviewer', 'coder', 'planner'],
        'agentpulse.task.type': 'bugfix',
        'agentpulse.cost.usd': 0.0042,
        'error.type': 'rate_limit',
      },
      statusCode: 'ERROR',
    });
    await store.writeBatch([span]);
    const [row] = await store.query('SELECT * FROM spans');
    expect(row).toMatchObject({
      operation: 'chat',
      provider: 'openai',
      model: 'gpt-4o',
      input_tokens: 120,
      output_tokens: 30,
      agent_name: 'coder',
      team_signature: 'coder+planner+reviewer',
      task_type: 'bugfix',
      cost_usd: 0.0042,
      error_type: 'rate_limit',
      service_name: 'test-svc',
      duration_ns: 5_000_000,
      start_ns: span.startNs.toString(),
    });
    await store.close();
  });

  it('stores a span whose values overflow the typed columns instead of failing its batch', async () => {
    const store = await DuckDbStore.open(':memory:');
    const good = makeSpan({ attributes: { 'gen_ai.usage.input_tokens': 7 } });
    const wild = makeSpan({
      startNs: 2n ** 63n + 1n,
      endNs: 2n ** 64n - 1n,
      attributes: { 'gen_ai.usage.input_tokens': 1e20, 'gen_ai.usage.output_tokens': -(2 ** 60), 'agentpulse.context.size': '1e30', 'agentpulse.queue.depth': 2 ** 53 },
    });
    expect(await store.writeBatch([good, wild])).toEqual({ inserted: 2, duplicates: 0 });
    const rows = await store.query('SELECT span_id, input_tokens, output_tokens, context_size, queue_depth, start_ns, attributes::VARCHAR AS attrs FROM spans ORDER BY input_tokens NULLS LAST');
    expect(rows[0]).toMatchObject({ span_id: good.spanId, input_tokens: 7 });
    // Out-of-range numbers become NULL in the typed columns (the raw value stays in the JSON); times are clamped.
    expect(rows[1]).toMatchObject({ span_id: wild.spanId, input_tokens: null, output_tokens: null, context_size: null, queue_depth: null, start_ns: (2n ** 63n - 1n).toString() });
    expect(JSON.parse(rows[1].attrs as string)['gen_ai.usage.input_tokens']).toBe(1e20);
    await store.close();
  });

  it('ignores replays of the same (trace_id, span_id), in one batch and across batches', async () => {
    const store = await DuckDbStore.open(':memory:');
    const spans = Array.from({ length: 50 }, (_, i) => makeSpan({ startNs: 1_700_000_000_000_000_000n + BigInt(i) * 1_000_000n }));
    expect(await store.writeBatch([...spans, spans[0]])).toEqual({ inserted: 50, duplicates: 1 });
    expect(await store.writeBatch(spans.slice(10, 30))).toEqual({ inserted: 0, duplicates: 20 });
    const [{ n }] = await store.query('SELECT count(*) AS n FROM spans');
    const [{ r }] = await store.query('SELECT sum(span_count) AS r FROM rollup_minute');
    expect(n).toBe(50);
    expect(r).toBe(50);
    await store.close();
  });

  it('keeps rollup counts equal to raw counts and sketch quantiles within 1 % of exact', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(
          fc.record({
            agent: fc.constantFrom('a', 'b', 'c'),
            minute: fc.integer({ min: 0, max: 5 }),
            durMs: fc.double({ min: 0.01, max: 60_000, noNaN: true }),
            err: fc.boolean(),
          }),
          { minLength: 1, maxLength: 300 },
        ),
        async (items) => {
          const store = await DuckDbStore.open(':memory:');
          const base = 1_700_000_000_000_000_000n;
          const spans = items.map((it, i) => {
            const start = base + BigInt(it.minute) * 60_000_000_000n + BigInt(i);
            return makeSpan({
              startNs: start,
              endNs: start + BigInt(Math.max(1, Math.round(it.durMs * 1e6))),
              statusCode: it.err ? 'ERROR' : 'OK',
              attributes: { 'gen_ai.agent.name': it.agent, 'gen_ai.operation.name': 'invoke_agent' },
            });
          });
          // several batches so rollups hold several partials per minute
          for (let i = 0; i < spans.length; i += 37) await store.writeBatch(spans.slice(i, i + 37));
          const raw = await store.query(
            `SELECT agent_name, count(*) AS n, count(*) FILTER (WHERE status_code='ERROR') AS e,
                    quantile_disc(duration_ns, 0.95) AS p95 FROM spans GROUP BY 1 ORDER BY 1`,
          );
          const roll = await store.query(
            `SELECT agent_name, sum(span_count) AS n, sum(error_count) AS e FROM rollup_minute GROUP BY 1 ORDER BY 1`,
          );
          const sk = await store.query(
            `WITH b AS (SELECT agent_name, bucket, sum(n) AS n FROM rollup_sketch GROUP BY 1, 2),
                  c AS (SELECT *, sum(n) OVER (PARTITION BY agent_name ORDER BY bucket) AS cum, sum(n) OVER (PARTITION BY agent_name) AS tot FROM b)
             SELECT agent_name, ${SQL_SKETCH_VALUE('min(bucket)')} AS p95 FROM c WHERE cum >= ceil(0.95 * tot - 1e-9) GROUP BY 1 ORDER BY 1`,
          );
          expect(roll.map((r) => [r.agent_name, r.n, r.e])).toEqual(raw.map((r) => [r.agent_name, r.n, r.e]));
          for (let i = 0; i < raw.length; i++) {
            const exact = Number(raw[i].p95);
            expect(Math.abs(Number(sk[i].p95) - exact) / exact).toBeLessThanOrEqual(0.01);
          }
          await store.close();
        },
      ),
      { numRuns: 25 },
    );
  });

  it('reports a clear error when a file is missing or locked by another process', async () => {
    const path = tempDb();
    await expect(DuckDbStore.open(path, { readOnly: true })).rejects.toBeInstanceOf(StoreMissingError);
    const writer = await DuckDbStore.open(path);
    await writer.writeBatch([makeSpan()]);
    // A child process holding the lock: DuckDB locks are per process.
    const { spawn } = await import('node:child_process');
    await writer.close();
    const child = spawn(process.execPath, [
      '--input-type=module',
      '-e',
      `import { DuckDBInstance } from '@duckdb/node-api'; const i = await DuckDBInstance.create(${JSON.stringify(path)}); await i.connect(); console.log('locked'); setInterval(() => {}, 1000);`,
    ], { cwd: process.cwd(), stdio: ['ignore', 'pipe', 'inherit'] });
    await new Promise<void>((resolve) => child.stdout!.once('data', () => resolve()));
    try {
      const err = await DuckDbStore.open(path).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(StoreLockedError);
      // The store names the holder; the advice (go through the holder, or wait) is the CLI's (cli/openStore.ts).
      expect((err as Error).message).toContain(`locked by another process (PID ${child.pid})`);
    } finally {
      child.kill('SIGKILL');
    }
  });

  it('ingests spool segments left by other processes on the next writable open, once', async () => {
    const path = tempDb();
    const spans = Array.from({ length: 120 }, () => makeSpan());
    writeSpoolSegment(spoolDirFor(path), spans.slice(0, 60));
    writeSpoolSegment(spoolDirFor(path), spans.slice(60));
    const store = await DuckDbStore.open(path);
    const [{ n }] = await store.query('SELECT count(*) AS n FROM spans');
    expect(n).toBe(120);
    expect((await store.ingestSpool()).segments).toBe(0);
    await store.close();
  });
});
