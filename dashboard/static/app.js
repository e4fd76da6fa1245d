// agentpulse dashboard: fetches the collector's /api routes and renders every panel.
// Plain ES module served as-is; uPlot comes from /assets/vendor (served locally, no CDN).
import { h, badge, table, empty, fmtInt, fmtMs, fmtPct, fmtUsd, fmtRate, fmtTime, fmtIso, fmtValue, scopeText, scopeTitle, plural, msColumn, usdColumn } from './fmt.js';
import { showTraces, showTrace, closeDrill, showSearch } from './drill.js';
import { renderGraph, renderSessions, renderTeams } from './multi.js';
import { chart, css, resizeCharts } from './charts.js';
import { renderSources } from './sources.js';

const $ = (id) => document.getElementById(id);
const state = { range: 'all', bucket: 'auto', agent: '', window: null, loads: 0 };
const HEAT_COLUMNS = 48;
/** Pattern rows shown at first, and how many more each "show more" adds. */
const PATTERNS_FIRST = 10;
const PATTERNS_STEP = 20;
const BUCKETS = { '1m': 6e4, '5m': 3e5, '15m': 9e5, '1h': 3.6e6, '6h': 2.16e7, '1d': 8.64e7 };

async function getJson(path) {
  const res = await fetch(path, { headers: { accept: 'application/json' } });
  const body = await res.json().catch(() => ({}));
  if (!res.ok) throw new Error(body.error || `${res.status} ${res.statusText}`);
  return body;
}
window.agentpulse = { getJson, state, openTrace: (id, atNs) => showTrace(getJson, id, atNs) };

/** Window parameters every panel shares: after the first load, the resolved from/to pin all panels to one window. */
function wq(extra = {}) {
  const q = new URLSearchParams({ bucket: state.bucket, ...extra });
  if (state.window) { q.set('from', state.window.fromMs); q.set('to', state.window.toMs); } else q.set('range', state.range);
  return q;
}
const windowFilters = () => (state.window ? { from: state.window.fromMs, to: state.window.toMs } : { range: state.range });
function traces(filters, label) {
  showTraces(getJson, { ...windowFilters(), ...filters }, label).catch(showError);
}

// ---- panels ---------------------------------------------------------------------------------

function renderSummary(s) {
  const t = s.totals;
  const kpi = (key, label, text, value) => h('div', { class: 'kpi', dataset: { kpi: key, v: value ?? '' } }, h('div', { class: 'v' }, text), h('div', { class: 'k' }, label));
  $('summary').replaceChildren(
    kpi('spans', 'spans', fmtInt(t.spans), t.spans),
    kpi('throughput', 'spans / min', fmtRate(t.throughput_per_min), t.throughput_per_min),
    kpi('error_rate', 'error rate', fmtPct(t.error_rate), t.error_rate),
    kpi('p50', 'p50 latency', fmtMs(s.latency_ms.p50), s.latency_ms.p50),
    kpi('p95', 'p95 latency', fmtMs(s.latency_ms.p95), s.latency_ms.p95),
    kpi('p99', 'p99 latency', fmtMs(s.latency_ms.p99), s.latency_ms.p99),
    kpi('cost', 'cost', fmtUsd(t.cost_usd), t.cost_usd),
    kpi('alerts', 'alerts firing', fmtInt(s.alerts_firing), s.alerts_firing));
}

const agentColumns = [
  { key: 'agent', label: 'agent', class: 'wrap', value: (r) => r.agent },
  { key: 'status', label: 'status', value: (r) => r.status, format: (v) => badge(v) },
  { key: 'rate_per_min', label: 'rate / min', num: true, value: (r) => r.rate_per_min, format: fmtRate },
  { key: 'p95_ms', label: 'p95', num: true, value: (r) => r.p95_ms, columnFormat: msColumn },
  { key: 'recent_errors', label: 'errors (5 min)', num: true, value: (r) => r.recent_errors, format: fmtInt },
  { key: 'spans', label: 'spans (window)', num: true, value: (r) => r.spans, format: fmtInt },
  { key: 'error_rate', label: 'error rate', num: true, value: (r) => r.error_rate, format: fmtPct },
  { key: 'cost_usd', label: 'cost', num: true, value: (r) => r.cost_usd, columnFormat: usdColumn },
  { key: 'breaker', label: 'breaker', value: (r) => r.breaker, format: (v) => (v ? badge(v) : '–') },
];

