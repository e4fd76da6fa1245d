import { Command } from 'commander';
import { DuckDbStore } from '../../store/DuckDbStore.js';
import { listSpoolSegments, spoolDirFor } from '../../store/spool.js';
import { globalOptions, print } from '../globalOptions.js';
import { requireStoreFile } from '../openStore.js';
import { formatJson } from '../output.js';

/** `agentpulse ingest-spool`: loads spans spooled while the DB was locked. */
export const ingestSpoolCommand = new Command('ingest-spool')
  .description('ingest spans that instrumented processes spooled while the database was locked (normally automatic)')
  .addHelpText('after', `
Example:
  $ agentpulse --db agents.duckdb ingest-spool`)
  .action(async function (this: Command) {
    const g = globalOptions(this);
    const pending = listSpoolSegments(spoolDirFor(g.db)).length;
    // Spool segments without their database (it was deleted or moved) may still create it.
    requireStoreFile(g.db, pending > 0);
    const store = await DuckDbStore.open(g.db, { ingestSpool: false });
    try {
      const r = await store.ingestSpool();
      print(g.json ? formatJson({ pending, ...r }) : `ingested ${r.spans} spans from ${r.segments} spool segment(s) (${r.inserted} new, ${r.spans - r.inserted} already stored)`);
    } finally {
      await store.close();
    }
  });
