import type { NamedReader, Row } from '../store/types.js';

/** What arrived from one service, and how much of it agentpulse understood. */
export interface ServiceSource {
  service: string;
  spans: number;
  logs: number;
  points: number;
  /** Spans per recognised dialect, most first. */
  dialects: { dialect: string; spans: number }[];
  /** Model calls (chat, completion, embeddings) and the share of them with each field filled (0..1; null without calls). */
  modelCalls: number;
  filled: { model: number | null; tokens: number | null; cost: number | null; agent: number | null };
  toolCalls: number;
  events: { name: string; records: number; understood: boolean }[];
  metrics: { name: string; kind: string; unit: string | null; temporality: string; points: number; series: number }[];
  /** Event names kept as logs that agentpulse does not turn into spans. */
  unknownEvents: string[];
}

const n = (v: unknown): number => (v === null || v === undefined ? 0 : Number(v));
const share = (part: number, whole: number): number | null => (whole > 0 ? Math.round((part / whole) * 1000) / 1000 : null);

/**
 * `agentpulse sources` and `GET /api/sources`: per service, what arrived (spans, logs, metrics),
 * which span dialect was recognised, and the share of model calls with model, tokens, cost and
 * agent filled — what agentpulse does not understand about an agent shows at once.
 * @example
 * const report = await sourcesReport(store, { from_ms: Date.now() - 86_400_000, to_ms: Date.now() });
 */
export async function sourcesReport(reader: NamedReader, window: { from_ms: number | null; to_ms: number | null }): Promise<{ services: ServiceSource[] }> {
  const [spans, logs, metrics] = await Promise.all([
    reader.named('sources_spans', window),
    reader.named('sources_logs', window),
    reader.named('sources_metrics', window),
  ]);
  const services = new Map<string, ServiceSource & { calls: Record<string, number> }>();
  const of = (name: string) => {
    let s = services.get(name);
    if (!s) {
      s = { service: name, spans: 0, logs: 0, points: 0, dialects: [], modelCalls: 0, filled: { model: null, tokens: null, cost: null, agent: null }, toolCalls: 0, events: [], metrics: [], unknownEvents: [], calls: { model: 0, tokens: 0, cost: 0, agent: 0 } };
      services.set(name, s);
    }
    return s;
  };
  for (const r of spans as Row[]) {
    const s = of(String(r.service));
    s.spans += n(r.spans);
    s.dialects.push({ dialect: String(r.dialect), spans: n(r.spans) });
    s.modelCalls += n(r.model_calls);
    s.toolCalls += n(r.tool_calls);
    s.calls.model! += n(r.with_model);
    s.calls.tokens! += n(r.with_tokens);
    s.calls.cost! += n(r.with_cost);
    s.calls.agent! += n(r.with_agent);
  }
  for (const r of logs as Row[]) {
    const s = of(String(r.service));
    s.logs += n(r.records);
    const understood = r.understood === true;
    s.events.push({ name: String(r.event_name), records: n(r.records), understood });
    if (!understood) s.unknownEvents.push(String(r.event_name));
  }
  for (const r of metrics as Row[]) {
    const s = of(String(r.service));
    s.points += n(r.points);
    s.metrics.push({ name: String(r.name), kind: String(r.kind), unit: r.unit === null ? null : String(r.unit), temporality: String(r.temporality), points: n(r.points), series: n(r.series) });
  }
  const out: ServiceSource[] = [];
  for (const { calls, ...s } of services.values()) {
    s.filled = { model: share(calls.model!, s.modelCalls), tokens: share(calls.tokens!, s.modelCalls), cost: share(calls.cost!, s.modelCalls), agent: share(calls.agent!, s.modelCalls) };
    out.push(s);
  }
  out.sort((a, b) => b.spans + b.logs + b.points - (a.spans + a.logs + a.points) || (a.service < b.service ? -1 : 1));
  return { services: out };
}
