import type { Row } from '../types.js';

/**
 * The least a backend must offer for the learning system's writes: one statement with named
 * parameters, plain rows back. A `DuckDbStore`, the CLI's reader adapters and a raw-connection
 * adapter all satisfy it structurally.
 */
export interface SqlWriter {
  query(sql: string, params?: Record<string, unknown>): Promise<Row[]>;
  /** Runs `fn` as one transaction, when the backend can keep other callers out of it. */
  transaction?<T>(fn: () => Promise<T>): Promise<T>;
}

/**
 * Inserts rows in batches with bound parameters (`$c0_1`, …): never interpolates values.
 * `table`, `columns` and `tail` are SQL text from the caller's constants, never data; `tail` is
 * appended to every statement (e.g. an ON CONFLICT clause). Bigints are bound as decimal text.
 * @example
 * await insertRows(db, 'feedback', ['trace_id', 'label'], [[traceId, "it's fine"]]);
 */
export async function insertRows(db: SqlWriter, table: string, columns: readonly string[], rows: readonly unknown[][], tail = '', batch = 200): Promise<void> {
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

/**
 * Runs `fn` inside one transaction on `db`: the backend's own `transaction` when it has one,
 * else BEGIN / COMMIT (ROLLBACK on error) on the same connection.
 */
export async function inTransaction<T>(db: SqlWriter, fn: () => Promise<T>): Promise<T> {
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
