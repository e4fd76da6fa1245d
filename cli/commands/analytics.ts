import { Command } from 'commander';
import { openDashboardSource, preferredUrl } from '../openStore.js';
import { RANGES } from '../../dashboard/window.js';
import { CliError } from '../errors.js';
import { globalOptions, print } from '../globalOptions.js';
import { openForRead } from '../openStore.js';
import { formatTable } from '../output.js';
import { parseDurationMs } from '../../analyzer/window.js';

type Obj = Record<string, unknown>;
const r2 = (v: unknown, d = 2): number => Math.round(Number(v ?? 0) * 10 ** d) / 10 ** d;

/** `agentpulse analytics`: a summary over a window, the dashboard's numbers in the terminal. */
export const analyticsCommand = new Command('analytics')
  .description('summary over a window: throughput, errors, latency, per-agent table, costs, teams, recovery, alerts')
  .option('--since <window>', `window ending now: ${Object.keys(RANGES).join(', ')}, all, or any duration like 3d`, '24h')
  .addHelpText('after', `
Examples:
  $ agentpulse analytics --since 7d
  $ agentpulse --url http://127.0.0.1:4318 analytics --json | jq .summary.totals`)
  .action(async function (this: Command, flags: { since: string }) {
    const g = globalOptions(this);
    const q = flags.since in RANGES || flags.since === 'all' ? `range=${flags.since}` : `from=${Date.now() - parseDurationMs(flags.since, { label: '--since' })}`;
    const source = await openForRead({ db: g.db, url: preferredUrl(g) }, {
      local: (db) => openDashboardSource({ db }),
      remote: (t) => openDashboardSource({ db: g.db, url: t.url, token: t.token }),
    });
    try {
      const [summary, agents, costs, teams, recovery, alerts] = (await Promise.all(
        ['summary', 'agents', 'costs', 'teams', 'recovery', 'alerts'].map((p) => source.fetch(`/api/${p}?${q}`)),
      )) as Obj[];
      const out = { summary, agents: agents!.agents, costs, teams: (teams as Obj).teams, recovery, alerts };
      if (g.json) {
        print(JSON.stringify(out, null, 2));
        return;
      }
      const s = summary as { window: { fromMs: number; toMs: number; anchoredToData: boolean }; totals: Obj; latency_ms: Obj; alerts_firing: number };
      const t = s.totals;
      const iso = (ms: number): string => new Date(ms).toISOString().slice(0, 16).replace('T', ' ');
      print(`agentpulse analytics · ${source.where} · ${iso(s.window.fromMs)} → ${iso(s.window.toMs)} UTC${s.window.anchoredToData ? ' (newest data; nothing in the live window)' : ''}`);
      print(
        `spans ${Number(t.spans).toLocaleString('en-US')} · ${r2(t.throughput_per_min, 1)}/min · errors ${t.errors} (${r2(Number(t.error_rate) * 100)} %) · ` +
          `p50 ${r2(s.latency_ms.p50, 0)} ms · p95 ${r2(s.latency_ms.p95, 0)} ms · p99 ${r2(s.latency_ms.p99, 0)} ms · cost $${r2(t.cost_usd)} · alerts firing ${s.alerts_firing}`,
      );
      const table = (title: string, rows: Obj[], cols: string[]): void => {
        if (rows.length === 0) return;
        print(`\n${title}`);
        print(formatTable({ columns: cols, rows }, 50));
      };
      table('Agents', (agents!.agents as Obj[]).map((a) => ({ ...a, error_rate: r2(a.error_rate, 4), p95_ms: r2(a.p95_ms, 0), cost_usd: r2(a.cost_usd), rate_per_min: r2(a.rate_per_min, 1) })), ['agent', 'status', 'spans', 'errors', 'error_rate', 'p95_ms', 'rate_per_min', 'cost_usd', 'breaker']);
      const c = costs as Record<string, Obj[]>;
      for (const dim of ['by_model', 'by_team', 'by_task_type']) table(`Cost ${dim.replace('_', ' ').replace('_', ' ')}`, c[dim]!.map((x) => ({ ...x, cost_usd: r2(x.cost_usd) })), ['key', 'cost_usd', 'tokens', 'spans']);
      table('Teams', ((teams as Obj).teams as Obj[]).map((x) => ({ ...x, success_rate: r2(x.success_rate, 3), avg_ms: r2(x.avg_ms, 0) })), ['team', 'runs', 'failures', 'success_rate', 'avg_ms']);
      table('Recovery by strategy', (recovery as { strategies: Obj[] }).strategies, ['strategy', 'attempts', 'recovered', 'success_rate']);
      table('Alerts', (alerts as { alerts: Obj[] }).alerts, ['rule', 'severity', 'state', 'value', 'threshold']);
      const pred = (alerts as { predictive: Obj[] }).predictive;
      if (pred.length > 0) table('Predictive alerts (forecasts)', pred.map((p) => ({ ...p, scope: JSON.stringify(p.scope) })), ['metric', 'scope', 'predicted', 'threshold', 'eta']);
    } catch (err) {
      if (err instanceof Error && !(err instanceof CliError) && 'status' in err) throw new CliError(err.message, { cause: err });
      throw err;
    } finally {
      await source.close();
    }
  });
