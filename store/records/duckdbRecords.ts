import { randomUUID } from 'node:crypto';
import type { Row } from '../types.js';
import type { AlertEventRecord, AlertStateRecord, AnalyzerRecords, AnalyzerRunRecord } from './types.js';

/*
 * Writes to alert_state, alert_events and analyzer_runs in DuckDB. These are state updates, not
 * analytical queries, so they live here rather than in queries/ (which users run by name).
 * Values are bound as parameters; times are epoch milliseconds turned into TIMESTAMP by DuckDB.
 */
const UPSERT_STATE = `INSERT OR REPLACE INTO alert_state (fingerprint, rule, severity, state, scope, value, threshold, since, updated_at, last_notified_at)
  VALUES ($fingerprint, $rule, $severity, $state, $scope, CAST($value AS DOUBLE), CAST($threshold AS DOUBLE), make_timestamp(CAST($since_ms AS BIGINT) * 1000),
    make_timestamp(CAST($updated_ms AS BIGINT) * 1000), make_timestamp(CAST($notified_ms AS BIGINT) * 1000))`;
const INSERT_EVENT = `INSERT INTO alert_events (fingerprint, rule, severity, from_state, to_state, value, threshold, scope, occurred_at)
  VALUES ($fingerprint, $rule, $severity, $from_state, $to_state, CAST($value AS DOUBLE), CAST($threshold AS DOUBLE), $scope, make_timestamp(CAST($at_ms AS BIGINT) * 1000))`;
const MARK_NOTIFIED = `UPDATE alert_state SET last_notified_at = make_timestamp(CAST($at_ms AS BIGINT) * 1000) WHERE fingerprint = $fingerprint`;
const INSERT_RUN = `INSERT INTO analyzer_runs (id, started_at, finished_at, window_from_ns, window_to_ns, spans_analyzed, status, report)
  VALUES ($id, make_timestamp(CAST($started_ms AS BIGINT) * 1000), make_timestamp(CAST($finished_ms AS BIGINT) * 1000),
    CAST($from_ns AS BIGINT), CAST($to_ns AS BIGINT), CAST($spans AS BIGINT), $status, $report)`;

/** What the DuckDB records need from the store: bound queries and a transaction. */
export interface DuckDbWriter {
  query(sql: string, params?: Record<string, unknown>): Promise<Row[]>;
  transaction<T>(fn: () => Promise<T>): Promise<T>;
}

/** The analyzer's records on a writable DuckDB store. */
export function duckDbRecords(store: DuckDbWriter): AnalyzerRecords {
  return {
    async writeAlertChanges(changed: readonly AlertStateRecord[], events: readonly AlertEventRecord[]): Promise<void> {
      if (changed.length === 0 && events.length === 0) return;
      await store.transaction(async () => {
        for (const a of changed) {
          await store.query(UPSERT_STATE, {
            fingerprint: a.fingerprint, rule: a.rule, severity: a.severity, state: a.state, scope: JSON.stringify(a.scope),
            value: a.value, threshold: a.threshold, since_ms: String(a.sinceMs), updated_ms: String(a.updatedMs),
            notified_ms: a.lastNotifiedMs === null ? null : String(a.lastNotifiedMs),
          });
        }
        for (const t of events) {
          await store.query(INSERT_EVENT, {
            fingerprint: t.fingerprint, rule: t.rule, severity: t.severity, from_state: t.from, to_state: t.to,
            value: t.value, threshold: t.threshold, scope: JSON.stringify(t.scope), at_ms: String(t.atMs),
          });
        }
      });
    },
    async markNotified(alerts: readonly AlertStateRecord[], atMs: number): Promise<void> {
      for (const a of alerts) await store.query(MARK_NOTIFIED, { fingerprint: a.fingerprint, at_ms: String(atMs) });
    },
    async recordRun(run: AnalyzerRunRecord): Promise<string> {
      const id = randomUUID();
      await store.query(INSERT_RUN, {
        id,
        started_ms: String(run.startedMs),
        finished_ms: String(run.finishedMs),
        from_ns: run.fromNs.toString(),
        to_ns: run.toNs.toString(),
        spans: String(run.spansAnalyzed),
        status: run.status,
        report: run.report ? JSON.stringify(run.report) : null,
      });
      return id;
    },
  };
}
