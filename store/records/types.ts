/** One alert's stored state (table `alert_state`). Times are epoch milliseconds. */
export interface AlertStateRecord {
  fingerprint: string;
  rule: string;
  severity: string;
  state: string;
  scope: Record<string, string | null>;
  value: number | null;
  threshold: number | null;
  sinceMs: number;
  updatedMs: number;
  lastNotifiedMs: number | null;
}

/** One alert state change (table `alert_events`). */
export interface AlertEventRecord {
  fingerprint: string;
  rule: string;
  severity: string;
  from: string | null;
  to: string;
  value: number | null;
  threshold: number | null;
  scope: Record<string, string | null>;
  atMs: number;
}

/** One analyzer run (table `analyzer_runs`); `report` is stored as JSON. */
export interface AnalyzerRunRecord {
  startedMs: number;
  finishedMs: number;
  fromNs: bigint;
  toNs: bigint;
  spansAnalyzed: number;
  status: 'ok' | 'failed';
  report: unknown;
}

/**
 * The analyzer's bookkeeping writes, in each backend's own SQL: alert state and its events, what
 * was delivered, and the runs. Reads go through named queries (`alerts`, `analyzer_last_run`).
 * Only a writable store has them.
 * @example
 * const records = store.records; // DuckDbStore (writable) or ClickHouseStore
 * if (records) await records.writeAlertChanges(changed, events);
 */
export interface AnalyzerRecords {
  /** Stores changed alert rows and their transitions (one transaction where the backend has them). */
  writeAlertChanges(changed: readonly AlertStateRecord[], events: readonly AlertEventRecord[]): Promise<void>;
  /** Records that these alerts were delivered to every sink at `atMs`. */
  markNotified(alerts: readonly AlertStateRecord[], atMs: number): Promise<void>;
  /** Appends one run; returns its id. */
  recordRun(run: AnalyzerRunRecord): Promise<string>;
}
