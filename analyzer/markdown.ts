import type { MetricRow, Report, Scope } from './reportSchema.js';

const ICON = { critical: '🔴', warning: '🟠', info: '🔵' } as const;

const cell = (v: unknown): string => (v === null || v === undefined ? '–' : String(v).replace(/\|/g, '\\|'));
const pct = (x: number): string => `${(x * 100).toFixed(1)}%`;
const ms = (x: number | null): string => (x === null ? '–' : x >= 1000 ? `${(x / 1000).toFixed(2)} s` : `${x.toFixed(x < 10 ? 2 : 0)} ms`);
const scopeText = (s: Scope | Record<string, string | null>): string =>
  Object.values(s).map((v) => v ?? '∅').join(' · ');

function table(header: string[], rows: string[][]): string {
  return [`| ${header.join(' | ')} |`, `|${header.map(() => '---').join('|')}|`, ...rows.map((r) => `| ${r.map(cell).join(' | ')} |`)].join('\n');
}

export interface MarkdownOptions {
  /** Metric rows shown at most (busiest first); default 20. */
  maxMetrics?: number;
}

/**
 * Renders a report as Markdown for a pull request or chat message: the headline first
 * (regressions, firing alerts, forecasts), then the detail tables.
 */
export function renderMarkdown(report: Report, options: MarkdownOptions = {}): string {
  const maxMetrics = options.maxMetrics ?? 20;
  const out: string[] = [];
  const total = report.metrics.reduce((s, m) => s + m.count, 0);
  const firing = report.alerts.filter((a) => a.state === 'firing');
  out.push(`# agentpulse report`);
  out.push('');
  out.push(`Window **${report.window.from} → ${report.window.to}** vs baseline ${report.baseline.from} → ${report.baseline.to} · ${total} spans · generated ${report.generated_at}`);
  out.push('');
  const worst = report.regressions.filter((r) => r.severity === 'critical').length;
  out.push(
    `**${report.regressions.length} regression${report.regressions.length === 1 ? '' : 's'}** (${worst} critical) · **${firing.length} firing alert${firing.length === 1 ? '' : 's'}** · ${report.forecasts.length} forecast crossing${report.forecasts.length === 1 ? '' : 's'}`,
  );

  out.push('', '## Regressions', '');
  if (report.regressions.length === 0) out.push('None found against the baseline.');
  else
    out.push(
      table(
        ['', 'scope', 'metric', 'baseline', 'current', 'change', 'q', 'since'],
        report.regressions.map((r) => [
          ICON[r.severity],
          scopeText(r.scope),
          r.metric,
          r.metric === 'error_rate' ? pct(r.baseline) : ms(r.baseline),
          r.metric === 'error_rate' ? pct(r.current) : ms(r.current),
          `${r.change_pct > 0 ? '+' : ''}${r.change_pct.toFixed(1)}%`,
          r.q_value.toExponential(1),
          r.change_point_at ?? '–',
        ]),
      ),
    );

  out.push('', '## Alerts', '');
  if (report.alerts.length === 0) out.push('No alerts.');
  else
    out.push(
      table(
        ['', 'state', 'rule', 'scope', 'value', 'threshold', 'since'],
        report.alerts.map((a) => [ICON[a.severity], a.state, a.rule, scopeText(a.scope), cell(a.value), cell(a.threshold), a.since]),
      ),
    );

  if (report.forecasts.length > 0) {
    out.push('', '## Forecasts', '');
    out.push(
      table(
        ['scope', 'metric', 'threshold', 'predicted (horizon)', 'ETA'],
        report.forecasts.map((f) => [scopeText(f.scope), f.metric, String(f.threshold), `${f.predicted} (${f.horizon})`, f.eta ?? '–']),
      ),
    );
  }

  out.push('', '## Agents', '');
  const shown: MetricRow[] = report.metrics.slice(0, maxMetrics);
  if (shown.length === 0) out.push('No spans in the window.');
  else {
    out.push(
      table(
        ['agent', 'operation', 'model', 'spans', 'success', 'p50', 'p95', 'p99', 'tokens', 'cost'],
        shown.map((m) => [cell(m.agent), cell(m.operation), cell(m.model), String(m.count), pct(m.success_rate), ms(m.p50_ms), ms(m.p95_ms), ms(m.p99_ms), String(m.tokens), `$${m.cost_usd.toFixed(2)}`]),
      ),
    );
    if (report.metrics.length > shown.length) out.push('', `…and ${report.metrics.length - shown.length} more scopes in the JSON report.`);
  }

  if (report.teams.length > 0) {
    out.push('', '## Teams', '');
    out.push(table(['team', 'runs', 'success', 'p95', 'cost'], report.teams.map((t) => [t.team_signature, String(t.runs), pct(t.success_rate), ms(t.p95_ms), `$${t.cost_usd.toFixed(2)}`])));
  }

  if (report.sessions && report.sessions.length > 0) {
    out.push('', '## Sessions', '');
    out.push(table(['session', 'service', 'requests', 'tools', 'errors', 'tokens', 'cost'], report.sessions.map((x) => [
      x.session_id, x.service_name ?? '–', String(x.model_requests), String(x.tool_calls), String(x.errors), String(x.tokens), `$${x.cost_usd.toFixed(2)}`,
    ])));
  }

  out.push('', '## Recovery', '');
  const rec = report.recovery;
  if (rec.attempts === 0) out.push('No recovery attempts.');
  else {
    out.push(`${rec.recovered}/${rec.attempts} recovered (${pct(rec.success_rate ?? 0)}).`, '');
    out.push(table(['strategy', 'attempts', 'recovered', 'success'], Object.entries(rec.by_strategy).map(([k, v]) => [k, String(v.attempts), String(v.recovered), v.success_rate === null ? '–' : pct(v.success_rate)])));
  }

  if (report.patterns.length > 0 || report.recommendations.length > 0) {
    out.push('', '## Learning', '');
    for (const r of report.recommendations) out.push(`- **${r.action}** — ${r.rationale} (confidence ${r.confidence.toFixed(2)}${r.bounded_by ? `, bounded by ${r.bounded_by}` : ''})`);
    for (const p of report.patterns) {
      const folded = p.aliases?.length ? `; restated by ${p.aliases.map((a) => `\`${a.signature}\``).join(', ')}` : '';
      out.push(`- ${p.kind}${p.finding_id ? ' (finding)' : ''} \`${p.signature}\`: ${pct(p.success_rate)} success over ${p.support} (${p.status})${folded}`);
    }
  }
  return out.join('\n') + '\n';
}
