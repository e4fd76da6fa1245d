import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { makeSpan } from '../test/spanFactory.js';
import { DuckDbStore } from './DuckDbStore.js';
import { DERIVED_SCOPE } from './reconcile.js';
import type { SpanRecord } from './types.js';

const T0 = 1_760_000_000_000_000_000n;
const trace = 'ab'.repeat(16);
const id = (n: number): string => n.toString(16).padStart(16, '0');

/** Rollup sums per (agent, operation) must equal the raw rows' sums: the invariant every rewrite keeps. */
async function expectRollupsMatchRows(store: DuckDbStore): Promise<void> {
  const raw = await store.query(`SELECT agent_name, operation, count(*)::BIGINT AS n, coalesce(sum(cost_usd), 0)::DOUBLE AS cost,
    coalesce(sum(input_tokens), 0)::BIGINT AS tin FROM spans GROUP BY ALL ORDER BY ALL`);
  const rolled = await store.query(`SELECT agent_name, operation, sum(span_count)::BIGINT AS n, sum(cost_usd)::DOUBLE AS cost, sum(input_tokens)::BIGINT AS tin
    FROM rollup_minute GROUP BY ALL HAVING sum(span_count) <> 0 ORDER BY ALL`);
  expect(rolled.map((r) => ({ ...r, cost: Number(Number(r.cost).toFixed(9)) }))).toEqual(raw.map((r) => ({ ...r, cost: Number(Number(r.cost).toFixed(9)) })));
  const sketch = await store.query('SELECT agent_name, operation, sum(n)::BIGINT AS n FROM rollup_sketch GROUP BY ALL HAVING sum(n) <> 0 ORDER BY ALL');
  expect(sketch).toEqual(raw.map((r) => ({ agent_name: r.agent_name, operation: r.operation, n: r.n })));
}

/** An agent span, a chat under it, a tool under the chat: only the root names the agent and session. */
function tree(): SpanRecord[] {
  const root = makeSpan({
    traceId: trace,
    spanId: id(1),
    startNs: T0,
    endNs: T0 + 10_000_000n,
    attributes: { 'gen_ai.operation.name': 'invoke_agent', 'gen_ai.agent.name': 'planner', 'gen_ai.conversation.id': 'sess-1' },
  });
  const chat = makeSpan({ traceId: trace, spanId: id(2), parentSpanId: id(1), startNs: T0 + 1n, endNs: T0 + 5_000_000n, attributes: { 'gen_ai.operation.name': 'chat', 'gen_ai.usage.input_tokens': 10 } });
  const tool = makeSpan({ traceId: trace, spanId: id(3), parentSpanId: id(2), startNs: T0 + 2n, endNs: T0 + 4_000_000n, attributes: { 'gen_ai.operation.name': 'execute_tool', 'gen_ai.tool.name': 'grep' } });
  return [root, chat, tool];
}

describe('attribution across the trace', () => {
  it('gives children the agent and session of their nearest ancestor, in any arrival order and batching', async () => {
    const orders: number[][] = [[0, 1, 2], [2, 1, 0], [1, 2, 0], [2, 0, 1]];
    for (const order of orders) {
      for (const batched of [true, false]) {
        const store = await DuckDbStore.open(':memory:');
        const spans = tree();
        if (batched) await store.writeBatch(order.map((i) => spans[i]!));
        else for (const i of order) await store.writeBatch([spans[i]!]);
        const rows = await store.query('SELECT span_id, agent_name, session_id FROM spans ORDER BY span_id');
        expect(rows, `order ${order} batched ${batched}`).toEqual([
          { span_id: id(1), agent_name: 'planner', session_id: 'sess-1' },
          { span_id: id(2), agent_name: 'planner', session_id: 'sess-1' },
          { span_id: id(3), agent_name: 'planner', session_id: 'sess-1' },
        ]);
        await expectRollupsMatchRows(store);
        await store.close();
      }
    }
  });

  it('keeps a child its own agent: a sub-agent is not renamed by its parent', async () => {
    const store = await DuckDbStore.open(':memory:');
    const [root] = tree();
    const sub = makeSpan({ traceId: trace, spanId: id(9), parentSpanId: id(1), startNs: T0 + 3n, endNs: T0 + 6n, attributes: { 'gen_ai.operation.name': 'invoke_agent', 'gen_ai.agent.name': 'coder' } });
    const subChat = makeSpan({ traceId: trace, spanId: id(10), parentSpanId: id(9), startNs: T0 + 4n, endNs: T0 + 5n, attributes: { 'gen_ai.operation.name': 'chat' } });
    await store.writeBatch([subChat]);
    await store.writeBatch([sub]);
    await store.writeBatch([root!]);
    const rows = await store.query('SELECT span_id, agent_name, session_id FROM spans ORDER BY span_id');
    expect(rows).toEqual([
      { span_id: id(1), agent_name: 'planner', session_id: 'sess-1' },
      { span_id: id(9), agent_name: 'coder', session_id: 'sess-1' },
      { span_id: id(10), agent_name: 'coder', session_id: 'sess-1' },
    ]);
    await expectRollupsMatchRows(store);
    await store.close();
  });
});

