import type { AnalyzerSource } from './AnalyzerSource.js';
import { ns } from './AnalyzerSource.js';
import type { RecoverySummary } from './reportSchema.js';
import { num, round } from './rows.js';
import type { TimeRange } from './window.js';

/** Recovery attempts and outcomes in the window, overall and per strategy. */
export async function computeRecovery(source: AnalyzerSource, window: TimeRange): Promise<RecoverySummary> {
  const rows = await source.named('analyzer_recovery', { from_ns: ns(window.fromNs), to_ns: ns(window.toNs) });
  const byStrategy: RecoverySummary['by_strategy'] = {};
  let attempts = 0;
  let recovered = 0;
  for (const r of rows) {
    const a = num(r.attempts);
    const ok = num(r.recovered);
    attempts += a;
    recovered += ok;
    byStrategy[String(r.strategy)] = { attempts: a, recovered: ok, success_rate: a > 0 ? round(ok / a, 6) : null };
  }
  return { attempts, recovered, success_rate: attempts > 0 ? round(recovered / attempts, 6) : null, by_strategy: byStrategy };
}
