import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { makeSpan } from '../test/spanFactory.js';
import { DuckDbStore } from './DuckDbStore.js';

const T0 = 1_700_000_000_000; // ms, not aligned to an hour or a day on purpose
const msToNs = (ms: number): bigint => BigInt(ms) * 1_000_000n;

describe('rollup range macros', () => {
  it('return exactly the minute-level sums for any window, whatever levels they read', async () => {
    const store = await DuckDbStore.open(':memory:');
    // Three days of spans at irregular times, several agents, some errors.
    const spans = Array.from({ length: 3000 }, (_, i) => {
      const t = T0 + Math.floor(((i * 7919) % 3000) * 86.4 * 1000);
      return makeSpan({
        startNs: msToNs(t),
        endNs: msToNs(t) + BigInt(1_000_000 + ((i * 104729) % 5_000_000_000)),
        statusCode: i % 9 === 0 ? 'ERROR' : 'OK',
        attributes: { 'gen_ai.agent.name': `a${i % 4}`, 'gen_ai.operation.name': 'chat', 'gen_ai.request.model': 'm', 'agentpulse.task.type': `t${i % 3}`, 'agentpulse.cost.usd': 0.001 },
      });
    });
    // Most spans, then maintenance builds the hour/day levels of closed periods, then late spans
    // for already-built periods (the writer must add those to the coarse levels itself).
    const late = spans.filter((_, i) => i % 10 === 0);
    const onTime = spans.filter((_, i) => i % 10 !== 0);
    for (let i = 0; i < onTime.length; i += 250) await store.writeBatch(onTime.slice(i, i + 250));
    await store.maintainRollups();
    const [{ built }] = await store.query("SELECT count(*) AS built FROM rollup_levels WHERE complete_before > TIMESTAMP '2000-01-01'");
    expect(Number(built)).toBe(6);
    for (let i = 0; i < late.length; i += 100) await store.writeBatch(late.slice(i, i + 100));
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: -3_600_000, max: 3 * 86_400_000 }), fc.integer({ min: 0, max: 3 * 86_400_000 }), async (start, len) => {
        const a = T0 + start;
        const b = a + len;
        const params = { a, b };
        const [exact] = await store.query(
          `SELECT coalesce(sum(span_count), 0) AS n, coalesce(sum(error_count), 0) AS e, coalesce(round(sum(cost_usd), 9), 0) AS c
           FROM rollup_minute WHERE minute >= epoch_ms(CAST($a AS BIGINT)) AND minute < epoch_ms(CAST($b AS BIGINT))`,
          params,
        );
        const [viaMacro] = await store.query(
          `SELECT coalesce(sum(span_count), 0) AS n, coalesce(sum(error_count), 0) AS e, coalesce(round(sum(cost_usd), 9), 0) AS c
           FROM rollup_minute_range(epoch_ms(CAST($a AS BIGINT)), epoch_ms(CAST($b AS BIGINT)), NULL)`,
          params,
        );
        expect(viaMacro).toEqual(exact);
        const [sk] = await store.query(
          `SELECT coalesce(sum(n), 0) AS n FROM rollup_sketch_range(epoch_ms(CAST($a AS BIGINT)), epoch_ms(CAST($b AS BIGINT)), NULL)`,
          params,
        );
        expect(sk.n).toBe(exact.n);
        const work = (from: string) => store.query(`SELECT coalesce(sum(span_count), 0) AS n, coalesce(round(sum(cost_usd), 9), 0) AS c FROM ${from}`, params);
        expect(await work('rollup_work_range(epoch_ms(CAST($a AS BIGINT)), epoch_ms(CAST($b AS BIGINT)), NULL)')).toEqual(
          await work('rollup_work WHERE minute >= epoch_ms(CAST($a AS BIGINT)) AND minute < epoch_ms(CAST($b AS BIGINT))'),
        );
        // Grouped by hour: the hour level may be used, day rows may not; per-bucket sums stay exact.
        const series = (from: string) =>
          store.query(
            `SELECT epoch_ms(minute) // 3600000 AS h, sum(span_count) AS n FROM ${from} GROUP BY 1 ORDER BY 1`,
            params,
          );
        expect(await series('rollup_minute_range(epoch_ms(CAST($a AS BIGINT)), epoch_ms(CAST($b AS BIGINT)), 3600000)')).toEqual(
          await series('rollup_minute WHERE minute >= epoch_ms(CAST($a AS BIGINT)) AND minute < epoch_ms(CAST($b AS BIGINT))'),
        );
      }),
      { numRuns: 60 },
    );
    // Below its watermark, each coarse level holds exactly the minute level's buckets per agent.
    for (const level of ['rollup_sketch_1h', 'rollup_sketch_1d']) {
      const wm = `(SELECT complete_before FROM rollup_levels WHERE table_name = '${level}')`;
      const coarse = await store.query(`SELECT agent_name, bucket, sum(n) AS n FROM ${level} GROUP BY ALL ORDER BY ALL`);
      const fine = await store.query(`SELECT agent_name, bucket, sum(n) AS n FROM rollup_sketch WHERE minute < ${wm} GROUP BY ALL ORDER BY ALL`);
      expect(coarse).toEqual(fine);
    }
    const [{ wr }] = await store.query('SELECT sum(span_count) AS wr FROM rollup_work');
    expect(Number(wr)).toBe(spans.length); // every span has a task type: all are work spans
    await store.close();
  });
});