describe('one span per call (reconcileCalls)', () => {
  const event = (over: Partial<SpanRecord> = {}): SpanRecord =>
    makeSpan({
      traceId: 'cd'.repeat(16),
      spanId: id(100),
      startNs: T0 + 1_000n,
      endNs: T0 + 4_000_000n,
      scopeName: DERIVED_SCOPE,
      attributes: { 'gen_ai.operation.name': 'chat', 'gen_ai.response.id': 'req_1', 'agentpulse.cost.usd': 0.25, 'gen_ai.agent.name': 'main', 'gen_ai.usage.input_tokens': 10 },
      ...over,
    });
  const traced = (): SpanRecord =>
    makeSpan({
      traceId: trace,
      spanId: id(2),
      parentSpanId: id(1),
      startNs: T0 + 1_000n,
      endNs: T0 + 4_000_000n,
      scopeName: 'com.anthropic.claude_code.tracing',
      attributes: { 'gen_ai.operation.name': 'chat', 'gen_ai.response.id': 'req_1', 'gen_ai.usage.input_tokens': 10 },
    });

  it('keeps one chat span with the event cost, whichever arrives first and however batched', async () => {
    const plans: SpanRecord[][][] = [[[event()], [traced()]], [[traced()], [event()]], [[event(), traced()]], [[traced(), event()]], [[event()], [event()], [traced()], [event()]]];
    for (const plan of plans) {
      const store = await DuckDbStore.open(':memory:');
      for (const batch of plan) await store.writeBatch(batch);
      const rows = await store.query("SELECT trace_id, span_id, cost_usd, agent_name FROM spans WHERE operation = 'chat'");
      expect(rows).toEqual([{ trace_id: trace, span_id: id(2), cost_usd: 0.25, agent_name: 'main' }]);
      await expectRollupsMatchRows(store);
      await store.close();
    }
  });

  it('still folds the two together across a restart of the writer, in either order', async () => {
    const { mkdtempSync, rmSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const { join } = await import('node:path');
    for (const [first, second] of [[event, traced], [traced, event]] as const) {
      const dir = mkdtempSync(join(tmpdir(), 'ap-reconcile-restart-'));
      try {
        const path = join(dir, 'r.duckdb');
        let store = await DuckDbStore.open(path);
        await store.writeBatch([first()]);
        await store.close();
        store = await DuckDbStore.open(path);
        await store.writeBatch([second()]);
        const rows = await store.query("SELECT span_id, cost_usd FROM spans WHERE operation = 'chat'");
        expect(rows).toEqual([{ span_id: id(2), cost_usd: 0.25 }]);
        await expectRollupsMatchRows(store);
        await store.close();
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    }
  });

  it('leaves a derived span alone when no trace describes its call', async () => {
    const store = await DuckDbStore.open(':memory:');
    await store.writeBatch([event()]);
    await store.writeBatch([traced(), event({ spanId: id(101), attributes: { 'gen_ai.operation.name': 'chat', 'gen_ai.response.id': 'req_2', 'agentpulse.cost.usd': 0.5 } })]);
    const rows = await store.query("SELECT span_id, cost_usd FROM spans WHERE operation = 'chat' ORDER BY span_id");
    expect(rows).toEqual([
      { span_id: id(2), cost_usd: 0.25 },
      { span_id: id(101), cost_usd: 0.5 },
    ]);
    await expectRollupsMatchRows(store);
    await store.close();
  });

  it('keeps rollups equal to rows for any interleaving of events, trace spans and their ancestors', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(fc.integer({ min: 0, max: 2 }), { minLength: 3, maxLength: 3 }), fc.shuffledSubarray([0, 1, 2, 3], { minLength: 4 }), async (cut, order) => {
        const all = [...tree(), event({ attributes: { 'gen_ai.operation.name': 'chat', 'gen_ai.response.id': 'req_1', 'agentpulse.cost.usd': 0.25 } })];
        // The traced chat of tree() answers request req_1 too.
        all[1]!.attributes['gen_ai.response.id'] = 'req_1';
        const store = await DuckDbStore.open(':memory:');
        let batch: SpanRecord[] = [];
        for (let i = 0; i < order.length; i++) {
          batch.push(all[order[i]!]!);
          if (cut[i % 3] === 0 || i === order.length - 1) {
            await store.writeBatch(batch);
            batch = [];
          }
        }
        const chats = await store.query("SELECT span_id, cost_usd, agent_name FROM spans WHERE operation = 'chat'");
        expect(chats).toEqual([{ span_id: id(2), cost_usd: 0.25, agent_name: 'planner' }]);
        await expectRollupsMatchRows(store);
        await store.close();
      }),
      { numRuns: 12 },
    );
  });
});

describe('DuckDbStore.writeBatch with log records and metric points only', () => {
  it('stores them without any span in the batch, and skips a resent point', async () => {
    const store = await DuckDbStore.open(':memory:');
    const point = {
      name: 'claude_code.cost.usage', description: null, unit: 'USD', kind: 'sum' as const, temporality: 'delta' as const, monotonic: true,
      startNs: T0, timeNs: T0 + 60_000_000_000n, value: 0.5, count: null, sum: null, min: null, max: null, bounds: null, bucketCounts: null, extra: null,
      attributes: { 'session.id': 's1' }, resource: { 'service.name': 'claude-code' }, scopeName: 'com.anthropic.claude_code', scopeVersion: null,
    };
    const hist = { ...point, name: 'latency', kind: 'histogram' as const, value: null, count: 3, sum: 12, min: 1, max: 9, bounds: [1, 5, 10], bucketCounts: [1, 1, 1, 0] };
    expect(await store.writeBatch([], { logs: [], points: [point, hist] })).toMatchObject({ inserted: 0, points: 2 });
    expect(await store.writeBatch([], { logs: [], points: [point] })).toMatchObject({ points: 0 });
    const rows = await store.query('SELECT name, session_id, bounds, bucket_counts, delta_value FROM metric_deltas ORDER BY name');
    expect(rows).toEqual([
      { name: 'claude_code.cost.usage', session_id: 's1', bounds: null, bucket_counts: null, delta_value: 0.5 },
      { name: 'latency', session_id: 's1', bounds: [1, 5, 10], bucket_counts: [1, 1, 1, 0], delta_value: null },
    ]);
    await store.close();
  });
});
