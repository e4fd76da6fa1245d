import { Command } from 'commander';
import { listSpoolSegments, spoolDirFor } from '../../store/spool.js';
import { globalOptions, print } from '../globalOptions.js';
import { openFile } from '../openStore.js';
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
    const store = await openFile(g, { need: 'ingest-spool writes to the database file itself', ingestSpool: false, allowMissing: pending > 0 });
    try {
      const r = await store.ingestSpool();
      print(g.json ? formatJson({ pending, ...r }) : `ingested ${r.spans} spans from ${r.segments} spool segment(s) (${r.inserted} new, ${r.spans - r.inserted} already stored)`);
    } finally {
      await store.close();
    }
  });
