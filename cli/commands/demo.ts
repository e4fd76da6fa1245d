import { existsSync, rmSync } from 'node:fs';
import { Command } from 'commander';
import { simulateFleet } from '../../examples/fleet.js';
import { startAgentpulse } from '../../instrumentation/sdk.js';
import { DuckDbStore } from '../../store/DuckDbStore.js';
import { loadQuery, bindParams } from '../../store/namedQueries.js';
import { CliError } from '../errors.js';
import { globalOptions, print } from '../globalOptions.js';
import { formatJson, formatTable } from '../output.js';

/** `agentpulse demo`: a simulated fleet through the real instrumentation path into the store. */
export const demoCommand = new Command('demo')
  .description('simulate a fleet of AI agents with injected faults into the store, then print a per-agent summary')
  .option('--seed <n>', 'random seed (same seed, same data)', '42')
  .option('--tasks <n>', 'tasks to simulate (~12 spans each)', '4500')
  .option('--days <n>', 'days of history ending now', '7')
  .option('--fresh', 'delete the database file first')
  .option('--append', 'add another fleet to a database that already holds spans (otherwise refused: it would double every figure)')
  .addHelpText('after', `
The fleet: 9 agent roles in teams of 2–5 across 6 task types — projects run nested, an orchestrator
delegating to agents that delegate in turn — LLM calls with tokens and cost, tool calls, and faults
(timeouts, rate limits, tool errors, context overflow, missing tools, agent crashes, slow service,
tool loops), each recovered along the recovery matrix (retry, fallback agent, checkpoint restore,
equivalent agent, circuit breaker, escalation, scaling, reduced scope). In the last 24 h the coder
slows down and the researcher hits rate limits, so \`agentpulse analyze\` has something to find.

Examples:
  $ agentpulse demo
  $ agentpulse --db /tmp/demo.duckdb demo --seed 7 --tasks 10000 --fresh`)
  .action(async function (this: Command, flags: { seed: string; tasks: string; days: string; fresh?: boolean; append?: boolean }) {
    const g = globalOptions(this);
    const seed = Number(flags.seed);
    const tasks = Number(flags.tasks);
    const days = Number(flags.days);
    if (!Number.isInteger(seed) || !Number.isInteger(tasks) || tasks < 1 || !(days > 0)) {
      throw new CliError('--seed and --tasks take whole numbers (tasks ≥ 1), --days a positive number');
    }
    if (flags.fresh) {
      for (const f of [g.db, `${g.db}.wal`]) if (existsSync(f)) rmSync(f);
    } else if (!flags.append && existsSync(g.db)) {
      // A second run would add a second fleet beside the first and double every figure, silently.
      const held = await spansIn(g.db);
      if (held > 0) {
        throw new CliError(`${g.db} already holds ${held} spans; pass --fresh to replace them with a new demo, --append to add another fleet to them, or --db NEW_FILE`);
      }
    }
    const t0 = performance.now();
    const ap = await startAgentpulse({ dbPath: g.db, serviceName: 'demo-fleet', exporter: 'duckdb', idleCloseMs: 60_000 });
    if (!ap) throw new CliError('tracing is disabled (OTEL_SDK_DISABLED=true); unset it to run the demo');
    const tty = process.stderr.isTTY && !g.json;
    const result = await simulateFleet({
      seed,
      tasks,
      days,
      onProgress: (done, total) => {
        if (tty) process.stderr.write(`\rsimulating ${done}/${total} tasks…`);
      },
    });
    if (tty) process.stderr.write('\rwriting spans to the store…            ');
    await ap.shutdown();
    if (tty) process.stderr.write('\r' + ' '.repeat(40) + '\r');
    const store = await DuckDbStore.open(g.db, { readOnly: true });
    try {
      const [{ n }] = await store.query('SELECT count(*) AS n FROM spans');
      const q = loadQuery('agent_summary');
      const sinceNs = String(BigInt(Math.round(result.fromMs)) * 1_000_000n);
      const summary = await store.queryWithColumns(q.sql, bindParams(q, { since_ns: sinceNs }));
      const seconds = (performance.now() - t0) / 1000;
      if (g.json) {
        print(formatJson({ db: g.db, seconds, simulated: result, spans_in_store: n, agents: summary.rows }));
        return;
      }
      print(`\nSimulated ${result.tasks} tasks (${result.failedTasks} failed) → ${result.spans} spans in ${seconds.toFixed(1)} s; ${g.db} now holds ${n} spans.`);
      print(`Faults injected: ${Object.entries(result.faults).map(([k, v]) => `${k} ${v}`).join(', ')}\n`);
      print(formatTable(summary, 70));
      print(`
Next steps:
  1. Open the dashboard (in a second terminal; it serves the file to the commands below):
                           npx agentpulse dashboard --db ${g.db}
  2. Find what changed:    npx agentpulse analyze --db ${g.db} --since 24h --format md
  3. Ask your own question: npx agentpulse --db ${g.db} sql "select model, count(*), round(sum(cost_usd),2) usd from spans where operation='chat' group by 1 order by 3 desc"`);
    } finally {
      await store.close();
    }
  });

/** Spans already in the file, or 0 when it cannot be read now (locked by a writer, or not a store yet). */
async function spansIn(db: string): Promise<number> {
  try {
    const store = await DuckDbStore.open(db, { readOnly: true });
    try {
      const [{ n }] = await store.query('SELECT count(*) AS n FROM spans');
      return Number(n);
    } finally {
      await store.close();
    }
  } catch {
    return 0;
  }
}
