import type { AnalyzerSource } from './AnalyzerSource.js';
import { ns } from './AnalyzerSource.js';
import type { SessionRow } from './reportSchema.js';
import { num, round } from './rows.js';
import type { TimeRange } from './window.js';

/**
 * The sessions active in the window, most expensive first (see queries/analyzer_sessions.sql): a
 * coding agent's conversation or an SDK's `gen_ai.conversation.id`, whatever sent it.
 */
export async function computeSessions(source: AnalyzerSource, window: TimeRange, limit = 20): Promise<SessionRow[]> {
  const rows = await source.named('analyzer_sessions', { from_ns: ns(window.fromNs), to_ns: ns(window.toNs), limit });
  return rows.map((r) => ({
    session_id: String(r.session_id),
    service_name: r.service_name === null || r.service_name === undefined ? null : String(r.service_name),
    agents: num(r.agents),
    model_requests: num(r.model_requests),
    tool_calls: num(r.tool_calls),
    errors: num(r.errors),
    tokens: num(r.tokens),
    cost_usd: round(num(r.cost_usd), 9), // to 1e-9 like every cost: a float sum differs in its last digits between engines and runs
    span_ms: round(num(r.span_ms), 3),
  }));
}
