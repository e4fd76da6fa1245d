// Multi-agent views: team composition history as small multiples, the agent graph, and sessions.
import { h, table, empty, fmtInt, fmtPct, msColumn, usdColumn, plural } from './fmt.js';

const SVG = 'http://www.w3.org/2000/svg';
function s(tag, attrs = {}, ...kids) {
  const el = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs)) if (v != null) el.setAttribute(k, String(v));
  for (const kid of kids.flat()) if (kid != null) el.append(kid);
  return el;
}

/** Error rate → colour, green (0) through amber to red (≥ 20 %). */
function errColour(rate) {
  const x = Math.min(1, (rate ?? 0) / 0.2);
  return `hsl(${Math.round(130 - 130 * x)} 65% 45%)`;
}

/** One sparkline per team (runs per bucket): small multiples instead of overlapping lines. */
function sparkline(values, max) {
  const w = 120;
  const hgt = 24;
  const n = Math.max(values.length - 1, 1);
  const pts = values.map((v, i) => `${((i / n) * w).toFixed(1)},${(hgt - (v / Math.max(max, 1)) * (hgt - 2) - 1).toFixed(1)}`).join(' ');
  return s('svg', { class: 'spark', width: w, height: hgt, viewBox: `0 0 ${w} ${hgt}`, role: 'img', 'aria-label': `runs over time, peak ${Math.max(0, ...values)}` },
    s('polyline', { points: pts, fill: 'none', stroke: 'currentColor', 'stroke-width': 1.5 }));
}

export function renderTeams(t, traces) {
  const body = document.getElementById('p-teams').querySelector('.body');
  document.getElementById('c-teams')?.replaceChildren();
  if (t.teams.length === 0) return body.replaceChildren(empty('No team runs in this window (spans with agentpulse.team.members).'));
  const times = [...new Set(t.history.map((r) => r.t))].sort((a, b) => a - b);
  const byTeam = new Map();
  for (const r of t.history) {
    if (!byTeam.has(r.team)) byTeam.set(r.team, new Map());
    byTeam.get(r.team).set(r.t, r.runs);
  }
  const series = (team) => times.map((x) => byTeam.get(team)?.get(x) ?? 0);
  const max = Math.max(1, ...t.teams.map((x) => Math.max(0, ...series(x.team))));
  body.replaceChildren(table([
    { key: 'team', label: 'team', value: (r) => r.team },
    { key: 'history', label: 'runs over time', value: () => null, format: (_v, r) => sparkline(series(r.team), max) },
    { key: 'runs', label: 'runs', num: true, value: (r) => r.runs, format: fmtInt },
    { key: 'success_rate', label: 'success', num: true, value: (r) => r.success_rate, format: fmtPct },
    { key: 'avg_ms', label: 'avg', num: true, value: (r) => r.avg_ms, columnFormat: msColumn },
  ], t.teams, { onRow: (r) => traces({ team: r.team }, `team ${r.team}`), label: (r) => `team ${r.team}` }));
}

/**
 * The agent graph: agents in columns by depth (callers left of callees, stable order by name),
 * sized by calls, coloured by the error rate of the calls they received; edges as wide as their
 * calls. A node or an edge opens the traces it stands for.
 */
/** Edges drawn at most: the busiest; a graph of hundreds of agents is summarised, not drawn as a hairball. */
const MAX_EDGES = 40;

