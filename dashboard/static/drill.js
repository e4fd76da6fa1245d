// Trace drill-down: the list of traces behind a panel, and one trace as a waterfall.
import { h, fmtMs, fmtTime, fmtUsd, empty, plural, msColumn } from './fmt.js';

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
  const refine = h('button', { type: 'button', class: 'link', id: 'refine-search', onclick: () => showSearch(getJson, filters) }, 'refine this search');
  if (data.traces.length === 0) {
    body().replaceChildren(empty('No traces match in this window.'), refine);
    return;
  }
  // A session reads in the order it happened; other lists newest first.
  const list = filters.order === 'asc' ? [...data.traces].reverse() : data.traces;
  const longest = msColumn(list.map((t) => t.max_ms));
  const rows = list.map((t) => h('tr', { class: 'clickable', dataset: { trace: t.trace_id } },
    h('td', {}, h('button', { type: 'button', class: 'link', 'data-trace-link': t.trace_id, onclick: () => showTrace(getJson, t.trace_id, t.start_ns) }, t.trace_id.slice(0, 16) + '…')),
    h('td', {}, fmtTime(t.start_ms)),
    h('td', {}, t.span_name),
    h('td', { class: 'n' }, String(t.matching_spans)),
    h('td', { class: 'n' }, String(t.errors)),
    h('td', { class: 'n' }, longest(t.max_ms)),
    h('td', {}, t.agents.join(', ')),
    h('td', {}, t.session_id ? h('button', { type: 'button', class: 'link', 'data-session-link': t.session_id, onclick: () => showTraces(getJson, { from: filters.from, to: filters.to, range: filters.range, session: t.session_id }, `session ${t.session_id}`) }, t.session_id) : '')));
  body().replaceChildren(
    h('p', { class: 'muted small' }, `${plural(list.length, filters.order === 'asc' ? 'trace' : 'newest trace', filters.order === 'asc' ? 'traces' : 'newest traces')} with spans matching ${label}${filters.order === 'asc' ? ', oldest first' : ''}. Pick one for its waterfall; or `, refine, '.'),
    h('table', { id: 'trace-list' },
      h('thead', {}, h('tr', {}, ['trace', 'start (UTC)', 'newest matching span', 'matches', 'errors', 'longest', 'agents', 'session'].map((c) => h('th', {}, c)))),
      h('tbody', {}, rows)));
}

const SEARCH_FIELDS = [
  ['agent', 'agent', 'text'], ['model', 'model', 'text'], ['error_type', 'error type', 'text'], ['q', 'text in span names', 'text'],
];

/** Trace search: agent, model, status, error type, slower than a percentile of the window, text in span names. */
export function showSearch(getJson, filters = {}) {
  open('Search traces');
  const field = ([key, label, type]) => h('label', {}, label, h('input', { type, name: key, value: filters[key] ?? '', autocomplete: 'off' }));
  const select = (key, label, options) => h('label', {}, label, h('select', { name: key }, options.map(([v, text]) => h('option', { value: v, selected: (filters[key] ?? '') === v }, text))));
  const form = h('form', { id: 'trace-search', class: 'search' },
    SEARCH_FIELDS.map(field),
    select('status', 'status', [['', 'any'], ['ERROR', 'error'], ['OK', 'ok'], ['UNSET', 'unset']]),
    select('slower_than', 'slower than', [['', 'any duration'], ['p50', 'p50 of the window'], ['p90', 'p90'], ['p95', 'p95'], ['p99', 'p99']]),
    h('button', { type: 'submit' }, 'Search'));
  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    const values = Object.fromEntries([...new FormData(form)].filter(([, v]) => v !== ''));
    const keep = Object.fromEntries(['from', 'to', 'range'].filter((k) => filters[k] != null).map((k) => [k, filters[k]]));
    const label = Object.entries(values).map(([k, v]) => `${k} ${v}`).join(', ') || 'any span';
    showTraces(getJson, { ...keep, ...values }, label).catch((err) => body().replaceChildren(empty(String(err.message ?? err))));
  });
  body().replaceChildren(h('p', { class: 'muted small' }, 'Traces in the current window with a span matching every field you fill.'), form);
  form.querySelector('input')?.focus();
}

/** Rows drawn at once: a longer trace is drawn as it scrolls (the rest are spacers), so 10 000 spans open at once. */
const WINDOW_ROWS = 400;
const ROW_PX = 24;