function renderAgents(a) {
  const body = $('p-agents').querySelector('.body');
  if (a.agents.length === 0) return body.replaceChildren(empty('No agent spans in this window.'));
  body.replaceChildren(table(agentColumns, a.agents, { cls: 'fit', onRow: (r) => traces({ agent: r.agent }, `agent ${r.agent}`), label: (r) => `agent ${r.agent}` }));
  const sel = $('agent-filter');
  const known = new Set([...sel.options].map((o) => o.value));
  for (const x of a.agents) if (!known.has(x.agent)) sel.append(h('option', { value: x.agent }, x.agent));
}

/** Live rows: update the numbers the SSE feed carries in place (rate, recent errors, status, breaker). */
function applyLive(d) {
  const rows = $('p-agents').querySelectorAll('tbody tr');
  const by = new Map(d.agents.map((a) => [a.agent, a]));
  for (const tr of rows) {
    const a = by.get(tr.querySelector('[data-col="agent"]').dataset.v);
    if (!a) continue;
    const set = (col, raw, text) => {
      const td = tr.querySelector(`[data-col="${col}"]`);
      if (!td) return;
      td.dataset.v = raw == null ? '' : String(raw);
      td.replaceChildren(text);
    };
    set('rate_per_min', a.rate_per_min, fmtRate(a.rate_per_min));
    set('recent_errors', a.recent_errors, fmtInt(a.recent_errors));
    set('status', a.status, badge(a.status));
    set('breaker', a.breaker, a.breaker ? badge(a.breaker) : '–');
  }
  const live = $('live');
  live.dataset.state = 'flash';
  live.dataset.partials = d.partials;
  live.dataset.updates = String(Number(live.dataset.updates || 0) + 1);
  setTimeout(() => (live.dataset.state = 'on'), 400);
}

function renderTrends(ts) {
  const s = ts.series;
  const x = s.t.map((t) => t / 1000);
  const bucketMs = ts.window.bucketMs;
  const pick = (i) => traces({ from: s.t[i], to: s.t[i] + bucketMs, ...(state.agent ? { agent: state.agent } : {}) }, `${fmtTime(s.t[i])} UTC${state.agent ? ` · ${state.agent}` : ''}`);
  const pickErr = (i) => traces({ from: s.t[i], to: s.t[i] + bucketMs, status: 'ERROR', ...(state.agent ? { agent: state.agent } : {}) }, `errors at ${fmtTime(s.t[i])} UTC`);
  chart('c-latency', [{ label: 'p50', color: '--s1' }, { label: 'p95', color: '--s2' }, { label: 'p99', color: '--s3' }], [x, s.p50_ms, s.p95_ms, s.p99_ms], { onPick: pick, yfmt: fmtMs });
  chart('c-throughput', [{ label: 'spans/min', color: '--s4' }], [x, s.throughput_per_min], { onPick: pick });
  chart('c-errors', [{ label: 'error %', color: '--s3' }], [x, s.error_rate.map((v) => (v == null ? null : v * 100))], { onPick: pickErr, yfmt: (v) => `${v.toFixed(2)} %` });
  $('p-trends').dataset.sumSpans = String(s.spans.reduce((a, b) => a + b, 0));
}

