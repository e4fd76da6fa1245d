import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { makeSpan } from '../test/spanFactory.js';
import { DuckDbStore } from './DuckDbStore.js';
import { applyRetention, exportParquet } from './maintenance.js';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

const DAY_NS = 86_400_000_000_000n;
const now = 1_800_000_000_000; // ms
const nowNs = BigInt(now) * 1_000_000n;

async function storeWithDays(days: number[]): Promise<DuckDbStore> {
  const store = await DuckDbStore.open(':memory:');
  await store.writeBatch(days.map((d) => makeSpan({ startNs: nowNs - BigInt(d) * DAY_NS, endNs: nowNs - BigInt(d) * DAY_NS + 1_000_000n })));
  return store;
}

describe('exportParquet / applyRetention', () => {
  it('exports spans as day-partitioned Parquet that reads back with the same rows', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ap-parquet-'));
    dirs.push(dir);
    const store = await storeWithDays([0, 1, 1, 3]);
    const r = await exportParquet(store, dir);
    expect(r.spans).toBe(4);
    expect(readdirSync(dir).sort()).toEqual(r.days.map((d) => `day=${d}`));
    const back = await store.query(`SELECT count(*) AS n, count(DISTINCT day) AS days FROM read_parquet('${dir}/*/*.parquet', hive_partitioning = true)`);
    expect(back).toEqual([{ n: 4, days: 3 }]);
    await store.close();
  });

  it('deletes spans and rollups past retention and keeps the rest consistent', async () => {
    const store = await storeWithDays([0, 2, 10, 40]);
    const r = await applyRetention(store, { spansDays: 7, rollupsDays: 30, nowMs: now });
    expect(r.spans).toBe(2);
    const [{ n }] = await store.query('SELECT count(*) AS n FROM spans');
    const [{ m }] = await store.query('SELECT sum(span_count) AS m FROM rollup_minute');
    expect(n).toBe(2);
    expect(m).toBe(3); // rollups keep 30 days: the 10-day-old span's minute survives
    await store.close();
  });
});
