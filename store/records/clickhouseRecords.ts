import { randomUUID } from 'node:crypto';
import type { AlertEventRecord, AlertStateRecord, AnalyzerRecords, AnalyzerRunRecord } from './types.js';

/** What the ClickHouse records need: JSONEachRow inserts. */
export interface ClickHouseInserter {
  insert(table: string, rows: readonly Record<string, unknown>[]): Promise<void>;
}

/** Epoch ms as a DateTime64 literal ClickHouse reads in JSONEachRow ('YYYY-MM-DD hh:mm:ss.sss', UTC). */
const dateTime = (ms: number | null): string | null => (ms === null ? null : new Date(ms).toISOString().replace('T', ' ').replace('Z', ''));

const stateRow = (a: AlertStateRecord, lastNotifiedMs: number | null): Record<string, unknown> => ({
  fingerprint: a.fingerprint, rule: a.rule, severity: a.severity, state: a.state, scope: JSON.stringify(a.scope),
  value: a.value, threshold: a.threshold, since: dateTime(a.sinceMs), updated_at: dateTime(a.updatedMs), last_notified_at: dateTime(lastNotifiedMs),
});

/**
 * The analyzer's records in ClickHouse. `alert_state` is a ReplacingMergeTree versioned by
 * `updated_at` and read `FINAL`: a change is a new row, and marking an alert notified re-inserts
 * its row with the same version, which ClickHouse resolves to the last one inserted.
 */
export function clickHouseRecords(db: ClickHouseInserter): AnalyzerRecords {
  return {
    async writeAlertChanges(changed: readonly AlertStateRecord[], events: readonly AlertEventRecord[]): Promise<void> {
      await db.insert('alert_state', changed.map((a) => stateRow(a, a.lastNotifiedMs)));
      await db.insert('alert_events', events.map((t) => ({
        fingerprint: t.fingerprint, rule: t.rule, severity: t.severity, from_state: t.from, to_state: t.to,
        value: t.value, threshold: t.threshold, scope: JSON.stringify(t.scope), occurred_at: dateTime(t.atMs),
      })));
    },
    async markNotified(alerts: readonly AlertStateRecord[], atMs: number): Promise<void> {
      await db.insert('alert_state', alerts.map((a) => stateRow(a, atMs)));
    },
    async recordRun(run: AnalyzerRunRecord): Promise<string> {
      const id = randomUUID();
      await db.insert('analyzer_runs', [{
        id, started_at: dateTime(run.startedMs), finished_at: dateTime(run.finishedMs),
        window_from_ns: run.fromNs.toString(), window_to_ns: run.toNs.toString(), spans_analyzed: run.spansAnalyzed,
        status: run.status, report: run.report ? JSON.stringify(run.report) : null,
      }]);
      return id;
    },
  };
}