function renderHeatmap(e) {
  const body = $('p-heatmap').querySelector('.body');
  if (e.rows.length === 0) return body.replaceChildren(empty('No errors in this window.'));
  const w = e.window;
  const times = [];
  for (let t = Math.floor(w.fromMs / w.bucketMs) * w.bucketMs; t < w.toMs; t += w.bucketMs) times.push(t);
  const cell = new Map(e.cells.map((c) => [`${c.agent}\u0000${c.error_type}\u0000${c.t}`, c.errors]));
  const max = Math.max(1, ...e.cells.map((c) => c.errors));
  const heat = css('--heat');
  const rows = e.rows.slice(0, 30).map((r) => h('tr', { dataset: { agent: r.agent, errorType: r.error_type } },
    h('th', { scope: 'row' }, h('button', { type: 'button', class: 'link', onclick: () => traces({ agent: r.agent.startsWith('(no agent)') ? '' : r.agent, error_type: r.error_type }, `${r.agent} · ${r.error_type}`) }, `${r.agent} · ${r.error_type}`)),
    times.map((t) => {
      const n = cell.get(`${r.agent}\u0000${r.error_type}\u0000${t}`) ?? 0;
      if (n === 0) return h('td', {}, h('span', { class: 'cell', style: 'display:block;width:14px;height:18px' }));
      const label = `${n} ${r.error_type} errors for ${r.agent} at ${fmtTime(t)} UTC`;
      return h('td', {}, h('button', { type: 'button', class: 'cell', title: label, 'aria-label': label, dataset: { n: String(n), t: String(t) },
        style: `background: rgba(${heat}, ${(0.15 + 0.85 * Math.sqrt(n / max)).toFixed(3)})`,
        onclick: () => traces({ agent: r.agent.startsWith('(no agent)') ? '' : r.agent, error_type: r.error_type, from: t, to: t + w.bucketMs }, label) }));
    }),
    h('td', { class: 'total', dataset: { v: String(r.errors) } }, fmtInt(r.errors))));
  body.replaceChildren(
    h('table', { class: 'heat', 'aria-label': 'Errors by agent and error type over time' }, h('tbody', {}, rows)),
    h('p', { class: 'muted small' }, `${fmtTime(times[0])} → ${fmtTime(w.toMs)} UTC, ${Math.round(w.bucketMs / 60000)} min per cell; darker = more errors`));
}

function bars(title, dim, rows, filterKey) {
  if (rows.length === 0) return null;
  const max = Math.max(...rows.map((r) => r.cost_usd), 1e-9);
  const usd = usdColumn(rows.slice(0, 8).map((r) => r.cost_usd));
  return [h('h3', {}, title), h('ul', { class: 'bars', dataset: { dim } }, rows.slice(0, 8).map((r) => h('li', { dataset: { key: r.key, v: String(r.cost_usd) } },
    r.key === '(none)' ? h('span', { class: 'muted' }, r.key) : h('button', { type: 'button', class: 'link', onclick: () => traces({ [filterKey]: r.key }, `${dim} ${r.key}`) }, r.key),
    h('span', { class: 'track', 'aria-hidden': 'true' }, h('span', { class: 'fill', style: `display:block;width:${((r.cost_usd / max) * 100).toFixed(1)}%` })),
    h('span', { class: 'n' }, usd(r.cost_usd)))))];
}

function renderCosts(c) {
  const body = $('p-costs').querySelector('.body');
  const parts = [bars('By agent', 'agent', c.by_agent, 'agent'), bars('By model', 'model', c.by_model, 'model'), bars('By team', 'team', c.by_team, 'team'), bars('By task type', 'task_type', c.by_task_type, 'task_type')].filter(Boolean);
  if (parts.length === 0) return body.replaceChildren(empty('No cost or token attributes in this window (agentpulse.cost.usd, gen_ai.usage.*).'));
  body.replaceChildren(h('p', { class: 'muted small', dataset: { total: String(c.total_cost_usd) } }, `total ${fmtUsd(c.total_cost_usd)}`), ...parts.flat());
}

