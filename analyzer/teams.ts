import type { AnalyzerSource } from './AnalyzerSource.js';
import { ns } from './AnalyzerSource.js';
import type { TeamRow } from './reportSchema.js';
import { num, numOrNull, round } from './rows.js';
import type { TimeRange } from './window.js';

/** Per team signature: runs, success rate, p95 run duration, cost (see queries/analyzer_teams.sql). */
export async function computeTeams(source: AnalyzerSource, window: TimeRange): Promise<TeamRow[]> {
  const rows = await source.named('analyzer_teams', { from_ns: ns(window.fromNs), to_ns: ns(window.toNs) });
  return rows.map((r) => ({
    team_signature: String(r.team_signature),
    runs: num(r.runs),
    success_rate: round(num(r.success_rate), 6),
    p95_ms: (() => {
      const v = numOrNull(r.p95_ms);
      return v === null ? null : round(v, 3);
    })(),
    cost_usd: round(num(r.cost_usd), 6),
  }));
}
