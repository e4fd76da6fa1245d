import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { makeSpan } from '../test/spanFactory.js';
import { DuckDbStore } from './DuckDbStore.js';
import type { AttrValue, SpanRecord } from './types.js';

const hex = (n: number, w: number): string => n.toString(16).padStart(w, '0').slice(-w);

const attrValue: fc.Arbitrary<AttrValue> = fc.letrec<{ v: AttrValue }>((tie) => ({
  v: fc.oneof(
    { depthSize: 'small' },
    fc.string({ unit: 'binary' }),
    fc.integer(),
    fc.double({ noNaN: true, noDefaultInfinity: true }),
    fc.boolean(),
    fc.constant(null),
    fc.bigInt({ min: 2n ** 53n, max: 2n ** 70n }).map((b) => b.toString()),
    fc.array(tie('v'), { maxLength: 3 }),
    fc.dictionary(fc.string({ unit: 'binary', maxLength: 8 }), tie('v'), { maxKeys: 3 }),
  ),
})).v;

/** Random spans over a small id space, so batches repeat spans within and across calls. */
const spanArb: fc.Arbitrary<SpanRecord> = fc
  .record({
    id: fc.integer({ min: 0, max: 40 }),
    name: fc.string({ unit: 'binary', minLength: 1 }),
    status: fc.constantFrom('UNSET', 'OK', 'ERROR') as fc.Arbitrary<SpanRecord['statusCode']>,
    dur: fc.bigInt({ min: 0n, max: 10n ** 12n }),
    model: fc.option(fc.constantFrom('gpt-4o', 'claude', 'ünï\u{1F600}'), { nil: undefined }),
    tokens: fc.option(fc.integer({ min: 0, max: 1e6 }), { nil: undefined }),
    extra: fc.dictionary(fc.string({ unit: 'binary', maxLength: 10 }), attrValue, { maxKeys: 4 }),
  })
  .map(({ id, name, status, dur, model, tokens, extra }) => {
    // Same (trace, span) ⇒ same start, as the store assumes.
    const start = 1_700_000_000_000_000_000n + BigInt(id) * 7_000_000_000n;
    const attributes: Record<string, AttrValue> = { ...extra, 'gen_ai.operation.name': 'chat' };
    if (model !== undefined) attributes['gen_ai.request.model'] = model;
    if (tokens !== undefined) attributes['gen_ai.usage.input_tokens'] = tokens;
    return makeSpan({ traceId: hex(id % 5, 32), spanId: hex(id, 16), name, statusCode: status, startNs: start, endNs: start + dur, attributes });
  });

const SPANS_SQL = 'SELECT * EXCLUDE (attributes, resource_attributes, events, links), attributes::VARCHAR AS a, resource_attributes::VARCHAR AS r, events::VARCHAR AS e, links::VARCHAR AS l FROM spans ORDER BY trace_id, span_id';
const ROLLUP_SQL = `SELECT minute, service_name, agent_name, operation, model, status_code, error_type, sum(span_count) AS n, sum(error_count) AS e, sum(duration_sum_ns) AS d
  FROM rollup_minute GROUP BY ALL ORDER BY ALL`;
const SKETCH_SQL = 'SELECT minute, agent_name, operation, model, bucket, sum(n) AS n FROM rollup_sketch GROUP BY ALL ORDER BY ALL';