function renderAlerts(a) {
  const body = $('p-alerts').querySelector('.body');
  const parts = [];
  const scopeCol = { key: 'scope', label: 'scope', class: 'wrap', value: (r) => scopeText(r.scope), title: (r) => scopeTitle(r.scope) };
  if (a.alerts.length > 0) parts.push(h('h3', {}, `Alert rules (${a.firing} firing)`), table([
    { key: 'rule', label: 'rule', value: (r) => r.rule, title: (r) => (r.metric ? `${r.rule} (${r.metric})` : r.rule) },
    { key: 'severity', label: 'severity', value: (r) => r.severity, format: (v) => badge(v ?? 'info') },
    { key: 'state', label: 'state', value: (r) => r.state, format: (v) => badge(v) },
    { key: 'value', label: 'value', num: true, value: (r) => r.value, format: (v, r) => fmtValue(v, r.unit) },
    { key: 'threshold', label: 'threshold', num: true, value: (r) => r.threshold, format: (v, r) => fmtValue(v, r.unit) },
    scopeCol,
  ], a.alerts, { cls: 'fit', onRow: (r) => traces({ agent: r.scope?.agent ?? '' , status: 'ERROR' }, `alert ${r.rule}`), label: (r) => `alert ${r.rule}` }));
  if (a.predictive.length > 0) parts.push(h('h3', {}, 'Predicted (forecasts from the latest analyzer run)'), table([
    { key: 'metric', label: 'metric', value: (r) => r.metric },
    scopeCol,
    { key: 'predicted', label: 'predicted', num: true, value: (r) => r.predicted, format: (v, r) => fmtValue(v, r.unit) },
    { key: 'threshold', label: 'threshold', num: true, value: (r) => r.threshold, format: (v, r) => fmtValue(v, r.unit) },
    { key: 'eta', label: 'crosses at', value: (r) => r.eta, format: (v) => (v == null ? '–' : fmtIso(v)), title: (r) => r.eta ?? '' },
  ], a.predictive, { cls: 'fit' }));
  if (parts.length === 0) parts.push(empty(a.report ? 'No alerts: every rule is quiet and no forecast crosses a threshold.' : 'No alerts yet: run `agentpulse analyze` (alert rules and forecasts come from the analyzer).'));
  body.replaceChildren(...parts);
}

function renderRecovery(r) {
  const body = $('p-recovery').querySelector('.body');
  if (r.strategies.length === 0) return body.replaceChildren(empty('No recovery episodes in this window.'));
  body.replaceChildren(
    h('p', { class: 'muted small', dataset: { v: String(r.totals.success_rate) } }, `${fmtInt(r.totals.recovered)} of ${fmtInt(r.totals.attempts)} recovered (${fmtPct(r.totals.success_rate)})`),
    table([
      { key: 'strategy', label: 'strategy', value: (x) => x.strategy },
      { key: 'attempts', label: 'attempts', num: true, value: (x) => x.attempts, format: fmtInt },
      { key: 'recovered', label: 'recovered', num: true, value: (x) => x.recovered, format: fmtInt },
      { key: 'success_rate', label: 'success', num: true, value: (x) => x.success_rate, format: fmtPct },
    ], r.strategies, { onRow: (x) => traces({ strategy: x.strategy }, `recovery ${x.strategy}`), label: (x) => `recovery ${x.strategy}` }));
}

function renderPatterns(p) {
  const body = $('p-patterns').querySelector('.body');
  if (p.patterns.length === 0) return body.replaceChildren(empty('No patterns learned yet: the learning system fills this after `agentpulse analyze` has seen enough runs.'));
  const columns = [
    { key: 'kind', label: 'kind', value: (r) => r.kind, format: (v, r) => (r.finding ? `${v} finding` : v) },
    // A finding's restating rows fold under it: "restated by N", the list on demand.
    { key: 'signature', label: 'signature', class: 'wrap', value: (r) => r.signature, format: (v, r) => (r.aliases?.length
      ? h('span', {}, v, h('details', { class: 'aliases' }, h('summary', { class: 'muted small' }, `restated by ${plural(r.aliases.length, 'row')}`),
        h('ul', { class: 'small' }, r.aliases.map((a) => h('li', {}, a)))))
      : v) },
    { key: 'task_type', label: 'task', value: (r) => r.task_type ?? '–' },
    { key: 'support', label: 'support', num: true, value: (r) => r.support, format: fmtInt },
    { key: 'success_rate', label: 'success', num: true, value: (r) => r.success_rate, format: fmtPct },
    { key: 'lift', label: 'lift', num: true, value: (r) => r.lift, format: (v) => (v == null ? '–' : (+v).toFixed(2)) },
    { key: 'status', label: 'status', value: (r) => r.status, format: (v) => badge(v) },
  ];
  // The list is ordered best first; a long tail (hundreds of candidates) folds behind "show more".
  let shown = Math.min(p.patterns.length, Math.max(PATTERNS_FIRST, state.patternsShown ?? 0));
  const draw = () => {
    const rest = p.patterns.length - shown;
    const more = rest > 0 ? h('button', { type: 'button', class: 'more', dataset: { more: String(rest) }, onclick: () => {
      const first = shown;
      shown = Math.min(p.patterns.length, shown + PATTERNS_STEP);
      state.patternsShown = shown;
      draw();
      // Keyboard users continue at the first row just revealed.
      body.querySelectorAll('tbody tr')[first]?.querySelector('button')?.focus();
    } }, `Show ${Math.min(PATTERNS_STEP, rest)} more (${fmtInt(rest)} hidden)`) : null;
    body.replaceChildren(
      h('p', { class: 'muted small', dataset: { total: String(p.patterns.length), shown: String(shown) } }, `${fmtInt(shown)} of ${plural(p.patterns.length, 'pattern')}: findings first (one per effect), then the other tested rows, most confident first`),
      table(columns, p.patterns.slice(0, shown), { cls: 'fit', onRow: (r) => traces({ task_type: r.task_type?.includes(', ') ? '' : r.task_type ?? '' }, `pattern ${r.signature}`), label: (r) => `pattern ${r.signature}` }),
      more);
  };
  draw();
}

