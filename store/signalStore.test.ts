import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { makeSpan } from '../test/spanFactory.js';
import { DuckDbStore } from './DuckDbStore.js';
import { applyRetention, exportParquet } from './maintenance.js';
import type { LogRecordIn } from './signals.js';

const DAY_NS = 86_400_000_000_000n;

function log(over: Partial<LogRecordIn> = {}): LogRecordIn {
  return {
    timeNs: BigInt(Date.now()) * 1_000_000n, observedNs: 0n, traceId: null, spanId: null, severityNumber: 9, severityText: 'INFO', body: 'x', eventName: 'user_prompt',
    attributes: { 'session.id': 's1' }, resource: { 'service.name': 'claude-code' }, scopeName: 'com.anthropic.claude_code.events', scopeVersion: null, ...over,
  };
}

describe('log records and metric points in maintenance', () => {
  it('exports them to their own Parquet folders (idempotently) and deletes them past retention', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ap-signal-maint-'));
    const store = await DuckDbStore.open(join(dir, 'm.duckdb'));
    try {
      const now = BigInt(Date.now()) * 1_000_000n;
      const old = log({ timeNs: now - 40n * DAY_NS, body: 'old' });
      await store.writeBatch([], { logs: [old, log({ body: 'new' })], points: [] });
      const first = await exportParquet(store, join(dir, 'out'));
      const again = await exportParquet(store, join(dir, 'out'));
      expect(first.logs).toBe(2);
      expect(again.logs).toBe(2);
      const days = readdirSync(join(dir, 'out', 'log_records')).filter((d) => d.startsWith('day='));
      expect(days.length).toBe(2);
      const [{ n }] = await store.query(`SELECT count(*) AS n FROM read_parquet('${join(dir, 'out', 'log_records')}/*/*.parquet')`);
      expect(Number(n)).toBe(2);
      const r = await applyRetention(store, { spansDays: 30, rollupsDays: 400 });
      expect(r.logs).toBe(1);
      expect((await store.query('SELECT body FROM log_records')).map((x) => x.body)).toEqual(['new']);
    } finally {
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('evaluations as learning outcomes', () => {
  it('turns a gen_ai.evaluation.result into the task outcome of the evaluated trace, by trace id or by response id', async () => {
    const store = await DuckDbStore.open(':memory:');
    const t0 = BigInt(Date.now() - 60_000) * 1_000_000n;
    const task = (trace: string, task: string, response: string) => [
      makeSpan({ traceId: trace, spanId: '1'.padStart(16, '0'), startNs: t0, endNs: t0 + 5_000_000n, attributes: { 'gen_ai.operation.name': 'task', 'agentpulse.task.id': task, 'agentpulse.task.type': 'qa' } }),
      makeSpan({ traceId: trace, spanId: '2'.padStart(16, '0'), parentSpanId: '1'.padStart(16, '0'), startNs: t0 + 1n, endNs: t0 + 4_000_000n, attributes: { 'gen_ai.operation.name': 'chat', 'gen_ai.response.id': response } }),
    ];
    const a = 'a'.repeat(32);
    const b = 'b'.repeat(32);
    await store.writeBatch([...task(a, 'task-a', 'resp-a'), ...task(b, 'task-b', 'resp-b')]);
    const evaluation = (attrs: Record<string, string | number>, traceId: string | null) =>
      log({ eventName: 'gen_ai.evaluation.result', traceId, spanId: traceId ? '2'.padStart(16, '0') : null, attributes: { 'gen_ai.evaluation.name': 'correctness', ...attrs } });
    await store.writeBatch([], {
      logs: [evaluation({ 'gen_ai.evaluation.score.value': 0.2, 'gen_ai.evaluation.explanation': 'wrong answer' }, a), evaluation({ 'gen_ai.evaluation.score.label': 'pass', 'gen_ai.response.id': 'resp-b' }, null)],
      points: [],
    });
    const evals = await store.query('SELECT name, score_value, score_label, explanation, response_id FROM evaluations ORDER BY response_id NULLS FIRST');
    expect(evals).toEqual([
      { name: 'correctness', score_value: 0.2, score_label: null, explanation: 'wrong answer', response_id: null },
      { name: 'correctness', score_value: null, score_label: 'pass', explanation: null, response_id: 'resp-b' },
    ]);
    const records = await store.named('learning_execution_records', {});
    expect(records.map((r) => [r.task_id, r.status_success, r.feedback_success, r.success])).toEqual([
      ['task-a', true, false, false],
      ['task-b', true, true, true],
    ]);
    await store.close();
  });
});
