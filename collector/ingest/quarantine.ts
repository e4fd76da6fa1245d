import { mkdir, rename } from 'node:fs/promises';
import { syncDirectory } from './durableFile.js';
import { basename, join } from 'node:path';

/** Folder beside the spool's files where damaged or unreadable entries are kept as evidence. */
export const QUARANTINE_DIR = 'quarantine';

export interface QuarantineResult {
  /** Where the entry now is, or null when it could not be moved (it stays where it was). */
  movedTo: string | null;
  error: unknown;
}

/**
 * Moves `path` into `<dir>/quarantine/` under a name that cannot collide with an earlier one.
 * Never deletes: if the move fails the entry stays in place and the caller skips it.
 */
export async function quarantineEntry(path: string, dir: string): Promise<QuarantineResult> {
  const qdir = join(dir, QUARANTINE_DIR);
  const to = join(qdir, `${basename(path)}.${new Date().toISOString().replace(/[:.]/g, '-')}.${process.pid}`);
  try {
    await mkdir(qdir, { recursive: true });
    await rename(path, to);
  } catch (error) {
    return { movedTo: null, error };
  }
  // The move happened; making it durable is best effort (a crash before it just leaves the entry where it was).
  await syncDirectory(dir).catch(() => undefined);
  await syncDirectory(qdir).catch(() => undefined);
  return { movedTo: to, error: null };
}
