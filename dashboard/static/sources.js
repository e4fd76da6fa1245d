// The Sources panel: per service, what arrived and how much of it agentpulse understood (GET /api/sources).
import { h, table } from './fmt.js';

const pct = (v) => (v === null || v === undefined ? '–' : `${Math.round(v * 100)} %`);

export function renderSources(r) {
  const body = document.getElementById('p-sources').querySelector('.body');
  if (r.services.length === 0) {
    body.replaceChildren(h('p', { class: 'empty' }, 'nothing has arrived in this window'));
    return;
  }
  const unknown = r.services.filter((s) => s.unknownEvents.length > 0).map((s) => `${s.service}: ${s.unknownEvents.join(', ')}`);
  body.replaceChildren(
    table([
      { key: 'service', label: 'service', value: (s) => s.service },
      { key: 'spans', label: 'spans', value: (s) => s.spans },
      { key: 'logs', label: 'logs', value: (s) => s.logs },
      { key: 'points', label: 'metric points', value: (s) => s.points },
      { key: 'dialects', label: 'dialects', value: (s) => s.dialects.map((d) => `${d.dialect} ${d.spans}`).join(', ') },
      { key: 'calls', label: 'model calls', value: (s) => s.modelCalls },
      { key: 'model', label: 'with model', value: (s) => s.filled.model, format: pct },
      { key: 'tokens', label: 'with tokens', value: (s) => s.filled.tokens, format: pct },
      { key: 'cost', label: 'with cost', value: (s) => s.filled.cost, format: pct },
      { key: 'agent', label: 'with agent', value: (s) => s.filled.agent, format: pct },
    ], r.services, { label: 'Sources by service' }),
    ...(unknown.length > 0 ? [h('p', { class: 'muted small' }, `Events kept as logs only: ${unknown.join(' · ')}`)] : []),
  );
}

