import { constants, existsSync, mkdirSync, readdirSync, statSync, truncateSync, copyFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { DuckDbStore } from './DuckDbStore.js';
import { AgentpulseError, isStoreWalCorrupt } from './errors.js';

export interface WalRecoveryResult {
  /** The recovered database (a copy; the originals are never written). */
  copy: string;
  /** Bytes of the copied log that were replayed, and bytes cut off at and after the damage. */
  walBytesKept: number;
  walBytesDropped: number;
  spans: number;
  /** Newest span start in the copy (epoch ns), null when it holds none. */
  maxStartNs: bigint | null;
}

/**
 * Recovers what a damaged DuckDB write-ahead log still holds, on copies only: copies `<db>` and
 * `<db>.wal` into the empty folder `toDir`, cuts the copy's log just before the first damaged entry
 * (DuckDB replays a log that ends early up to its last complete transaction) and opens the copy
 * for writing, which replays and checkpoints it. The originals stay as evidence.
 * @example
 * const r = await recoverFromDamagedWal('/var/lib/agentpulse/agents.duckdb', '/var/lib/agentpulse/recovered');
 * // r.copy === '/var/lib/agentpulse/recovered/agents.duckdb'
 */
export async function recoverFromDamagedWal(dbPath: string, toDir: string): Promise<WalRecoveryResult> {
  if (!existsSync(dbPath)) throw new AgentpulseError('STORE_MISSING', `no database at ${dbPath}`);
  if (existsSync(toDir) && readdirSync(toDir).length > 0) throw new AgentpulseError('RECOVERY_TARGET_NOT_EMPTY', `${toDir} is not empty; pass an empty or new folder`);
  mkdirSync(toDir, { recursive: true });
  const copy = join(toDir, basename(dbPath));
  copyFileSync(dbPath, copy, constants.COPYFILE_EXCL);
  const walBytes = existsSync(`${dbPath}.wal`) ? statSync(`${dbPath}.wal`).size : 0;
  if (walBytes > 0) copyFileSync(`${dbPath}.wal`, `${copy}.wal`, constants.COPYFILE_EXCL);
  let kept = walBytes;
  // Each cut removes everything from the damage on, so a second attempt only guards against DuckDB
  // naming an earlier position on a re-read; the last resort replays nothing from the log.
  for (let attempt = 0; ; attempt++) {
    let store: DuckDbStore;
    try {
      store = await DuckDbStore.open(copy, { ingestSpool: false });
    } catch (err) {
      if (!isStoreWalCorrupt(err) || attempt >= 3) throw err;
      kept = attempt < 2 && err.bytePosition !== null && err.bytePosition < kept ? err.bytePosition : 0;
      truncateSync(`${copy}.wal`, kept);
      continue;
    }
    try {
      const [row] = await store.query('SELECT count(*) AS n, max(start_ns) AS t FROM spans');
      return { copy, walBytesKept: kept, walBytesDropped: walBytes - kept, spans: Number(row?.n ?? 0), maxStartNs: row?.t == null ? null : BigInt(row.t as bigint) };
    } finally {
      await store.close();
    }
  }
}
