/** Base of every error agentpulse raises on purpose; `code` is stable for scripts. */
export class AgentpulseError extends Error {
  readonly code: string;
  constructor(code: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
    this.code = code;
  }
}

/** The DuckDB file is held by another writer process. */
export class StoreLockedError extends AgentpulseError {
  readonly path: string;
  readonly holderPid: number | null;
  constructor(path: string, holderPid: number | null, cause?: unknown) {
    super(
      'STORE_LOCKED',
      // Which advice works depends on who holds it; cli/openStore.ts explains (lockedStoreError).
      `the database ${path} is locked by another process${holderPid ? ` (PID ${holderPid})` : ''}`,
      { cause },
    );
    this.path = path;
    this.holderPid = holderPid;
  }
}

/** The database file does not exist where a read was asked for. */
export class StoreMissingError extends AgentpulseError {
  constructor(path: string) {
    super('STORE_MISSING', `no agentpulse database at ${path}; run \`agentpulse demo\` to create one, or pass --db PATH`);
  }
}

/**
 * DuckDB will not open the database because its write-ahead log (`<db>.wal`) is damaged. The log
 * holds the newest committed transactions not yet checkpointed into the file: it is evidence and
 * the only copy of those spans, so the message never suggests removing it, and recovery works on
 * copies (`agentpulse recover-wal`).
 */
export class StoreWalCorruptError extends AgentpulseError {
  readonly path: string;
  readonly walPath: string;
  /** Where DuckDB found the first damaged entry; transactions before it can be recovered. */
  readonly bytePosition: number | null;
  constructor(path: string, bytePosition: number | null, cause?: unknown) {
    const wal = `${path}.wal`;
    super(
      'STORE_WAL_CORRUPT',
      `the database ${path} cannot be opened: its write-ahead log ${wal} is damaged` +
        `${bytePosition !== null ? ` at byte ${bytePosition}` : ''} (DuckDB: ${messageOf(cause)}).\n` +
        `Keep both files exactly as they are: the log holds the newest committed spans, which are not in ${path} yet. Next steps:\n` +
        `  1. stop every process that writes ${path} (the collector, agents using the embedded store);\n` +
        `  2. agentpulse --db ${path} recover-wal --to DIR\n` +
        `     copies both files into the empty folder DIR, cuts the copy's log just before the damage and opens the copy,\n` +
        `     so every transaction committed before it is kept; the originals are not touched;\n` +
        `  3. check and save the copy: agentpulse --db DIR/${basenameOf(path)} sql "select count(*), max(start_ns) from spans"\n` +
        `     and agentpulse --db DIR/${basenameOf(path)} export --parquet EXPORT_DIR;\n` +
        `  4. only then serve from the recovered copy (point --db at it); keep the damaged pair as evidence until you no longer need it.\n` +
        'See docs/operations.md, "Damaged DuckDB write-ahead log".',
      { cause },
    );
    this.path = path;
    this.walPath = wal;
    this.bytePosition = bytePosition;
  }
}

function basenameOf(path: string): string {
  return path.split(/[\\/]/).pop() ?? path;
}

/** DuckDB rejected a query; the message is DuckDB's own. */
export class QueryError extends AgentpulseError {
  constructor(message: string, cause?: unknown) {
    super('QUERY_FAILED', message, { cause });
  }
}

function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/** True when DuckDB refused to open a file because another process holds its lock. */
export function isLockConflict(err: unknown): boolean {
  // DuckDB surfaces lock conflicts only as an IO error message; this is the one place that reads it.
  return /Could not set lock on file|Conflicting lock is held/i.test(messageOf(err));
}

/** True when DuckDB refused to open a file because replaying its write-ahead log failed. */
export function isWalCorruption(err: unknown): boolean {
  // DuckDB surfaces this only as an IO error message; this is the one place that reads it.
  return /Failure while replaying WAL|Corrupt WAL file/i.test(messageOf(err));
}

/** The byte offset of the first damaged WAL entry, when DuckDB names it. */
export function walDamagePosition(err: unknown): number | null {
  const m = /entry at byte position (\d+)/.exec(messageOf(err));
  return m ? Number(m[1]) : null;
}

export function isStoreWalCorrupt(err: unknown): err is StoreWalCorruptError {
  return err instanceof StoreWalCorruptError;
}

/** The PID DuckDB names as the lock holder, when it does. */
export function lockHolderPid(err: unknown): number | null {
  const m = /PID (\d+)/.exec(messageOf(err));
  return m ? Number(m[1]) : null;
}

export function isStoreLocked(err: unknown): err is StoreLockedError {
  return err instanceof StoreLockedError;
}

export function isEnoent(err: unknown): boolean {
  return typeof err === 'object' && err !== null && (err as { code?: unknown }).code === 'ENOENT';
}
