import { Command } from 'commander';
import { applyRetention, exportParquet } from '../../store/maintenance.js';
import { parseDurationMs } from '../../analyzer/window.js';
import { globalOptions, print } from '../globalOptions.js';
import { formatJson } from '../output.js';
import { openFile } from '../openStore.js';

/** `agentpulse retention`: deletes old raw spans (optionally exporting them first) and old rollups. */
export const retentionCommand = new Command('retention')
  .description('delete raw spans and rollups past their retention (optionally export the spans to Parquet first)')
  .option('--keep <duration>', 'keep raw spans this long', '30d')
  .option('--keep-rollups <duration>', 'keep per-minute rollups this long', '400d')
  .option('--export <dir>', 'export the spans being deleted to Parquet first')
  .addHelpText('after', `
Examples:
  $ agentpulse retention --keep 14d
  $ agentpulse --db agents.duckdb retention --keep 30d --export /data/agentpulse-history`)
  .action(async function (this: Command, flags: { keep: string; keepRollups: string; export?: string }) {
    const g = globalOptions(this);
    const keepMs = parseDurationMs(flags.keep, { label: '--keep' });
    const keepRollMs = parseDurationMs(flags.keepRollups, { label: '--keep-rollups' });
    const store = await openFile(g, { need: 'retention changes the database file itself, with the collector stopped' });
    try {
      let exported = 0;
      if (flags.export) {
        const untilNs = (BigInt(Date.now()) - BigInt(keepMs)) * 1_000_000n;
        exported = (await exportParquet(store, flags.export, { untilNs })).spans;
      }
      const r = await applyRetention(store, { spansDays: keepMs / 86_400_000, rollupsDays: keepRollMs / 86_400_000 });
      print(g.json ? formatJson({ ...r, exported }) : `deleted ${r.spans} spans and ${r.rollupRows} rollup rows${flags.export ? ` (exported ${exported} spans first)` : ''}`);
      if (!g.json && r.spans > 0) {
        print(`${g.db} keeps its size on disk: DuckDB reuses the freed space for new spans, so the file stops growing rather than shrinking. ` +
          'To reclaim the space now, with nothing holding the file, copy it into a new file with the DuckDB CLI (`duckdb NEW.duckdb -c "ATTACH \'' + g.db + '\' AS old (READ_ONLY); COPY FROM DATABASE old TO NEW"`) and replace the old one.');
      }
    } finally {
      await store.close();
    }
  });