describe('DuckDbStore.stage', () => {
  it('stores exactly the rows and rollups writeBatch stores, across calls, replays and commits', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(fc.array(spanArb, { maxLength: 12 }), { minLength: 1, maxLength: 6 }), fc.array(fc.boolean(), { minLength: 6, maxLength: 6 }), async (batches, commitAfter) => {
        const viaWrite = await DuckDbStore.open(':memory:');
        const viaStage = await DuckDbStore.open(':memory:');
        try {
          for (const [i, b] of batches.entries()) {
            await viaWrite.writeBatch(b);
            await viaStage.stage(b);
            if (commitAfter[i]) await viaStage.commitStaged();
          }
          // query() commits what is still staged before reading.
          for (const sql of [SPANS_SQL, ROLLUP_SQL, SKETCH_SQL]) expect(await viaStage.query(sql)).toEqual(await viaWrite.query(sql));
          const [{ n }] = (await viaStage.query('SELECT count(*) AS n FROM spans')) as [{ n: number }];
          const [{ r }] = (await viaStage.query('SELECT coalesce(sum(span_count), 0) AS r FROM rollup_minute')) as [{ r: number }];
          expect(Number(r)).toBe(Number(n));
        } finally {
          await viaWrite.close();
          await viaStage.close();
        }
      }),
      { numRuns: 40 },
    );
  }, 180_000); // 40 runs of real DuckDB transactions: ~15 s on an idle 2-core machine, far more under load

  it('reports each staged transaction once, to every listener, with its epoch', async () => {
    const store = await DuckDbStore.open(':memory:');
    const heard: [number, unknown][] = [];
    const dispose = store.onStagedSettled((epoch, err) => heard.push([epoch, err]));
    const a = await store.stage([makeSpan({ traceId: hex(9, 32), spanId: hex(1, 16) })]);
    const b = await store.stage([makeSpan({ traceId: hex(9, 32), spanId: hex(2, 16) }), makeSpan({ traceId: hex(9, 32), spanId: hex(1, 16) })]);
    expect(b).toMatchObject({ epoch: a.epoch, inserted: 1, duplicates: 1 });
    expect(store.stagedRows).toBe(2);
    await store.query('SELECT 1'); // commits first
    expect(heard).toEqual([[a.epoch, null]]);
    const c = await store.stage([makeSpan({ traceId: hex(9, 32), spanId: hex(3, 16) })]);
    expect(c.epoch).toBe(a.epoch + 1);
    await store.commitStaged();
    await store.commitStaged(); // nothing staged: no event
    expect(heard).toEqual([[a.epoch, null], [c.epoch, null]]);
    dispose();
    await store.close();
  });
});

describe('DuckDbStore.stage failures', () => {
  it('runs settle listeners outside the write chain: store calls they schedule are still serialised', async () => {
    const store = await DuckDbStore.open(':memory:');
    const conn = store.connection as unknown as { run: (sql: string, ...rest: unknown[]) => Promise<unknown> };
    const realRun = conn.run.bind(conn);
    let failNextCommit = true;
    conn.run = (sql: string, ...rest: unknown[]) => {
      if (sql === 'COMMIT' && failNextCommit) {
        failNextCommit = false;
        return Promise.reject(new Error('IO Error: No space left on device'));
      }
      return realRun(sql, ...rest);
    };
    let retried: Promise<unknown> | null = null;
    let releaseTx!: () => void;
    const txHeld = new Promise<void>((res) => (releaseTx = res));
    store.onStagedSettled((_epoch, err) => {
      if (err === null) return;
      // What IngestQueue does after a failed commit: retry later, from a timer.
      retried = new Promise((res, rej) => setTimeout(() => store.stage([makeSpan({ traceId: hex(7, 32), spanId: hex(2, 16) })]).then(res, rej), 5));
      retried.catch(() => undefined); // asserted below
    });
    await store.stage([makeSpan({ traceId: hex(7, 32), spanId: hex(1, 16) })]);
    await expect(store.commitStaged()).rejects.toThrow(/No space/);
    // Another caller holds a transaction while the retry fires; the retry must wait its turn.
    const tx = store.transaction(async () => {
      await txHeld;
    });
    await new Promise((res) => setTimeout(res, 30));
    releaseTx();
    await tx;
    expect(retried).not.toBeNull();
    await expect(retried).resolves.toMatchObject({ inserted: 1 });
    await store.commitStaged();
    expect(await store.query('SELECT span_id FROM spans ORDER BY span_id')).toEqual([{ span_id: hex(2, 16) }]);
    await store.close();
  });
});
