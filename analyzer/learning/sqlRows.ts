import type { LearningDb } from './db.js';

/**
 * Inserts rows in batches with bound parameters (`$c0_1`, …): never interpolates values.
 * `tail` is appended to every statement (e.g. an ON CONFLICT clause).
 */
export async function insertRows(db: LearningDb, table: string, columns: readonly string[], rows: readonly unknown[][], tail = '', batch = 200): Promise<void> {
  for (let start = 0; start < rows.length; start += batch) {
    const chunk = rows.slice(start, start + batch);
    const params: Record<string, unknown> = {};
    const tuples = chunk.map((row, r) =>
      '(' +
      row
        .map((v, c) => {
          const name = `c${c}_${r}`;
          params[name] = typeof v === 'bigint' ? v.toString() : v;
          return `$${name}`;
        })
        .join(', ') +
      ')',
    );
    await db.query(`INSERT INTO ${table} (${columns.join(', ')}) VALUES ${tuples.join(', ')} ${tail}`, params);
  }
}

/** Reads one JSON value from the `kv` table. */
export async function kvGet<T>(db: LearningDb, namespace: string, key: string): Promise<T | null> {
  const rows = await db.query('SELECT CAST(value AS VARCHAR) AS v FROM kv WHERE namespace = $ns AND key = $key', { ns: namespace, key });
  if (rows.length === 0 || rows[0].v === null) return null;
  return JSON.parse(String(rows[0].v)) as T;
}

/** Writes one JSON value to the `kv` table. */
export async function kvSet(db: LearningDb, namespace: string, key: string, value: unknown): Promise<void> {
  await db.query(
    `INSERT INTO kv (namespace, key, value, updated_at) VALUES ($ns, $key, CAST($v AS JSON), current_timestamp)
     ON CONFLICT (namespace, key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at`,
    { ns: namespace, key, v: JSON.stringify(value) },
  );
}

/** Runs `fn` inside one transaction on `db`. */
export async function inTransaction<T>(db: LearningDb, fn: () => Promise<T>): Promise<T> {
  // A DuckDbStore serialises its own transactions so no other caller's statement lands inside.
  if (db.transaction) return db.transaction(fn);
  await db.query('BEGIN TRANSACTION');
  try {
    const out = await fn();
    await db.query('COMMIT');
    return out;
  } catch (err) {
    await db.query('ROLLBACK').catch(() => undefined);
    throw err;
  }
}