function renderHealth(hr) {
  $('p-health').querySelector('.body').replaceChildren(table([
    { key: 'name', label: 'check', value: (c) => c.name },
    { key: 'status', label: 'status', value: (c) => c.status, format: (v) => badge(v) },
    { key: 'detail', label: 'detail', value: (c) => c.detail },
  ], hr.checks));
}

// ---- loading --------------------------------------------------------------------------------

/** Panels loaded after the others (they read raw spans over the whole window). */
const LATE = new Set(['sources']);

const PANELS = [
  ['summary', () => `/api/summary?${wq()}`, renderSummary],
  ['agents', () => `/api/agents?${wq()}`, renderAgents],
  ['trends', () => `/api/timeseries?${wq(state.agent ? { agent: state.agent } : {})}`, renderTrends],
  ['heatmap', () => `/api/errors?${heatQuery()}`, renderHeatmap],
  ['teams', () => `/api/teams?${wq()}`, (t) => renderTeams(t, traces)],
  ['graph', () => `/api/agent-graph?${wq()}`, (g) => renderGraph($('p-graph').querySelector('.body'), g, traces)],
  ['sessions', () => `/api/sessions?${wq({ limit: 20 })}`, (x) => renderSessions($('p-sessions').querySelector('.body'), x, traces)],
  ['costs', () => `/api/costs?${wq()}`, renderCosts],
  ['alerts', () => '/api/alerts', renderAlerts],
  ['recovery', () => `/api/recovery?${wq()}`, renderRecovery],
  ['patterns', () => '/api/patterns', renderPatterns],
  ['sources', () => `/api/sources?${wq()}`, renderSources],
  ['health', () => '/api/health', renderHealth],
];

function heatQuery() {
  const q = wq();
  const span = state.window.toMs - state.window.fromMs;
  const b = Object.entries(BUCKETS).find(([, ms]) => span / ms <= HEAT_COLUMNS);
  q.set('bucket', b ? b[0] : '1d');
  return q;
}

/** Marks a panel as loading: aria-busy for assistive tech, the heading's indicator, a placeholder in an empty panel. */
function busy(el, on) {
  el.setAttribute('aria-busy', on ? 'true' : 'false');
  const b = el.querySelector('.body');
  if (on && b && b.childElementCount === 0) b.replaceChildren(h('p', { class: 'empty placeholder' }, 'loading…'));
}

function showError(err) {
  console.error(err);
  $('window').textContent = `error: ${err.message}`;
}

/** Loads every panel; the summary resolves the window first so all panels show the same minutes. */
async function load({ keepWindow = false } = {}) {
  const t0 = performance.now();
  const n = ++state.loads;
  document.body.dataset.loading = 'true';
  for (const el of document.querySelectorAll('[data-panel]')) busy(el, true);
  try {
    if (!keepWindow) {
      state.window = null;
      const s = await getJson(`/api/summary?${wq()}`);
      busy($('summary'), false);
      state.window = s.window;
      renderSummary(s);
      $('window').textContent = `${fmtTime(s.window.fromMs)} → ${fmtTime(s.window.toMs)} UTC${s.window.anchoredToData ? ' (newest data)' : ''}`;
    }
    await Promise.all(PANELS.filter(([k]) => (keepWindow || k !== 'summary') && !LATE.has(k)).map(loadPanel(n)));
  } catch (err) {
    showError(err);
  } finally {
    // A slower, older load finishing after a newer one started must not announce "done".
    if (n === state.loads) {
      for (const el of document.querySelectorAll('[data-panel][aria-busy="true"]')) if (!LATE.has(el.dataset.panel)) busy(el, false);
      document.body.dataset.loading = 'false';
      document.body.dataset.loadMs = String(Math.round(performance.now() - t0));
      document.body.dataset.loads = String(n);
    }
  }
  // Panels that scan raw spans of the whole window (sources) fill in after the rest, without holding the page up.
  if (n === state.loads) await Promise.all(PANELS.filter(([k]) => LATE.has(k)).map(loadPanel(n)));
}

