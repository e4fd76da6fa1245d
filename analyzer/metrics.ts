import type { AnalyzerSource } from './AnalyzerSource.js';
import { ns } from './AnalyzerSource.js';
import type { MetricRow } from './reportSchema.js';
import { jsonObject, num, numberList, numOrNull, round, strOrNull } from './rows.js';
import type { TimeRange } from './window.js';

export interface MetricsOptions {
  /**
   * 'raw' (default): exact percentiles (quantile_disc) over spans.
   * 'rollup': the same figures from per-minute rollups and latency sketches (≤ 1 % relative
   * error on percentiles; whole minutes; no context size / queue depth; includes recovery spans).
   */
  from?: 'raw' | 'rollup';
}

/** Per agent × operation × model metrics for one window. */
export async function computeMetrics(source: AnalyzerSource, window: TimeRange, options: MetricsOptions = {}): Promise<MetricRow[]> {
  const name = options.from === 'rollup' ? 'analyzer_metrics_rollup' : 'analyzer_metrics';
  const rows = await source.named(name, { from_ns: ns(window.fromNs), to_ns: ns(window.toNs) });
  return rows.map((r) => {
    const count = num(r.count);
    const errors = jsonObject(r.errors_by_type);
    const byType: Record<string, number> = {};
    for (const k of Object.keys(errors).sort()) byType[k] = round(num(errors[k]) / count, 6);
    const lat = numberList(r.latency_ns);
    const ms = (i: number): number | null => (lat.length > i && Number.isFinite(lat[i]) ? round(lat[i] / 1e6, 3) : null);
    return {
      agent: strOrNull(r.agent),
      operation: strOrNull(r.operation),
      model: strOrNull(r.model),
      count,
      success_rate: round(num(r.successes) / count, 6),
      error_rate_by_type: byType,
      p50_ms: ms(0),
      p95_ms: ms(1),
      p99_ms: ms(2),
      tokens: num(r.tokens),
      cost_usd: round(num(r.cost_usd), 6),
      context_size_p95: numOrNull(r.context_size_p95),
      queue_depth_p95: numOrNull(r.queue_depth_p95),
    };
  });
}
