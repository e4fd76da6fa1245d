/**
 * Who holds a DuckDB file, and where it answers. DuckDB lets one process write a file; an
 * agentpulse process that holds a file for a long time (`agentpulse dashboard`, `collect`, `run`)
 * serves the others over HTTP and says so in `<db>.agentpulse.json` beside the file:
 *
 *   { "pid": 4242, "url": "http://127.0.0.1:4319", "command": "agentpulse dashboard", "db": "…", "started_at": "…" }
 *
 * The URL is a loopback address (entries naming another host are ignored: a file on disk never
 * sends spans off the machine). The file is written atomically (temporary file, rename), holds no
 * secret (a collector that requires a token still does; clients send AGENTPULSE_TOKEN), and is removed when the holder
 * stops. A holder that died without removing it is detected by its PID (no such process: the
 * entry is stale and deleted) and, for callers that ask, by probing `GET /healthz`.
 */
import { readFileSync, renameSync, unlinkSync, writeFileSync } from 'node:fs';

export interface LockHolder {
  pid: number;
  /** Base URL of the holder's collector API (loopback when it listens on all interfaces). */
  url: string;
  /** The command that holds the file, for messages ("agentpulse dashboard"). */
  command: string;
  db: string;
  started_at: string;
}

/** The advert file beside a database: `<db>.agentpulse.json`. */
export function lockHolderPath(db: string): string {
  return `${db}.agentpulse.json`;
}

/** True for an http URL whose host is a loopback address (127.0.0.0/8, ::1, localhost). */
export function isLoopbackUrl(url: string): boolean {
  try {
    const u = new URL(url);
    const h = u.hostname.replace(/^\[|\]$/g, '');
    return u.protocol === 'http:' && (h === 'localhost' || h === '::1' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(h));
  } catch {
    return false;
  }
}

/** True when a process with this PID exists (one we may not signal counts). */
export function isProcessAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Writes this process's advert for `db` and returns a function that removes it (also run at
 * process exit, so a normal exit or a handled signal never leaves a stale entry).
 * @example
 * const withdraw = advertiseLockHolder('agents.duckdb', { url: 'http://127.0.0.1:4319', command: 'agentpulse dashboard' });
 * // ... on stop
 * withdraw();
 */
export function advertiseLockHolder(db: string, o: { url: string; command: string }): () => void {
  const path = lockHolderPath(db);
  const info: LockHolder = { pid: process.pid, url: o.url, command: o.command, db, started_at: new Date().toISOString() };
  const tmp = `${path}.${process.pid}.tmp`;
  writeFileSync(tmp, JSON.stringify(info) + '\n', { mode: 0o600 });
  renameSync(tmp, path);
  let done = false;
  const withdraw = (): void => {
    if (done) return;
    done = true;
    process.off('exit', withdraw);
    // Only our own entry: a successor may already have replaced it.
    if (readLockHolderFile(db)?.pid === process.pid) {
      try {
        unlinkSync(path);
      } catch {
        /* already gone */
      }
    }
  };
  process.on('exit', withdraw);
  return withdraw;
}

function readLockHolderFile(db: string): LockHolder | null {
  let text: string;
  try {
    text = readFileSync(lockHolderPath(db), 'utf8');
  } catch {
    return null;
  }
  try {
    const o = JSON.parse(text) as Partial<LockHolder>;
    if (typeof o.pid !== 'number' || !Number.isInteger(o.pid) || o.pid <= 0 || typeof o.url !== 'string') return null;
    // Spans and queries are only ever sent to this machine because of a file on disk.
    if (!isLoopbackUrl(o.url)) return null;
    return { pid: o.pid, url: o.url, command: typeof o.command === 'string' ? o.command : 'agentpulse', db: typeof o.db === 'string' ? o.db : db, started_at: String(o.started_at ?? '') };
  } catch {
    return null;
  }
}

/**
 * The advertised holder of `db` when its process is alive (and is not this process); a stale
 * entry (its process is gone) is removed. Synchronous and cheap: no network.
 */
export function readLockHolder(db: string): LockHolder | null {
  const h = readLockHolderFile(db);
  if (!h || h.pid === process.pid) return null;
  if (!isProcessAlive(h.pid)) {
    try {
      unlinkSync(lockHolderPath(db));
    } catch {
      /* someone else cleaned up */
    }
    return null;
  }
  return h;
}

/** The advertised holder of `db` if it is alive and answers `GET /healthz` within `timeoutMs`. */
export async function findServingLockHolder(db: string, timeoutMs = 1500): Promise<LockHolder | null> {
  const h = readLockHolder(db);
  if (!h) return null;
  try {
    const res = await fetch(new URL('/healthz', h.url), { signal: AbortSignal.timeout(timeoutMs) });
    await res.body?.cancel();
    // 503 is a degraded collector that still answers (and spools): it serves.
    return res.status === 200 || res.status === 503 ? h : null;
  } catch {
    return null;
  }
}

/** A short description of a process for messages (`node app.js`), where the platform tells. */
export function describeProcess(pid: number): string | null {
  try {
    const argv = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').filter(Boolean);
    if (argv.length === 0) return null;
    const short = argv.map((a, i) => (i === 0 || a.startsWith('/') ? (a.split('/').pop() ?? a) : a)).join(' ');
    return short.length > 80 ? `${short.slice(0, 77)}…` : short;
  } catch {
    return null;
  }
}
