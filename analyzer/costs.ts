import { PATH_SEPARATOR } from '../store/agentPath.js';
import type { AnalyzerSource } from './AnalyzerSource.js';
import { ns } from './AnalyzerSource.js';
import type { Costs } from './reportSchema.js';
import { num, round } from './rows.js';
import type { TimeRange } from './window.js';

const usd = (v: number): number => round(v, 9);

/**
 * Hierarchical cost over the window: per agent its self cost (spans whose nearest agent it is)
 * and subtree cost (self plus every agent it called, transitively, within the trace: spans with
 * the agent anywhere on their agent path), and cost by session, team composition and task type.
 * The store groups spans by path (queries/analyzer_cost_paths.sql); the tree is walked here, on
 * one row per distinct path.
 */
export async function computeCosts(source: AnalyzerSource, window: TimeRange): Promise<Costs> {
  const w = { from_ns: ns(window.fromNs), to_ns: ns(window.toNs) };
  const [paths, groups] = await Promise.all([source.named('analyzer_cost_paths', w), source.named('analyzer_cost_groups', { ...w, limit: 100 })]);
  const agents = new Map<string, { self: number; subtree: number; calls: number }>();
  const at = (a: string) => {
    let x = agents.get(a);
    if (!x) agents.set(a, (x = { self: 0, subtree: 0, calls: 0 }));
    return x;
  };
  for (const r of paths) {
    const cost = num(r.cost_usd);
    const agent = r.agent_name === null || r.agent_name === undefined ? null : String(r.agent_name);
    if (agent !== null) {
      at(agent).self += cost;
      at(agent).calls += num(r.calls);
    }
    const path = String(r.path ?? '');
    // An agent that recurs on a path (a calls b calls a) counts the cost once.
    for (const a of new Set(path === '' ? [] : path.split(PATH_SEPARATOR))) at(a).subtree += cost;
  }
  const by = (dim: string) => groups.filter((g) => g.dim === dim).map((g) => ({ key: String(g.key), usd: usd(num(g.usd)) }));
  return {
    by_agent: [...agents]
      .map(([agent, x]) => ({ agent, self_usd: usd(x.self), subtree_usd: usd(x.subtree), calls: x.calls }))
      .sort((a, b) => b.subtree_usd - a.subtree_usd || (a.agent < b.agent ? -1 : 1)),
    by_session: by('session').map((g) => ({ session_id: g.key, usd: g.usd })),
    by_team: by('team').map((g) => ({ team_signature: g.key, usd: g.usd })),
    by_task_type: by('task_type').map((g) => ({ task_type: g.key, usd: g.usd })),
  };
}
