import { Command } from 'commander';
import { exportParquet } from '../../store/maintenance.js';
import { parseDurationMs } from '../../analyzer/window.js';
import { globalOptions, print } from '../globalOptions.js';
import { formatJson } from '../output.js';
import { openFile } from '../openStore.js';

/** `agentpulse export --parquet DIR`: Hive-partitioned Parquet history. */
export const exportCommand = new Command('export')
  .description('export spans as Parquet partitioned by day (DIR/day=YYYY-MM-DD/), readable by DuckDB, ClickHouse, Spark, pandas')
  .requiredOption('--parquet <dir>', 'target folder')
  .option('--since <duration>', 'only the last 24h, 7d, …')
  .addHelpText('after', `
Examples:
  $ agentpulse export --parquet ./history
  $ agentpulse --db agents.duckdb export --parquet /data/agentpulse --since 1d
  $ duckdb -c "select day, count(*) from read_parquet('./history/*/*.parquet', hive_partitioning=true) group by 1"

Exporting is idempotent: a day that already has files in DIR is rewritten as the union of those
files and the store, one row per span, so running it twice (or with overlapping --since) never
duplicates a span, and spans the store no longer has (retention) stay in DIR.
The database file must not be held by a running collector (stop it, or export on a copy).`)
  .action(async function (this: Command, flags: { parquet: string; since?: string }) {
    const g = globalOptions(this);
    const sinceNs = flags.since ? (BigInt(Date.now()) - BigInt(parseDurationMs(flags.since, { label: '--since' }))) * 1_000_000n : undefined;
    const store = await openFile(g, { need: 'export reads the database file directly', readOnly: true });
    try {
      const r = await exportParquet(store, flags.parquet, { sinceNs });
      print(g.json ? formatJson(r) : `exported ${r.spans} spans over ${r.days.length} day(s) to ${flags.parquet}`);
    } finally {
      await store.close();
    }
  });