export function renderGraph(body, full, traces) {
  if (full.edges.length === 0) return body.replaceChildren(empty('No agent called another in this window (nested invoke_agent spans or handoff links).'));
  const kept = [...full.edges].sort((a, b) => b.calls - a.calls || (a.caller + a.callee < b.caller + b.callee ? -1 : 1)).slice(0, MAX_EDGES);
  const onGraph = new Set(kept.flatMap((e) => [e.caller, e.callee]));
  const g = { nodes: full.nodes.filter((n) => onGraph.has(n.agent)), edges: full.edges.filter((e) => kept.includes(e)) };
  const cols = new Map();
  for (const n of g.nodes) {
    if (!cols.has(n.depth)) cols.set(n.depth, []);
    cols.get(n.depth).push(n);
  }
  const depths = [...cols.keys()].sort((a, b) => a - b);
  const rows = Math.max(...[...cols.values()].map((c) => c.length));
  const W = Math.max(420, depths.length * 190);
  const H = Math.max(160, rows * 56 + 30);
  const pos = new Map();
  depths.forEach((d, ci) => cols.get(d).forEach((n, ri) => pos.set(n.agent, { x: 80 + ci * ((W - 160) / Math.max(depths.length - 1, 1)), y: 30 + (ri + 0.5) * ((H - 40) / cols.get(d).length) })));
  const maxCalls = Math.max(1, ...g.edges.map((e) => e.calls));
  const edges = g.edges.map((e) => {
    const a = pos.get(e.caller);
    const b = pos.get(e.callee);
    const label = `${e.caller} → ${e.callee}: ${plural(e.calls, 'call')}, p95 ${Math.round(e.p95_ms)} ms, errors ${fmtPct(e.error_rate)}`;
    return s('g', { class: 'edge', 'data-edge': `${e.caller}>${e.callee}`, 'data-calls': e.calls, tabindex: 0, role: 'button', 'aria-label': label },
      s('title', {}, label),
      s('line', { x1: a.x, y1: a.y, x2: b.x, y2: b.y, stroke: errColour(e.error_rate), 'stroke-width': (1 + 7 * Math.sqrt(e.calls / maxCalls)).toFixed(1), 'stroke-opacity': 0.7 }));
  });
  const maxNode = Math.max(1, ...g.nodes.map((n) => n.calls_in + n.calls_out));
  const nodes = g.nodes.map((n) => {
    const p = pos.get(n.agent);
    const r = 10 + 18 * Math.sqrt((n.calls_in + n.calls_out) / maxNode);
    const label = `${n.agent}: called ${plural(n.calls_in, 'time')}, calls ${plural(n.calls_out, 'agent call')}, ${fmtPct(n.error_rate)} of its calls failed`;
    return s('g', { class: 'node', 'data-agent': n.agent, 'data-calls-in': n.calls_in, tabindex: 0, role: 'button', 'aria-label': label },
      s('title', {}, label),
      s('circle', { cx: p.x, cy: p.y, r: r.toFixed(1), fill: errColour(n.error_rate) }),
      s('text', { x: p.x, y: p.y + r + 13, 'text-anchor': 'middle' }, n.agent));
  });
  const svg = s('svg', { id: 'agent-graph', viewBox: `0 0 ${W} ${H}`, width: '100%', height: H, role: 'group', 'aria-label': 'agent graph' }, edges, nodes);
  const open = (el) => {
    if (el.dataset.agent) traces({ agent: el.dataset.agent }, `agent ${el.dataset.agent}`);
    else if (el.dataset.edge) {
      const [caller, callee] = el.dataset.edge.split('>');
      traces({ agent: callee }, `${caller} → ${callee} (spans of ${callee})`);
    }
  };
  for (const el of svg.querySelectorAll('g.node, g.edge')) {
    el.addEventListener('click', () => open(el));
    el.addEventListener('keydown', (ev) => (ev.key === 'Enter' || ev.key === ' ') && (ev.preventDefault(), open(el)));
  }
  const more = full.edges.length - g.edges.length;
  body.replaceChildren(h('p', { class: 'muted small', dataset: { edges: String(full.edges.length) } }, `${plural(g.nodes.length, 'agent')}, ${plural(g.edges.length, 'caller → callee edge')}${more > 0 ? ` (the busiest; ${plural(more, 'quieter edge')} not drawn)` : ''}; size = calls, colour = error rate. Click for traces.`), svg);
}

/** Sessions, most expensive first; a session opens its traces in time order. */
export function renderSessions(body, x, traces) {
  if (x.sessions.length === 0) return body.replaceChildren(empty('No sessions in this window (spans with gen_ai.conversation.id, session.id or conversation.id).'));
  body.replaceChildren(table([
    { key: 'session_id', label: 'session', class: 'wrap', value: (r) => r.session_id },
    { key: 'cost_usd', label: 'cost', num: true, value: (r) => r.cost_usd, columnFormat: usdColumn },
    { key: 'duration_ms', label: 'duration', num: true, value: (r) => r.duration_ms, columnFormat: msColumn },
    { key: 'agents', label: 'agents', num: true, value: (r) => r.agents, format: fmtInt },
    { key: 'model_requests', label: 'model calls', num: true, value: (r) => r.model_requests, format: fmtInt },
    { key: 'errors', label: 'errors', num: true, value: (r) => r.errors, format: fmtInt },
  ], x.sessions, { onRow: (r) => traces({ session: r.session_id, order: 'asc' }, `session ${r.session_id}`), label: (r) => `session ${r.session_id}`, cls: 'fit' }));
}
