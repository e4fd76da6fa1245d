import { Command } from 'commander';
import { QueryError } from '../../store/errors.js';
import { assertReadOnlySql, isReadOnlySqlError } from '../../store/sqlGuard.js';
import { CliError } from '../errors.js';
import { globalOptions, print } from '../globalOptions.js';
import { openFile } from '../openStore.js';
import { formatResult } from '../output.js';
import { openReader } from '../openStore.js';

/** `agentpulse sql "<query>"`: ad-hoc SQL over the trace store; read-only unless --write. */
export const sqlCommand = new Command('sql')
  .description('run an ad-hoc SQL query over the trace data (table output; --json or --csv); read-only unless --write')
  .argument('<query>', 'one SQL statement, e.g. "select agent_name, count(*) from spans group by 1"')
  .option('--csv', 'CSV output')
  .option('--write', 'maintenance SQL on the file itself: allows statements that change the database or read and write files (not with --url)')
  .addHelpText(
    'after',
    `
Examples:
  $ agentpulse sql "select count(*) from spans"
  $ agentpulse sql "select agent_name, quantile_disc(duration_ns/1e6, 0.95) p95_ms from spans group by 1" --json
  $ agentpulse --url http://127.0.0.1:4318 sql "select * from rollup_minute limit 5"
  $ agentpulse --db agents.duckdb sql --write "checkpoint"

Read-only by default, on the file as through --url: one SELECT/WITH statement, no COPY, ATTACH,
file readers or settings. --write runs any statement on the file itself, as its writer.

Tables: spans, rollup_minute, rollup_sketch, patterns, recommendations, alert_state, ... (see docs/schema.md).`,
  )
  .action(async function (this: Command, query: string, opts: { csv?: boolean; write?: boolean }) {
    const g = globalOptions(this);
    const format = g.json ? 'json' : opts.csv ? 'csv' : 'table';
    if (opts.write) {
      print(formatResult(await runWrite(g.db, g.url, query), format));
      return;
    }
    try {
      assertReadOnlySql(query);
    } catch (err) {
      if (isReadOnlySqlError(err)) throw new CliError(`${err.message} (\`sql\` is read-only; maintenance SQL on the file takes --write)`, { cause: err, code: err.code });
      throw err;
    }
    // Read-only SQL on the file runs with DuckDB's file access off too, whatever the guard misses.
    const reader = await openReader(g, { sandbox: true });
    try {
      print(formatResult(await reader.query(query), format));
    } finally {
      await reader.close();
    }
  });

/** `sql --write`: any statement, on the file opened as its writer. */
async function runWrite(db: string, url: string | undefined, query: string): Promise<{ columns: string[]; rows: Record<string, unknown>[] }> {
  const store = await openFile({ db, url }, { need: '--write runs on the database file itself' });
  try {
    return await store.queryWithColumns(query);
  } catch (err) {
    if (err instanceof QueryError) throw new CliError(err.message, { cause: err, code: 'QUERY_FAILED' });
    throw err;
  } finally {
    await store.close();
  }
}
