// Trace drill-down: the list of traces behind a panel, and one trace as a waterfall.
import { h, fmtMs, fmtTime, fmtUsd, empty, plural } from './fmt.js';

const drill = () => document.getElementById('drill');
const body = () => document.getElementById('drill-body');
const title = () => document.getElementById('drill-title');
let returnFocus = null;

export function closeDrill() {
  drill().hidden = true;
  if (location.hash) history.replaceState(null, '', location.pathname + location.search);
  if (returnFocus && document.contains(returnFocus)) returnFocus.focus();
}

function open(text) {
  if (drill().hidden) returnFocus = document.activeElement;
  drill().hidden = false;
  title().textContent = text;
  title().focus();
}

/** Shows the newest traces matching `filters` ({agent, error_type, status, model, team, task_type, strategy, session, from, to, range}). */
export async function showTraces(getJson, filters, label) {
  open(`Traces · ${label}`);
  body().replaceChildren(empty('loading…'));
  const q = new URLSearchParams(Object.entries(filters).filter(([, v]) => v != null && v !== ''));
  history.replaceState(null, '', `#traces?${q}`);
  const data = await getJson(`/api/traces?${q}`);
  if (data.traces.length === 0) {
    body().replaceChildren(empty('No traces match in this window.'));
    return;
  }
  const rows = data.traces.map((t) => h('tr', { class: 'clickable', dataset: { trace: t.trace_id } },
    h('td', {}, h('button', { type: 'button', class: 'link', 'data-trace-link': t.trace_id, onclick: () => showTrace(getJson, t.trace_id, t.start_ns) }, t.trace_id.slice(0, 16) + '…')),
    h('td', {}, fmtTime(t.start_ms)),
    h('td', {}, t.span_name),
    h('td', { class: 'n' }, String(t.matching_spans)),
    h('td', { class: 'n' }, String(t.errors)),
    h('td', { class: 'n' }, fmtMs(t.max_ms)),
    h('td', {}, t.agents.join(', ')),
    h('td', {}, t.session_id ? h('button', { type: 'button', class: 'link', 'data-session-link': t.session_id, onclick: () => showTraces(getJson, { from: filters.from, to: filters.to, range: filters.range, session: t.session_id }, `session ${t.session_id}`) }, t.session_id) : '')));
  body().replaceChildren(
    h('p', { class: 'muted small' }, `${plural(data.traces.length, 'newest trace', 'newest traces')} with spans matching ${label}. Pick one for its waterfall.`),
    h('table', { id: 'trace-list' },
      h('thead', {}, h('tr', {}, ['trace', 'start (UTC)', 'newest matching span', 'matches', 'errors', 'longest', 'agents', 'session'].map((c) => h('th', {}, c)))),
      h('tbody', {}, rows)));
}

/** One trace as a waterfall: bars offset by start and sized by duration, indented by depth. */
export async function showTrace(getJson, traceId, atNs) {
  open(`Trace ${traceId.slice(0, 16)}…`);
  body().replaceChildren(empty('loading…'));
  history.replaceState(null, '', `#trace/${traceId}${atNs ? `?at=${atNs}` : ''}`);
  const t = await getJson(`/api/traces/${traceId}${atNs ? `?at=${atNs}` : ''}`);
  const total = Math.max(t.duration_ms, 0.001);
  const detail = h('div', { class: 'detail', id: 'span-detail', 'aria-live': 'polite' });
  const rows = t.spans.map((s) => {
    const left = (s.offset_ms / total) * 100;
    const width = Math.max((s.duration_ms / total) * 100, 0.2);
    const cls = `wf-bar op-${s.operation ?? 'other'}${s.status === 'ERROR' ? ' err' : ''}`;
    return h('div', { class: 'wf-row', dataset: { span: s.span_id } },
      h('div', { class: 'wf-name', style: `padding-left:${s.depth * 14}px` },
        h('button', { type: 'button', class: 'link', onclick: () => showSpan(detail, s) }, s.name), ' ',
        h('span', { class: 'muted small' }, `${fmtMs(s.duration_ms)}${s.agent ? ` · ${s.agent}` : ''}${s.status === 'ERROR' ? ` · ${s.error_type ?? 'error'}` : ''}`)),
      h('div', { class: 'wf-track', 'aria-hidden': 'true' }, h('div', { class: cls, style: `left:${left}%;width:${width}%` })));
  });
  body().replaceChildren(
    h('p', { class: 'muted small' }, `${plural(t.span_count, 'span')} · ${plural(t.error_count, 'error')} · ${fmtMs(t.duration_ms)} · started ${fmtTime(t.start_ms)} UTC`),
    h('div', { class: 'wf', id: 'waterfall', role: 'list' }, rows),
    detail);
  if (t.spans[0]) showSpan(detail, t.spans[0]);
}

function showSpan(el, s) {
  const facts = [
    ['operation', s.operation], ['agent', s.agent], ['model', s.model], ['tool', s.tool], ['status', s.status + (s.status_message ? ` (${s.status_message})` : '')],
    ['error.type', s.error_type], ['session', s.session], ['duration', fmtMs(s.duration_ms)], ['tokens in/out', s.input_tokens != null ? `${s.input_tokens} / ${s.output_tokens}` : null],
    ['cost', s.cost_usd != null ? fmtUsd(s.cost_usd) : null], ['recovery', s.recovery_strategy ? `${s.recovery_strategy} → ${s.recovery_outcome}` : null],
  ].filter(([, v]) => v != null);
  el.replaceChildren(
    h('h3', {}, s.name),
    h('table', {}, h('tbody', {}, facts.map(([k, v]) => h('tr', {}, h('th', {}, k), h('td', {}, String(v)))))),
    h('pre', {}, JSON.stringify({ attributes: s.attributes, events: s.events }, null, 2)));
}
