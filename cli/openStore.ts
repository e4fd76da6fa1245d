/**
 * Where a command's data is: a running collector (`--url`), or the DuckDB file (`--db`) — and,
 * when another agentpulse process holds that file, that process. The holder advertises its
 * address beside the file (store/lockHolder.ts); read commands go through its HTTP API, so on one
 * machine nobody has to know which process owns the file. A locked file with no serving holder
 * is explained here, once, with advice that works.
 *
 * Seed of the single store-selection module: `--store clickhouse://…` is still picked in
 * cli/source.ts; it moves here when the read interfaces become one.
 */
import { findServingLockHolder, type LockHolder } from '../store/lockHolder.js';
import { describeProcess, readLockHolder } from '../store/lockHolder.js';
import { existsSync } from 'node:fs';
import { isStoreLocked, StoreMissingError, type StoreLockedError } from '../store/errors.js';
import { CliError } from './errors.js';
import type { GlobalOptions } from './globalOptions.js';

/** A collector's API to read through, and why it was chosen. */
export interface RemoteTarget {
  url: string;
  token: string | undefined;
  /** Set when the URL came from the file's advertised holder rather than from --url. */
  holder: LockHolder | null;
}

const token = (): string | undefined => process.env.AGENTPULSE_TOKEN || undefined;

/** The process that holds `db` and serves it over HTTP, if any (advertised beside the file and answering). */
export async function servingHolder(db: string): Promise<LockHolder | null> {
  if (db === ':memory:') return null;
  return findServingLockHolder(db);
}

/** Tells the user (stderr) that a command goes through the file's holder. */
export function noteThroughHolder(db: string, h: LockHolder): void {
  process.stderr.write(`agentpulse: ${db} is held by \`${h.command}\` (PID ${h.pid}); going through it at ${h.url}\n`);
}

/**
 * How long a command waits for a locked file before explaining it: an app writing with the
 * embedded store lets go after AGENTPULSE_IDLE_CLOSE_MS (3 s by default) without writes, and a
 * starting dashboard or collector holds the file a moment before it advertises itself.
 */
function lockWaitMs(): number {
  const v = Number(process.env.AGENTPULSE_LOCK_WAIT_MS);
  return process.env.AGENTPULSE_LOCK_WAIT_MS !== undefined && Number.isFinite(v) && v >= 0 ? v : 4000;
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms)); // ref'd: the command awaits it

/**
 * Opens the file with `open`, or finds the process that holds it and serves it. While the file is
 * locked and nobody serves it, retries for a few seconds (see {@link lockWaitMs}); then throws
 * {@link lockedStoreError}. `need` is passed on to it.
 */
export async function openOrHolder<T>(db: string, open: () => Promise<T>, o: { need?: string } = {}): Promise<{ local: T } | { holder: LockHolder }> {
  const first = await servingHolder(db);
  if (first) return { holder: first };
  const deadline = Date.now() + lockWaitMs();
  let told = false;
  for (;;) {
    try {
      return { local: await open() };
    } catch (err) {
      if (!isStoreLocked(err)) throw err;
      const h = await servingHolder(db);
      if (h) return { holder: h };
      if (Date.now() >= deadline) throw lockedStoreError(err, db, o.need);
      if (!told) {
        told = true;
        process.stderr.write(`agentpulse: ${db} is locked by ${err.holderPid ? `PID ${err.holderPid}` : 'another process'}; waiting up to ${Math.ceil((deadline - Date.now()) / 1000)} s for it\n`);
      }
      await sleep(Math.min(250, Math.max(0, deadline - Date.now())));
    }
  }
}

/**
 * Opens a read source: `--url` when given; else the file's serving holder when there is one;
 * else the file itself (`local`). A locked file falls back to AGENTPULSE_URL, waits a little
 * for the file or a holder ({@link openOrHolder}), else fails with {@link lockedStoreError}.
 * @example
 * const reader = await openForRead(g, { local: (db) => openDbReader(db), remote: (t) => new HttpReader(t.url, t.token) });
 */
export async function openForRead<T>(
  g: Pick<GlobalOptions, 'db' | 'url'>,
  open: { local: (db: string) => Promise<T>; remote: (target: RemoteTarget) => T | Promise<T> },
): Promise<T> {
  if (g.url) return open.remote({ url: g.url, token: token(), holder: null });
  const envUrl = process.env.AGENTPULSE_URL;
  const opened = await openOrHolder(g.db, async () => {
    try {
      return { value: await open.local(g.db) };
    } catch (err) {
      // A locked file with AGENTPULSE_URL set reads through that collector, as before.
      if (isStoreLocked(err) && envUrl) return { env: envUrl };
      throw err;
    }
  });
  if ('holder' in opened) {
    noteThroughHolder(g.db, opened.holder);
    return open.remote({ url: opened.holder.url, token: token(), holder: opened.holder });
  }
  if ('env' in opened.local) {
    process.stderr.write(`agentpulse: ${g.db} is locked by a writer; reading through ${opened.local.env}\n`);
    return open.remote({ url: opened.local.env!, token: token(), holder: null });
  }
  return opened.local.value;
}

/**
 * Explains a locked file with advice that works for whoever holds it: an agentpulse server that
 * advertises itself but does not answer, or a process that does not serve (usually an app writing
 * with the embedded store, which lets go of the file after a few idle seconds).
 * `need` says what the command could not do without the file, when going through a server is no help.
 */
export function lockedStoreError(err: StoreLockedError, db: string, need?: string): CliError {
  const pid = err.holderPid ?? readLockHolder(db)?.pid ?? null;
  const what = pid ? describeProcess(pid) : null;
  const who = pid ? `PID ${pid}${what ? ` (${what})` : ''}` : 'another process';
  const advert = readLockHolder(db);
  let advice: string;
  if (need) {
    advice = `${need}: stop ${advert ? `\`${advert.command}\`` : 'that process'} briefly and run this again`;
  } else if (advert) {
    advice = `it advertises \`${advert.command}\` at ${advert.url} but does not answer there; if it hung, stop it and run this again`;
  } else {
    advice =
      'it serves no agentpulse API. If it is an app writing with the embedded store, it lets go of the file after a few idle seconds ' +
      '(AGENTPULSE_IDLE_CLOSE_MS): run this again then. To share the file while apps run, start ' +
      `\`agentpulse --db ${db} dashboard\` (or \`collect\`) first: commands and apps on this file then go through it`;
  }
  return new CliError(`${db} is locked by ${who}; ${advice}`, { cause: err, code: err.code });
}

/**
 * For commands that open the file as its writer: refuses a path with no database (a mistyped
 * --db would otherwise create a new, empty one and report success), unless `unless` holds.
 */
export function requireStoreFile(db: string, unless = false): void {
  if (db !== ':memory:' && !unless && !existsSync(db)) throw new CliError(new StoreMissingError(db).message, { code: 'STORE_MISSING' });
}
