import { Command } from 'commander';
import { globalOptions, print } from '../globalOptions.js';
import { formatJson } from '../output.js';
import { CliError } from '../errors.js';

/** `agentpulse recover-wal --to DIR`: recovers a database whose DuckDB write-ahead log is damaged, on copies. */
export const recoverWalCommand = new Command('recover-wal')
  .description("recover a database whose DuckDB write-ahead log (<db>.wal) is damaged: works on copies, never touches the originals")
  .requiredOption('--to <dir>', 'empty (or new) folder for the recovered copy')
  .addHelpText('after', `
Example:
  $ agentpulse --db agents.duckdb recover-wal --to ./recovered
  $ agentpulse --db ./recovered/agents.duckdb export --parquet ./history

Copies <db> and <db>.wal into DIR, cuts the copy's log just before the first damaged entry and
opens the copy, so every transaction committed before the damage is kept. Stop the processes
writing <db> first. Keep the originals until the copy is checked and saved.`)
  .action(async function (this: Command, flags: { to: string }) {
    const g = globalOptions(this);
    if (g.url) throw new CliError('recover-wal works on the database file; run it where the file is (without --url)');
    const { recoverFromDamagedWal } = await import('../../store/walRecovery.js');
    const r = await recoverFromDamagedWal(g.db, flags.to);
    if (g.json) {
      print(formatJson({ ...r, maxStartNs: r.maxStartNs?.toString() ?? null }));
      return;
    }
    const newest = r.maxStartNs === null ? 'none' : new Date(Number(r.maxStartNs / 1_000_000n)).toISOString();
    print(
      `recovered ${r.spans} spans (newest ${newest}) into ${r.copy}; ` +
        (r.walBytesDropped > 0 ? `the copy's log was cut at byte ${r.walBytesKept} (${r.walBytesDropped} bytes from the damage on could not be replayed). ` : 'the log replayed in full. ') +
        `The originals were not touched.\nNext: check it (agentpulse --db ${r.copy} sql "select count(*) from spans"), save it (agentpulse --db ${r.copy} export --parquet DIR), then serve from it.`,
    );
  });
