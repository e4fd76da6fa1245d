import { readFile } from 'node:fs/promises';
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RecoverableAgent } from './agents/Agent.js';
import { RecoverySelector } from './selector/RecoverySelector.js';

const QUERY = new URL('../queries/recovery.sql', import.meta.url);

/**
 * Runs queries/recovery.sql against a `spans` table holding the promoted columns of real
 * recovery spans, and checks it agrees with counts computed from the spans directly.
 */
describe('queries/recovery.sql', () => {
  let conn: DuckDBConnection;
  let instance: DuckDBInstance;
  beforeAll(async () => {
    instance = await DuckDBInstance.create(':memory:');
    conn = await instance.connect();
    await conn.run('CREATE TABLE spans (span_id VARCHAR, start_ns BIGINT, agent_name VARCHAR, recovery_strategy VARCHAR, recovery_outcome VARCHAR)');
  });
  afterAll(() => {
    conn.closeSync();
    instance.closeSync();
  });

  /** Appends the promoted columns of every finished span, as the store's normaliser would. */
  async function store(exporter: InMemorySpanExporter): Promise<void> {
    await conn.run('DELETE FROM spans');
    const appender = await conn.createAppender('spans');
    for (const s of exporter.getFinishedSpans()) {
      appender.appendVarchar(s.spanContext().spanId);
      appender.appendBigInt(BigInt(s.startTime[0]) * 1_000_000_000n + BigInt(s.startTime[1]));
      appender.appendVarchar(String(s.attributes['gen_ai.agent.name'] ?? ''));
      appender.appendVarchar(String(s.attributes['agentpulse.recovery.strategy']));
      appender.appendVarchar(String(s.attributes['agentpulse.recovery.outcome']));
      appender.endRow();
    }
    appender.closeSync();
  }

  it('reports attempts, recovered and success rate per strategy from real recovery spans', async () => {
    const exporter = new InMemorySpanExporter();
    const tracer = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] }).getTracer('q');
    const flaky = (name: string, failEvery: number): RecoverableAgent => {
      let n = 0;
      return { name, capabilities: ['x'], invoke: async () => (++n % failEvery === 1 ? Promise.reject(Object.assign(new Error('x'), { status: 500 })) : 'ok') };
    };
    const dead: RecoverableAgent = { name: 'dead', capabilities: ['y'], invoke: async () => Promise.reject(Object.assign(new Error('x'), { status: 500 })) };
    const selector = new RecoverySelector({ tracer, breakerRetryDelayMs: 0, agents: [dead] });
    for (let i = 0; i < 6; i++) await selector.run(flaky(`f${i}`, 2), { input: i });
    for (let i = 0; i < 3; i++) await selector.run(dead, { input: i }).catch(() => undefined);

    await store(exporter);
    const sql = await readFile(QUERY, 'utf8');
    const reader = await conn.runAndReadAll(sql, { since_ns: null });
    const rows = reader.getRowObjectsJson();
    expect(rows).toEqual([
      { strategy: 'circuit_breaker', attempts: '8', recovered: '6', success_rate: 0.75 },
      { strategy: 'escalate', attempts: '3', recovered: '0', success_rate: 0 },
    ]);

    const future = await conn.runAndReadAll(sql, { since_ns: BigInt(Date.now() + 60_000) * 1_000_000n });
    expect(future.getRowObjectsJson()).toEqual([]);
  });
  it('shows a declared fallback recovering, and no escalation, after the primary\'s breaker opened', async () => {
    const exporter = new InMemorySpanExporter();
    const tracer = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] }).getTracer('q');
    const writer: RecoverableAgent = { name: 'writer', capabilities: ['write'], invoke: async () => Promise.reject(Object.assign(new Error('down'), { status: 500 })) };
    const backup: RecoverableAgent = { name: 'writer-backup', capabilities: ['write'], invoke: async () => 'ok' };
    let escalations = 0;
    const selector = new RecoverySelector({ tracer, breakerRetryDelayMs: 0, agents: [writer, backup], fallbacks: { writer: ['writer-backup'] }, onEscalate: () => void escalations++ });
    for (let i = 0; i < 16; i++) expect(await selector.run(writer, { input: i })).toBe('ok');
    expect(selector.breakers.peek('writer')?.state).toBe('open');
    expect(escalations).toBe(0);

    await store(exporter);
    const reader = await conn.runAndReadAll(await readFile(QUERY, 'utf8'), { since_ns: null });
    const rows = reader.getRowObjectsJson() as { strategy: string; attempts: string; recovered: string }[];
    expect(rows.find((r) => r.strategy === 'fallback_agent')).toMatchObject({ attempts: '16', recovered: '16' });
    expect(rows.find((r) => r.strategy === 'escalate')).toBeUndefined();
  });
});
