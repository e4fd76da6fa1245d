/**
 * The hook journal: where a command hook leaves its event in a few milliseconds, for whichever
 * process next opens the store as its writer to ingest (store/hooks/hookIngest.ts). One entry per
 * hook call, one file per entry: written under a temporary name, fsynced, then renamed into place
 * (and the folder fsynced), so an entry is either whole or absent, concurrent hooks never
 * interleave, and an ingester never reads an entry that is still being written. Each file is one
 * frame of store/frameFormat.ts (magic, length, CRC-32), so damage is detected, reported and the
 * file set aside, not ingested.
 * On the hook's fast path: node built-ins and frameFormat.ts only.
 */
import { closeSync, fsyncSync, mkdirSync, openSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeSync } from 'node:fs';
import { basename, join } from 'node:path';
import { encodeFrame, parseFrames } from '../frameFormat.js';

/** Frame kind of a Claude Code hook entry. */
export const HOOK_FRAME_KIND = 1;
const ENTRY_SUFFIX = '.hook';
const CORRUPT_DIR = 'corrupt';

/** The journal folder of the store at `db`. */
export function journalDirFor(db: string): string {
  return `${db}.hooks`;
}

/** Appends one entry durably; throws (ENOSPC, EACCES, …) when it could not, leaving no partial entry behind. */
export function appendJournalEntry(dir: string, timeNs: bigint, payload: Buffer): string {
  mkdirSync(dir, { recursive: true });
  // Names sort by arrival time, so entries are ingested in order.
  const name = `${timeNs.toString().padStart(20, '0')}-${process.pid}-${Math.random().toString(36).slice(2, 8)}${ENTRY_SUFFIX}`;
  const tmp = join(dir, `.${name}.tmp`);
  const path = join(dir, name);
  const fd = openSync(tmp, 'wx', 0o600);
  try {
    writeSync(fd, encodeFrame(HOOK_FRAME_KIND, payload));
    fsyncSync(fd);
  } catch (err) {
    closeSync(fd);
    rmSync(tmp, { force: true });
    throw err;
  }
  closeSync(fd);
  renameSync(tmp, path);
  syncDir(dir);
  return path;
}

function syncDir(dir: string): void {
  try {
    const fd = openSync(dir, 'r');
    try {
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
  } catch {
    // Some filesystems refuse to fsync a folder; the entry's own data is already on disk.
  }
}

/** Entries waiting in `dir`, oldest first (none when the folder does not exist). */
export function listJournalEntries(dir: string): string[] {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return [];
  }
  return names
    .filter((n) => n.endsWith(ENTRY_SUFFIX) && !n.startsWith('.'))
    .sort()
    .map((n) => join(dir, n));
}

/** True when `db` has hook entries waiting (a readdir, nothing more). */
export function hasJournalEntries(db: string): boolean {
  return listJournalEntries(journalDirFor(db)).length > 0;
}

/** One entry's payload; throws when the file is not exactly one intact frame of the hook kind. */
export function readJournalEntry(path: string): Buffer {
  const buf = readFileSync(path);
  const parsed = parseFrames(buf);
  const f = parsed.frames[0];
  if (parsed.frames.length !== 1 || parsed.damagedBytes > 0 || parsed.tornBytes > 0 || !f || f.kind !== HOOK_FRAME_KIND) {
    throw new Error(`not one intact hook entry (${buf.length} bytes, ${parsed.frames.length} frame(s), ${parsed.damagedBytes + parsed.tornBytes} damaged byte(s))`);
  }
  return f.payload;
}

/** Moves a damaged entry to `<dir>/corrupt/`, out of the way of ingest; returns where it went (null when it could not). */
export function setAsideJournalEntry(path: string, dir: string): string | null {
  try {
    const to = join(dir, CORRUPT_DIR, basename(path));
    mkdirSync(join(dir, CORRUPT_DIR), { recursive: true });
    renameSync(path, to);
    return to;
  } catch {
    return null;
  }
}

/** Deletes an ingested entry (already gone is fine). */
export function removeJournalEntry(path: string): void {
  rmSync(path, { force: true });
}

/** Removes temporary files hooks left when they died mid-write (older than `olderThanMs`; a live hook finishes in milliseconds). */
export function removeStaleTemps(dir: string, olderThanMs = 600_000): number {
  let removed = 0;
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return 0;
  }
  for (const n of names) {
    if (!n.startsWith('.') || !n.endsWith('.tmp')) continue;
    try {
      if (Date.now() - statSync(join(dir, n)).mtimeMs > olderThanMs) {
        rmSync(join(dir, n), { force: true });
        removed++;
      }
    } catch {
      // gone already
    }
  }
  return removed;
}
