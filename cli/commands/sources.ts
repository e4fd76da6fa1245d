import { Command } from 'commander';
import { globalOptions, print } from '../globalOptions.js';
import { openDashboardSource, openForRead, preferredUrl } from '../openStore.js';
import { formatTable } from '../output.js';
import { parseDurationMs } from '../../analyzer/window.js';
import type { ServiceSource } from '../../dashboard/sources.js';

const pct = (v: number | null): string => (v === null ? '-' : `${Math.round(v * 100)} %`);

/** `agentpulse sources`: per service, what arrived and how much of it agentpulse understood. */
export const sourcesCommand = new Command('sources')
  .description('per service: spans, logs and metrics that arrived, the span dialect recognised, and the share of model calls with model/tokens/cost/agent')
  .option('--since <duration>', 'only what arrived in this window ending now (e.g. 1h, 7d); default: everything stored')
  .addHelpText('after', `
What it shows, per service.name:
  - spans, log records and metric points stored;
  - the span dialect recognised (genai, openinference, openllmetry, vercel-ai, claude-code, agent-events, agentpulse, unknown);
  - of the model calls, the share that carry a model, tokens, a cost and an agent: a low share is what agentpulse
    does not understand about that agent (see docs/semconv.md and docs/coding-agents.md);
  - event names kept as logs but not turned into spans, and the metrics received.

Examples:
  $ agentpulse sources
  $ agentpulse --url http://127.0.0.1:4318 sources --since 1h --json | jq '.services[].filled'`)
  .action(async function (this: Command, flags: { since?: string }) {
    const g = globalOptions(this);
    const q = flags.since ? `?from=${Date.now() - parseDurationMs(flags.since, { label: '--since' })}&to=${Date.now()}` : '';
    const source = await openForRead({ db: g.db, url: preferredUrl(g) }, {
      local: (db) => openDashboardSource({ db }),
      remote: (t) => openDashboardSource({ db: g.db, url: t.url, token: t.token }),
    });
    try {
      const report = (await source.fetch(`/api/sources${q}`)) as { services: ServiceSource[] };
      if (g.json) {
        print(JSON.stringify(report, null, 2));
        return;
      }
      if (report.services.length === 0) {
        print(`nothing has arrived yet (${source.where}). Point an agent at the collector: see docs/coding-agents.md`);
        return;
      }
      print(`agentpulse sources · ${source.where}`);
      print(
        formatTable(
          {
            columns: ['service', 'spans', 'logs', 'points', 'dialects', 'model_calls', 'model', 'tokens', 'cost', 'agent', 'tool_calls'],
            rows: report.services.map((s) => ({
              service: s.service,
              spans: s.spans,
              logs: s.logs,
              points: s.points,
              dialects: s.dialects.map((d) => `${d.dialect} ${d.spans}`).join(', '),
              model_calls: s.modelCalls,
              model: pct(s.filled.model),
              tokens: pct(s.filled.tokens),
              cost: pct(s.filled.cost),
              agent: pct(s.filled.agent),
              tool_calls: s.toolCalls,
            })),
          },
          60,
        ),
      );
      for (const s of report.services) {
        if (s.unknownEvents.length > 0) print(`\n${s.service}: events kept as logs only (not turned into spans): ${s.unknownEvents.join(', ')}`);
        if (s.metrics.length > 0) print(`${s.service}: metrics ${s.metrics.map((m) => `${m.name} (${m.kind}${m.temporality !== '-' ? `, ${m.temporality}` : ''}, ${m.points} points)`).join(', ')}`);
      }
    } finally {
      await source.close();
    }
  });
