// The dashboard's time-series charts (uPlot, served from /assets/vendor): one per element id,
// redrawn in place, clickable to drill into a bucket's traces, resized with the window.
import uPlot from '/assets/vendor/uPlot.esm.js';
import { fmtTime } from './fmt.js';

/** The live chart of each element id. */
const charts = {};

/** A CSS custom property of the page (the theme's colours). */
export function css(name) { return getComputedStyle(document.documentElement).getPropertyValue(name).trim(); }

export function chart(id, series, data, { onPick, yfmt } = {}) {
  const el = document.getElementById(id);
  charts[id]?.destroy();
  const width = Math.max(240, el.clientWidth || el.parentElement.clientWidth || 400);
  const axis = { stroke: css('--muted'), grid: { stroke: css('--line'), width: 1 }, ticks: { stroke: css('--line') } };
  const u = new uPlot({
    width, height: 200,
    series: [{ label: 'time (UTC)', value: (u, v) => (v == null ? '–' : fmtTime(v * 1000)) },
      ...series.map((s, i) => ({ label: s.label, stroke: css(s.color), width: 1.5, spanGaps: false, points: pointsFor(data[i + 1], css(s.color)), value: (u, v) => (v == null ? '–' : yfmt ? yfmt(v) : v.toFixed(1)) }))],
    axes: [{ ...axis }, { ...axis, size: 56 }],
    cursor: { drag: { x: false, y: false } },
    scales: { x: { time: true } },
    // Axis labels in UTC, like every other time on the page.
    tzDate: (ts) => uPlot.tzDate(new Date(ts * 1000), 'Etc/UTC'),
  }, data, el);
  el.replaceChildren(u.root);
  if (onPick) {
    u.over.addEventListener('click', () => { if (u.cursor.idx != null) onPick(u.cursor.idx); });
    u.over.title = 'Click for the traces in this bucket';
  }
  charts[id] = u;
  el.dataset.points = String(data[0].length);
  return u;
}

/**
 * A line needs two neighbouring values; a value between gaps (all data in one bucket, a lone
 * minute of traffic) would draw nothing. Such series get visible points.
 */
function pointsFor(ys, color) {
  const isolated = ys.some((v, i) => v != null && ys[i - 1] == null && ys[i + 1] == null);
  return isolated ? { show: true, size: 7, fill: color, stroke: color } : {};
}

export function resizeCharts() {
  for (const [id, u] of Object.entries(charts)) {
    const el = document.getElementById(id);
    if (!el || !el.contains(u.root)) continue;
    const width = Math.max(240, el.clientWidth || el.parentElement.clientWidth || 400);
    if (width !== u.width) u.setSize({ width, height: 200 });
  }
}
