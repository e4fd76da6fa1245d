// Formatting and tiny DOM helpers shared by the panels. Plain ES module, no build step.
export const nf = new Intl.NumberFormat('en-US');
export function fmtInt(v) { return v == null ? '–' : nf.format(Math.round(v)); }
export function fmtMs(v) {
  if (v == null || Number.isNaN(v)) return '–';
  if (v >= 10000) return `${(v / 1000).toFixed(1)} s`;
  return `${v < 10 ? v.toFixed(1) : Math.round(v)} ms`;
}
/** One unit per column: seconds (1 decimal) when the column's largest value is ≥ 10 s, else whole milliseconds. */
export function msColumn(values) {
  const max = Math.max(0, ...values.filter((v) => v != null && Number.isFinite(+v)).map(Number));
  return max >= 10000 ? (v) => (v == null ? '–' : `${(v / 1000).toFixed(1)} s`) : (v) => (v == null ? '–' : `${max < 10 ? (+v).toFixed(1) : Math.round(v)} ms`);
}
/** One precision per column: cents when the column's largest value is ≥ $10, else four decimals. */
export function usdColumn(values) {
  const max = Math.max(0, ...values.filter((v) => v != null && Number.isFinite(+v)).map(Number));
  const d = max >= 10 ? 2 : 4;
  return (v) => (v == null ? '–' : `$${(+v).toFixed(d)}`);
}
export function fmtPct(v) { return v == null ? '–' : `${(v * 100).toFixed(1)} %`; }
export function fmtUsd(v) { return v == null ? '–' : `$${v < 10 ? v.toFixed(4) : v.toFixed(2)}`; }
export function fmtRate(v) { return v == null ? '–' : v.toFixed(1); }
export function fmtTime(ms) { return new Date(ms).toISOString().replace('T', ' ').slice(0, 16); }
/** An ISO timestamp (analyzer output) the way every other time on the page reads: "2026-01-15 12:00 UTC". */
export function fmtIso(iso) {
  const t = iso == null ? NaN : Date.parse(iso);
  return Number.isNaN(t) ? (iso ?? '–') : `${fmtTime(t)} UTC`;
}
/** A plain number as people read it: grouped digits, at most 3 significant decimals, never an exponent. */
export function fmtNum(v) {
  if (v == null || !Number.isFinite(+v)) return '–';
  const a = Math.abs(+v);
  const digits = a >= 100 ? 0 : a >= 1 ? 2 : a === 0 ? 0 : Math.min(8, 2 - Math.floor(Math.log10(a)));
  return new Intl.NumberFormat('en-US', { maximumFractionDigits: digits }).format(+v);
}
/** A value in its metric's unit (ms | ratio | usd | min | number), formatted like the rest of the page. */
export function fmtValue(v, unit) {
  if (v == null) return '–';
  if (unit === 'ms') return fmtMs(+v);
  if (unit === 'ratio') return fmtPct(+v);
  if (unit === 'usd') return fmtUsd(+v);
  if (unit === 'min') return `${fmtNum(v)} min`;
  return fmtNum(v);
}
/** An alert or forecast scope ({agent, operation, model}): only the parts that are set. */
export function scopeText(scope) {
  if (scope == null) return '';
  if (typeof scope !== 'object') return String(scope);
  return Object.values(scope).filter((v) => v != null && v !== '').join(' · ');
}
/** The same scope with its keys, for a tooltip: "agent: coder, model: gpt-4o". */
export function scopeTitle(scope) {
  if (scope == null || typeof scope !== 'object') return scope == null ? '' : String(scope);
  return Object.entries(scope).filter(([, v]) => v != null && v !== '').map(([k, v]) => `${k}: ${v}`).join(', ') || 'all';
}
/** "1 trace", "2 traces" (plural: the word's plural when it is not word + "s"). */
export function plural(n, word, many = `${word}s`) { return `${fmtInt(n)} ${n === 1 ? word : many}`; }

/** h('td', {class: 'n', dataset: {v: 1}}, 'text', child) */
export function h(tag, attrs = {}, ...kids) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v == null || v === false) continue;
    if (k === 'dataset') Object.assign(el.dataset, v);
    else if (k === 'style') el.setAttribute('style', v);
    else if (k.startsWith('on')) el.addEventListener(k.slice(2), v);
    else if (k === 'text') el.textContent = v;
    else el.setAttribute(k, v === true ? '' : String(v));
  }
  for (const kid of kids.flat()) if (kid != null) el.append(kid instanceof Node ? kid : String(kid));
  return el;
}

export function badge(status) { return h('span', { class: `st st-${status}` }, status); }

/** A table whose rows can open traces: rows are buttons in the first cell, so Tab reaches each. */
export function table(columns, rows, { onRow, label, cls } = {}) {
  const thead = h('thead', {}, h('tr', {}, columns.map((c) => h('th', { class: [c.num ? 'n' : null, c.class ?? null].filter(Boolean).join(' ') || null, scope: 'col' }, c.label))));
  // A column may format all its cells alike (columnFormat: values → formatter), so units and decimals line up.
  const formats = columns.map((c) => (c.columnFormat ? c.columnFormat(rows.map((r) => c.value(r))) : c.format));
  const tbody = h('tbody', {}, rows.map((r) => {
    const tr = h('tr', { class: onRow ? 'clickable' : null });
    columns.forEach((c, i) => {
      const raw = c.value(r);
      const shown = formats[i] ? formats[i](raw, r) : raw;
      let content = shown instanceof Node ? shown : String(shown ?? '–');
      if (i === 0 && onRow) content = h('button', { type: 'button', class: 'link', title: `Traces for ${label ? label(r) : shown}`, onclick: () => onRow(r) }, content);
      const cls = [c.num ? 'n' : null, c.class ?? null].filter(Boolean).join(' ') || null;
      tr.append(h('td', { class: cls, title: c.title ? c.title(r) || null : null, dataset: { col: c.key, v: raw == null ? '' : typeof raw === 'object' ? '' : String(raw) } }, content));
    });
    return tr;
  }));
  return h('table', { class: cls ?? null }, thead, tbody);
}

export function empty(text) { return h('p', { class: 'empty' }, text); }
