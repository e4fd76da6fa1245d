import type { AnalyzerSource } from './AnalyzerSource.js';

/** End of the window the newest successful run analysed, or null (queries/analyzer_last_run.sql). */
export async function lastAnalysedPosition(source: AnalyzerSource): Promise<bigint | null> {
  const rows = await source.named('analyzer_last_run', {});
  return rows.length > 0 && rows[0].window_to_ns !== null ? BigInt(String(rows[0].window_to_ns)) : null;
}
