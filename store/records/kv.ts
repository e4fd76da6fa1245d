import type { SqlWriter } from './sqlRows.js';

/*
 * The `kv` table (namespace, key) → JSON value, as the learning system uses it (policies,
 * promotion rules, the pattern watermark). Values are JSON-encoded here and bound as parameters.
 */
const KV_GET = 'SELECT CAST(value AS VARCHAR) AS v FROM kv WHERE namespace = $ns AND key = $key';
const KV_SET = `INSERT INTO kv (namespace, key, value, updated_at) VALUES ($ns, $key, CAST($v AS JSON), current_timestamp)
     ON CONFLICT (namespace, key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at`;
const KV_DELETE = `DELETE FROM kv WHERE namespace = $ns AND key = $key`;

/**
 * Reads one JSON value from the `kv` table; null when the key is absent (or its value is NULL).
 * @example
 * const rules = await kvGet<PromotionRules>(db, 'learning', 'promotion_rules');
 */
export async function kvGet<T>(db: SqlWriter, namespace: string, key: string): Promise<T | null> {
  const rows = await db.query(KV_GET, { ns: namespace, key });
  if (rows.length === 0 || rows[0].v === null) return null;
  return JSON.parse(String(rows[0].v)) as T;
}

/**
 * Writes one JSON value to the `kv` table, replacing any earlier value of that key.
 * @example
 * await kvSet(db, 'learning', 'pattern_watermark_ns', untilNs.toString());
 */
export async function kvSet(db: SqlWriter, namespace: string, key: string, value: unknown): Promise<void> {
  await db.query(KV_SET, { ns: namespace, key, v: JSON.stringify(value) });
}

/** Removes one key from the `kv` table (nothing happens when it is absent). */
export async function kvDelete(db: SqlWriter, namespace: string, key: string): Promise<void> {
  await db.query(KV_DELETE, { ns: namespace, key });
}
