import { randomUUID } from 'node:crypto';
import type { DuckDbStore } from '../store/DuckDbStore.js';
import type { AnalyzerSource } from './AnalyzerSource.js';
import type { Report } from './reportSchema.js';

/** The analyzer's own bookkeeping insert (not analytical SQL, so it lives beside its caller). */
const INSERT_RUN = `INSERT INTO analyzer_runs (id, started_at, finished_at, window_from_ns, window_to_ns, spans_analyzed, status, report)
  VALUES ($id, make_timestamp(CAST($started_ms AS BIGINT) * 1000), make_timestamp(CAST($finished_ms AS BIGINT) * 1000),
    CAST($from_ns AS BIGINT), CAST($to_ns AS BIGINT), CAST($spans AS BIGINT), $status, $report)`;

/** End of the window the newest successful run analysed, or null (queries/analyzer_last_run.sql). */
export async function lastAnalysedPosition(source: AnalyzerSource): Promise<bigint | null> {
  const rows = await source.named('analyzer_last_run', {});
  return rows.length > 0 && rows[0].window_to_ns !== null ? BigInt(String(rows[0].window_to_ns)) : null;
}

export interface RunRecord {
  startedMs: number;
  finishedMs: number;
  fromNs: bigint;
  toNs: bigint;
  spansAnalyzed: number;
  status: 'ok' | 'failed';
  report: Report | null;
}

/** Appends one analyzer_runs row; returns its id. */
export async function recordRun(store: DuckDbStore, run: RunRecord): Promise<string> {
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
}
