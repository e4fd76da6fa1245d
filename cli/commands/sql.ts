import { Command } from 'commander';
import { globalOptions, print } from '../globalOptions.js';
import { formatResult } from '../output.js';
import { openReader } from '../reader.js';

/** `agentpulse sql "<query>"`: ad-hoc SQL over the trace store. */
export const sqlCommand = new Command('sql')
  .description('run an ad-hoc SQL query over the trace data (table output; --json or --csv)')
  .argument('<query>', 'one SQL statement, e.g. "select agent_name, count(*) from spans group by 1"')
  .option('--csv', 'CSV output')
  .addHelpText(
    'after',
    `
Examples:
  $ agentpulse sql "select count(*) from spans"
  $ agentpulse sql "select agent_name, quantile_disc(duration_ns/1e6, 0.95) p95_ms from spans group by 1" --json
  $ agentpulse --url http://127.0.0.1:4318 sql "select * from rollup_minute limit 5"

Tables: spans, rollup_minute, rollup_sketch, patterns, recommendations, alert_state, ... (see docs/schema.md).`,
  )
  .action(async function (this: Command, query: string, opts: { csv?: boolean }) {
    const g = globalOptions(this);
    const reader = await openReader(g);
    try {
      const result = await reader.query(query);
      print(formatResult(result, g.json ? 'json' : opts.csv ? 'csv' : 'table'));
    } finally {
      await reader.close();
    }
  });
