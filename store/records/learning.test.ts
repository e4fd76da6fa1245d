import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openStore } from '../DuckDbStore.js';
import type { DuckDbStore } from '../DuckDbStore.js';
import type { Row } from '../types.js';
import { kvDelete, kvGet, kvSet } from './kv.js';
import { insertFeedback, insertSeenPatterns, setPatternStatus, upsertExperiment } from './learning.js';
import { insertRows } from './sqlRows.js';
import type { SqlWriter } from './sqlRows.js';

/** Values built to break any SQL that interpolates them. */
const HOSTILE = [`O'Brien`, `it''s "quoted"`, `'); DROP TABLE kv; --`, '$c0_0', 'back\\slash\nnewline'];

let store: DuckDbStore;
let statements: string[];
/** The store as a writer that remembers every statement it ran. */
let db: SqlWriter;

beforeEach(async () => {
  store = await openStore(':memory:');
  statements = [];
  db = {
    query: (sql: string, params?: Record<string, unknown>): Promise<Row[]> => {
      statements.push(sql);
      return store.query(sql, params);
    },
  };
});
afterEach(async () => {
  await store.close();
});

const noValueIn = (values: readonly string[]): void => {
  for (const sql of statements) for (const v of values) if (v !== '$c0_0') expect(sql).not.toContain(v);
};

describe('kvGet and kvSet', () => {
  it('round-trip JSON values unchanged, quotes included, and the last write wins', async () => {
    const value = { names: HOSTILE, n: 3, nested: { ok: true, none: null } };
    await kvSet(db, `ns'1`, `key "a"`, value);
    expect(await kvGet(db, `ns'1`, `key "a"`)).toEqual(value);
    await kvSet(db, `ns'1`, `key "a"`, HOSTILE[2]);
    expect(await kvGet<string>(db, `ns'1`, `key "a"`)).toBe(HOSTILE[2]);
    noValueIn(HOSTILE);
  });

  it('reads null for an absent key and after kvDelete', async () => {
    expect(await kvGet(db, 'learning', 'missing')).toBeNull();
    await kvSet(db, 'learning', 'mark', '123');
    await kvDelete(db, 'learning', 'mark');
    expect(await kvGet(db, 'learning', 'mark')).toBeNull();
    expect(await kvGet(db, 'kv', 'untouched')).toBeNull();
  });
});

describe('insertRows', () => {
  it('binds every value (quotes, bigints, nulls) across batches, interpolating none', async () => {
    await store.query('CREATE TABLE t (i INTEGER, s VARCHAR, b BIGINT)');
    const rows = HOSTILE.map((s, i) => [i, s, i === 0 ? null : 9_007_199_254_740_993n + BigInt(i)]);
    await insertRows(db, 't', ['i', 's', 'b'], rows, '', 2);
    expect(statements).toHaveLength(3);
    noValueIn(HOSTILE);
    const back = await store.query('SELECT i, s, CAST(b AS VARCHAR) AS b FROM t ORDER BY i');
    expect(back).toEqual(rows.map(([i, s, b]) => ({ i, s, b: b === null ? null : String(b) })));
  });

  it('appends the tail to every statement (an upsert)', async () => {
    await store.query('CREATE TABLE u (id VARCHAR PRIMARY KEY, v VARCHAR)');
    await insertRows(db, 'u', ['id', 'v'], [['a', 'first']]);
    await insertRows(db, 'u', ['id', 'v'], [['a', `second's`]], 'ON CONFLICT (id) DO UPDATE SET v = excluded.v');
    expect(await store.query('SELECT id, v FROM u')).toEqual([{ id: 'a', v: `second's` }]);
  });
});

describe('learning writes', () => {
  it('store feedback, experiments and pattern status with bound values', async () => {
    await insertFeedback(db, { traceId: 'a'.repeat(32), spanId: null, score: 0.25, label: HOSTILE[0], source: 'cli', comment: HOSTILE[2] });
    expect(await store.query('SELECT trace_id, span_id, score, label, source, comment FROM feedback')).toEqual([
      { trace_id: 'a'.repeat(32), span_id: null, score: 0.25, label: HOSTILE[0], source: 'cli', comment: HOSTILE[2] },
    ]);
    await upsertExperiment(db, { name: 'exp', variants: ['a', `b'`], weights: null, metric: 'task_success', minSample: null, status: 'running' });
    await upsertExperiment(db, { name: 'exp', variants: ['a', 'c'], weights: [1, 3], metric: 'task_success', minSample: 50, status: 'stopped' });
    expect(await store.query('SELECT name, CAST(variants AS VARCHAR) AS v, CAST(weights AS VARCHAR) AS w, min_sample, status FROM experiments')).toEqual([
      { name: 'exp', v: '["a","c"]', w: '[1,3]', min_sample: 50, status: 'stopped' },
    ]);
    await insertSeenPatterns(db, [{ id: 'p1', kind: 'pattern', taskType: 'bugfix', signature: `team:o'neil`, status: 'observed' }], new Date(0).toISOString());
    await setPatternStatus(db, 'p1', 'rejected');
    expect(await store.query('SELECT id, signature, status FROM patterns')).toEqual([{ id: 'p1', signature: `team:o'neil`, status: 'rejected' }]);
    noValueIn(HOSTILE);
  });
});
