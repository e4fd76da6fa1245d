import { open, type FileHandle } from 'node:fs/promises';

/**
 * Writes `frames` (`total` bytes) with one writev and one fdatasync: the group commit shared by
 * the spool and the write-ahead log. libuv reports a write that failed part-way (disk full) as a
 * short count, not an error, so a short count is turned into one here.
 */
export async function writeFramesDurably(fh: FileHandle, frames: Buffer[], total: number, what: string): Promise<void> {
  const { bytesWritten } = await fh.writev(frames);
  if (bytesWritten !== total) throw new Error(`short write to ${what} (${bytesWritten} of ${total} bytes)`);
  await fh.datasync();
}

/** fsyncs a directory, so files created in it or renamed into it survive a crash. */
export async function syncDirectory(dir: string): Promise<void> {
  const dirFh = await open(dir, 'r');
  try {
    await dirFh.sync();
  } finally {
    await dirFh.close();
  }
}

/** Opens a new file for appending, with its directory entry made durable (or a crash could lose the whole file). */
export async function openDurableAppend(path: string, dir: string): Promise<FileHandle> {
  const fh = await open(path, 'a');
  await syncDirectory(dir);
  return fh;
}

/**
 * After a failed write or fsync: cut the file back to its acknowledged bytes, best effort (the
 * caller stops appending to it either way, so nothing later sits behind a torn frame).
 */
export async function cutBackTo(fh: FileHandle, size: number): Promise<void> {
  await fh.truncate(size).catch(() => undefined);
  await fh.datasync().catch(() => undefined);
}