/** One trace as a waterfall: bars offset by start and sized by duration, indented by depth. */
export async function showTrace(getJson, traceId, atNs) {
  open(`Trace ${traceId.slice(0, 16)}…`);
  body().replaceChildren(empty('loading…'));
  history.replaceState(null, '', `#trace/${traceId}${atNs ? `?at=${atNs}` : ''}`);
  const at = atNs ? `&at=${atNs}` : '';
  const t = await getJson(`/api/traces/${traceId}?lean=1${at}`);
  // Attributes and events come with the span when it is opened.
  const showSpan = (el, s) => {
    el.dataset.span = s.span_id;
    renderSpan(el, s, null);
    getJson(`/api/traces/${traceId}?span=${encodeURIComponent(s.span_id)}${at}`)
      .then((one) => el.dataset.span === s.span_id && renderSpan(el, s, one.spans[0] ?? null), () => undefined);
  };
  const total = Math.max(t.duration_ms, 0.001);
  const detail = h('div', { class: 'detail', id: 'span-detail', 'aria-live': 'polite' });
  const row = (s) => {
    const left = (s.offset_ms / total) * 100;
    const width = Math.max((s.duration_ms / total) * 100, 0.2);
    const cls = `wf-bar op-${s.operation ?? 'other'}${s.status === 'ERROR' ? ' err' : ''}`;
    return h('div', { class: 'wf-row', role: 'listitem', dataset: { span: s.span_id } },
      h('div', { class: 'wf-name', style: `padding-left:${Math.min(s.depth, 40) * 14}px` },
        h('button', { type: 'button', class: 'link', onclick: () => showSpan(detail, s) }, s.name), ' ',
        h('span', { class: 'muted small' }, `${fmtMs(s.duration_ms)}${s.agent ? ` · ${s.agent}` : ''}${s.status === 'ERROR' ? ` · ${s.error_type ?? 'error'}` : ''}`)),
      h('div', { class: 'wf-track', 'aria-hidden': 'true' }, h('div', { class: cls, style: `left:${left}%;width:${width}%` })));
  };
  const wf = h('div', { class: 'wf', id: 'waterfall', role: 'list', dataset: { spans: String(t.spans.length) } });
  if (t.spans.length <= WINDOW_ROWS) wf.append(...t.spans.map(row));
  else {
    // Only the rows in view (and a margin) are in the document; spacers keep the scroll height true.
    wf.classList.add('virtual');
    const top = h('div', { class: 'wf-spacer' });
    const rows = h('div', { class: 'wf-rows' });
    const bottom = h('div', { class: 'wf-spacer' });
    let drawn = -1;
    const draw = () => {
      const first = Math.max(0, Math.floor(wf.scrollTop / ROW_PX) - 50);
      if (first === drawn) return;
      drawn = first;
      const last = Math.min(t.spans.length, first + WINDOW_ROWS);
      top.style.height = `${first * ROW_PX}px`;
      bottom.style.height = `${(t.spans.length - last) * ROW_PX}px`;
      rows.replaceChildren(...t.spans.slice(first, last).map(row));
    };
    wf.append(top, rows, bottom);
    wf.addEventListener('scroll', () => requestAnimationFrame(draw), { passive: true });
    draw();
  }
  body().replaceChildren(
    h('p', { class: 'muted small' }, `${plural(t.span_count, 'span')} · ${plural(t.error_count, 'error')} · ${fmtMs(t.duration_ms)} · started ${fmtTime(t.start_ms)} UTC`),
    wf,
    detail);
  if (t.spans[0]) showSpan(detail, t.spans[0]);
}

function renderSpan(el, s, whole) {
  const facts = [
    ['operation', s.operation], ['agent', s.agent], ['model', s.model], ['tool', s.tool], ['status', s.status + (s.status_message ? ` (${s.status_message})` : '')],
    ['error.type', s.error_type], ['session', s.session], ['duration', fmtMs(s.duration_ms)], ['tokens in/out', s.input_tokens != null ? `${s.input_tokens} / ${s.output_tokens}` : null],
    ['cost', s.cost_usd != null ? fmtUsd(s.cost_usd) : null], ['recovery', s.recovery_strategy ? `${s.recovery_strategy} → ${s.recovery_outcome}` : null],
  ].filter(([, v]) => v != null);
  el.replaceChildren(
    h('h3', {}, s.name),
    h('table', {}, h('tbody', {}, facts.map(([k, v]) => h('tr', {}, h('th', {}, k), h('td', {}, String(v)))))),
    h('pre', {}, whole ? JSON.stringify({ attributes: whole.attributes, events: whole.events }, null, 2) : 'loading attributes…'));
}
