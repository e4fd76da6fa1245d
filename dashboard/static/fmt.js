// Formatting and tiny DOM helpers shared by the panels. Plain ES module, no build step.
export const nf = new Intl.NumberFormat('en-US');
export function fmtInt(v) { return v == null ? '–' : nf.format(Math.round(v)); }
export function fmtMs(v) {
  if (v == null || Number.isNaN(v)) return '–';
  if (v >= 10000) return `${(v / 1000).toFixed(1)} s`;
  return `${v < 10 ? v.toFixed(1) : Math.round(v)} ms`;
}
export function fmtPct(v) { return v == null ? '–' : `${(v * 100).toFixed(1)} %`; }
export function fmtUsd(v) { return v == null ? '–' : `$${v < 10 ? v.toFixed(4) : v.toFixed(2)}`; }
export function fmtRate(v) { return v == null ? '–' : v.toFixed(1); }
export function fmtTime(ms) { return new Date(ms).toISOString().replace('T', ' ').slice(0, 16); }

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
export function table(columns, rows, { onRow, label } = {}) {
  const thead = h('thead', {}, h('tr', {}, columns.map((c) => h('th', { class: c.num ? 'n' : null, scope: 'col' }, c.label))));
  const tbody = h('tbody', {}, rows.map((r) => {
    const tr = h('tr', { class: onRow ? 'clickable' : null });
    columns.forEach((c, i) => {
      const raw = c.value(r);
      const shown = c.format ? c.format(raw, r) : raw;
      let content = shown instanceof Node ? shown : String(shown ?? '–');
      if (i === 0 && onRow) content = h('button', { type: 'button', class: 'link', title: `Traces for ${label ? label(r) : shown}`, onclick: () => onRow(r) }, content);
      tr.append(h('td', { class: c.num ? 'n' : null, dataset: { col: c.key, v: raw == null ? '' : typeof raw === 'object' ? '' : String(raw) } }, content));
    });
    return tr;
  }));
  return h('table', {}, thead, tbody);
}

export function empty(text) { return h('p', { class: 'empty' }, text); }
