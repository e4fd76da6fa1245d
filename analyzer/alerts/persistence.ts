import type { DuckDbStore } from '../../store/DuckDbStore.js';
import type { AnalyzerSource } from '../AnalyzerSource.js';
import { SeveritySchema, AlertStateSchema } from '../reportSchema.js';
import { jsonObject, numOrNull } from '../rows.js';
import type { AlertTransition, StoredAlert } from './stateMachine.js';

/*
 * Writes to alert_state / alert_events. These are state updates, not analytical queries, so they
 * live here beside the state machine rather than in queries/ (which users can run by name).
 * Values are bound as parameters; times are epoch milliseconds turned into TIMESTAMP by DuckDB.
 */
const UPSERT_STATE = `INSERT OR REPLACE INTO alert_state (fingerprint, rule, severity, state, scope, value, threshold, since, updated_at, last_notified_at)
  VALUES ($fingerprint, $rule, $severity, $state, $scope, CAST($value AS DOUBLE), CAST($threshold AS DOUBLE), make_timestamp(CAST($since_ms AS BIGINT) * 1000),
    make_timestamp(CAST($updated_ms AS BIGINT) * 1000), make_timestamp(CAST($notified_ms AS BIGINT) * 1000))`;
const INSERT_EVENT = `INSERT INTO alert_events (fingerprint, rule, severity, from_state, to_state, value, threshold, scope, occurred_at)
  VALUES ($fingerprint, $rule, $severity, $from_state, $to_state, CAST($value AS DOUBLE), CAST($threshold AS DOUBLE), $scope, make_timestamp(CAST($at_ms AS BIGINT) * 1000))`;
const MARK_NOTIFIED = `UPDATE alert_state SET last_notified_at = make_timestamp(CAST($at_ms AS BIGINT) * 1000) WHERE fingerprint = $fingerprint`;

const msOf = (v: unknown): number | null => (v === null || v === undefined ? null : Date.parse(String(v)));

/** Reads every stored alert through the `alerts` named query (works over a file or `--url`). */
export async function readAlertStates(source: AnalyzerSource): Promise<StoredAlert[]> {
  const rows = await source.named('alerts', {});
  return rows.map((r) => ({
    fingerprint: String(r.fingerprint),
    rule: String(r.rule),
    severity: SeveritySchema.catch('warning').parse(r.severity),
    state: AlertStateSchema.catch('resolved').parse(r.state),
    scope: jsonObject(r.scope) as Record<string, string | null>,
    value: numOrNull(r.value),
    threshold: numOrNull(r.threshold),
    sinceMs: msOf(r.since) ?? 0,
    updatedMs: msOf(r.updated_at) ?? 0,
    lastNotifiedMs: msOf(r.last_notified_at),
  }));
}

/** Persists changed alert rows and their transitions in one transaction. */
export async function writeAlertChanges(store: DuckDbStore, changed: readonly StoredAlert[], transitions: readonly AlertTransition[]): Promise<void> {
  if (changed.length === 0 && transitions.length === 0) return;
  await store.transaction(async () => {
    for (const a of changed) {
      await store.query(UPSERT_STATE, {
        fingerprint: a.fingerprint, rule: a.rule, severity: a.severity, state: a.state, scope: JSON.stringify(a.scope),
        value: a.value, threshold: a.threshold, since_ms: String(a.sinceMs), updated_ms: String(a.updatedMs),
        notified_ms: a.lastNotifiedMs === null ? null : String(a.lastNotifiedMs),
      });
    }
    for (const t of transitions) {
      await store.query(INSERT_EVENT, {
        fingerprint: t.fingerprint, rule: t.rule, severity: t.severity, from_state: t.from, to_state: t.to,
        value: t.value, threshold: t.threshold, scope: JSON.stringify(t.scope), at_ms: String(t.atMs),
      });
    }
  });
}

/** Records that these alerts were delivered to every sink. */
export async function markNotified(store: DuckDbStore, fingerprints: readonly string[], atMs: number): Promise<void> {
  for (const f of fingerprints) await store.query(MARK_NOTIFIED, { fingerprint: f, at_ms: String(atMs) });
}