/** Loads one panel for load number `n` (an older load never overwrites a newer one's panel). */
function loadPanel(n) {
  return async ([key, url, render]) => {
    const el = document.querySelector(`[data-panel="${key}"]`);
    try {
      const data = await getJson(url());
      // An older, slower load must not overwrite a newer one's panel.
      if (n !== state.loads) return;
      render(data);
      el.dataset.loaded = String(n);
      delete el.dataset.error;
    } catch (err) {
      if (n !== state.loads) return;
      el.dataset.error = err.message;
      const b = el.querySelector('.body');
      if (b) b.replaceChildren(h('p', { class: 'empty' }, `failed: ${err.message}`));
    } finally {
      if (n === state.loads) busy(el, false);
    }
  };
}

function connectLive() {
  if (!window.EventSource) return;
  const es = new EventSource('/api/live');
  es.addEventListener('agents', (ev) => applyLive(JSON.parse(ev.data)));
  es.onopen = () => ($('live').dataset.state = 'on');
  es.onerror = () => ($('live').dataset.state = 'off');
}

// ---- controls -------------------------------------------------------------------------------

function setTheme(theme) {
  document.documentElement.dataset.theme = theme;
  try { localStorage.setItem('agentpulse-theme', theme); } catch { /* private mode */ }
  // Charts read colours from CSS variables at creation: redraw them.
  if (state.window) load({ keepWindow: true });
}

function init() {
  $('search').addEventListener('click', () => showSearch(getJson, windowFilters()));
  let theme = null;
  try { theme = localStorage.getItem('agentpulse-theme'); } catch { /* ignore */ }
  document.documentElement.dataset.theme = theme ?? (matchMedia('(prefers-color-scheme: dark)').matches ? 'dark' : 'light');
  const params = new URLSearchParams(location.search);
  state.range = params.get('range') ?? '24h';
  state.bucket = params.get('bucket') ?? 'auto';
  $('range').value = state.range;
  $('bucket').value = state.bucket;
  $('range').addEventListener('change', (e) => { state.range = e.target.value; load(); });
  $('bucket').addEventListener('change', (e) => { state.bucket = e.target.value; load(); });
  $('agent-filter').addEventListener('change', (e) => { state.agent = e.target.value; load({ keepWindow: true }); });
  $('refresh').addEventListener('click', () => load());
  $('theme').addEventListener('click', () => setTheme(document.documentElement.dataset.theme === 'dark' ? 'light' : 'dark'));
  $('drill-close').addEventListener('click', closeDrill);
  document.addEventListener('keydown', (e) => {
    if (e.key === 'Escape' && !$('drill').hidden) return closeDrill();
    if (e.target.closest('input, select, textarea') || e.ctrlKey || e.metaKey || e.altKey) return;
    if (e.key === 'r') load();
    else if (e.key === 't') $('theme').click();
    else if (/^[1-9]$/.test(e.key)) {
      const panel = document.querySelectorAll('.panel')[Number(e.key) - 1];
      if (panel) { panel.focus(); panel.scrollIntoView({ block: 'nearest' }); }
    }
  });
  let resize;
  // A resize (a scrollbar appearing counts) only changes chart widths: redraw, do not re-fetch,
  // or every panel re-renders under the user (an expanded list folds, focus is lost).
  addEventListener('resize', () => { clearTimeout(resize); resize = setTimeout(resizeCharts, 150); });
  load().then(() => {
    const m = /^#trace\/([0-9a-f]+)(?:\?at=(\d+))?/.exec(location.hash);
    if (m) showTrace(getJson, m[1], m[2]).catch(showError);
  });
  connectLive();
}

init();
