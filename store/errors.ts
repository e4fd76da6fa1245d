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
