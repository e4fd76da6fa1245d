import { open, mkdir, readdir, rename, stat, unlink, type FileHandle } from 'node:fs/promises';
import { crc32 } from 'node:zlib';
import { join } from 'node:path';

/**
 * Write-ahead spool: request bodies that could not be committed to the store in time
 * are appended here and fsynced before the client is acknowledged, then replayed.
 *
 * Frame: 'APW1' | u32 payloadLength | u32 crc32(kind + payload) | u8 kind | payload.
 * A torn tail (short header, short payload or bad checksum) ends a file's readable
 * frames; everything before it is intact because frames are only ever appended.
 * Files are deleted only after all of their frames were committed to the store.
 */
export interface SpoolFrame {
  kind: number;
  payload: Buffer;
}

export interface SpoolOptions {
  dir: string;
  /** Appends are refused once the spool holds this many bytes. */
  maxBytes: number;
  /** Roll over to a new file at this size so replayed files can be deleted early. */
  maxFileBytes?: number;
}

const MAGIC = 0x31575041; // 'APW1' little-endian
const HEADER = 13;
const FILE_RE = /^collector-wal-(\d{12})\.bin$/;

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

interface PendingAppend {
  frame: Buffer;
  resolve: () => void;
  reject: (err: unknown) => void;
}

export class Spool {
  readonly dir: string;
  private readonly maxBytes: number;
  private readonly maxFileBytes: number;
  private nextSeq = 0;
  private current: { seq: number; fh: FileHandle; size: number } | null = null;
  /** Files complete and waiting for replay, oldest first, with their sizes. */
  private readonly sealed: { seq: number; size: number }[] = [];
  private bytes = 0;
  private reserved = 0;
  private queue: PendingAppend[] = [];
  private flushing: Promise<void> | null = null;
  private closed = false;
  private sealWaiters: (() => void)[] = [];

  private constructor(opts: SpoolOptions) {
    this.dir = opts.dir;
    this.maxBytes = opts.maxBytes;
    this.maxFileBytes = opts.maxFileBytes ?? 32 * 1024 * 1024;
  }

  /** Opens (creating) the spool directory; files left by a previous process are queued for replay. */
  static async open(opts: SpoolOptions): Promise<Spool> {
    const spool = new Spool(opts);
    await mkdir(opts.dir, { recursive: true });
    const names = (await readdir(opts.dir)).filter((n) => FILE_RE.test(n)).sort();
    for (const name of names) {
      const seq = Number(FILE_RE.exec(name)![1]);
      const { size } = await stat(join(opts.dir, name));
      spool.sealed.push({ seq, size });
      spool.bytes += size;
      spool.nextSeq = Math.max(spool.nextSeq, seq + 1);
    }
    return spool;
  }

  /** Bytes on disk plus appends accepted but not yet written. */
  get sizeBytes(): number {
    return this.bytes + this.reserved;
  }

  get hasBacklog(): boolean {
    return this.sealed.length > 0 || (this.current !== null && this.current.size > 0);
  }

  /** True when a frame with this payload size would fit in the budget. */
  canAccept(payloadBytes: number): boolean {
    return !this.closed && this.sizeBytes + payloadBytes + HEADER <= this.maxBytes;
  }

  /**
   * Appends one frame and resolves once it is fsynced. Concurrent appends share
   * one write + fdatasync (group commit). Rejects when the budget is exhausted.
   */
  append(kind: number, payload: Buffer): Promise<void> {
    if (!this.canAccept(payload.length)) return Promise.reject(new Error('spool is full'));
    const frame = encodeFrame(kind, payload);
    this.reserved += frame.length;
    return new Promise<void>((resolve, reject) => {
      this.queue.push({ frame, resolve, reject });
      if (!this.flushing) this.flushing = this.flushLoop();
    });
  }

  private async flushLoop(): Promise<void> {
    try {
      while (this.queue.length > 0) {
        const batch = this.queue;
        this.queue = [];
        const total = batch.reduce((n, p) => n + p.frame.length, 0);
        let cur: { seq: number; fh: FileHandle; size: number } | null = null;
        let ok = false;
        try {
          cur = await this.currentFile();
          await writeFramesDurably(cur.fh, batch.map((p) => p.frame), total, 'the spool');
          ok = true;
        } catch (err) {
          this.reserved -= total;
          if (cur) await this.abandon(cur);
          for (const p of batch) p.reject(err);
        }
        if (ok && cur) {
          cur.size += total;
          this.bytes += total;
          this.reserved -= total;
          for (const p of batch) p.resolve();
          if (cur.size >= this.maxFileBytes) await this.seal().catch(() => undefined);
        }
        // Sealing between batches keeps a steady stream of appends from starving replay.
        if (this.sealWaiters.length > 0) await this.sealNow();
      }
    } finally {
      this.flushing = null;
    }
    if (this.sealWaiters.length > 0) await this.sealNow();
  }

  private async sealNow(): Promise<void> {
    const waiters = this.sealWaiters;
    this.sealWaiters = [];
    try {
      await this.seal();
    } finally {
      for (const w of waiters) w();
    }
  }

  private async currentFile(): Promise<{ seq: number; fh: FileHandle; size: number }> {
    if (this.current) return this.current;
    const seq = this.nextSeq++;
    const fh = await openDurableAppend(this.path(seq), this.dir);
    this.current = { seq, fh, size: 0 };
    return this.current;
  }

  /**
   * After a failed write or fsync: cut the file back to its acknowledged frames and never append
   * to it again, so no later frame sits behind a torn one (replay stops at the first bad frame).
   */
  private async abandon(cur: { seq: number; fh: FileHandle; size: number }): Promise<void> {
    if (this.current !== cur) return;
    await cutBackTo(cur.fh, cur.size);
    await this.seal().catch(() => undefined);
  }

  /** Closes the file being appended to so it can be replayed; new appends go to a new file. */
  private async seal(): Promise<void> {
    const cur = this.current;
    if (!cur) return;
    this.current = null;
    await cur.fh.close();
    if (cur.size > 0) this.sealed.push({ seq: cur.seq, size: cur.size });
    else await unlink(this.path(cur.seq)).catch(() => undefined);
  }

  /**
   * Moves files written in this spool's frame format (e.g. a write-ahead log's) into the
   * backlog, after everything already queued for replay. Each rename is atomic, so after a
   * crash a file is in one directory or the other and is found either way.
   */
  async adopt(paths: readonly string[]): Promise<void> {
    if (paths.length === 0) return;
    for (const from of paths) {
      const seq = this.nextSeq++;
      const to = this.path(seq);
      await rename(from, to);
      const { size } = await stat(to);
      if (size === 0) {
        await unlink(to).catch(() => undefined);
        continue;
      }
      this.sealed.push({ seq, size });
      this.bytes += size;
    }
    await syncDirectory(this.dir);
  }

  /**
   * Takes the oldest spooled file for replay (sealing the active one if it is the
   * only data left). Returns null when the spool is empty. The caller must call
   * `release(file)` after every frame was committed.
   */
  async takeOldest(): Promise<{ seq: number; frames: SpoolFrame[]; tornBytes: number } | null> {
    if (this.sealed.length === 0 && this.current && this.current.size > 0) {
      // Appends in flight finish first, so the sealed file holds whole, acknowledged frames.
      if (this.flushing) await new Promise<void>((resolve) => this.sealWaiters.push(resolve));
      else await this.seal();
    }
    const next = this.sealed[0];
    if (!next) return null;
    const buf = await readWhole(this.path(next.seq));
    const { frames, validBytes } = parseFrames(buf);
    return { seq: next.seq, frames, tornBytes: buf.length - validBytes };
  }

  /** Deletes a replayed file; only call after its frames are committed. */
  async release(seq: number): Promise<void> {
    const i = this.sealed.findIndex((f) => f.seq === seq);
    if (i < 0) return;
    const [f] = this.sealed.splice(i, 1);
    await unlink(this.path(seq)).catch(() => undefined);
    this.bytes -= f!.size;
  }

  async close(): Promise<void> {
    this.closed = true;
    while (this.flushing) await this.flushing;
    if (this.current) {
      const cur = this.current;
      this.current = null;
      await cur.fh.close();
      if (cur.size === 0) await unlink(this.path(cur.seq)).catch(() => undefined);
    }
  }

  private path(seq: number): string {
    return join(this.dir, `collector-wal-${String(seq).padStart(12, '0')}.bin`);
  }
}

async function readWhole(path: string): Promise<Buffer> {
  const fh = await open(path, 'r');
  try {
    return await fh.readFile();
  } finally {
    await fh.close();
  }
}

/** One frame: header (magic, length, crc32 of kind + payload, kind) and payload. */
export function encodeFrame(kind: number, payload: Buffer): Buffer {
  const frame = Buffer.allocUnsafe(HEADER + payload.length);
  frame.writeUInt32LE(MAGIC, 0);
  frame.writeUInt32LE(payload.length, 4);
  frame.writeUInt8(kind, 12);
  payload.copy(frame, HEADER);
  frame.writeUInt32LE(crc32(frame.subarray(12)), 8);
  return frame;
}

/** Reads frames up to the first damaged one; a torn tail is expected after a crash. */
export function parseFrames(buf: Buffer): { frames: SpoolFrame[]; validBytes: number } {
  const frames: SpoolFrame[] = [];
  let pos = 0;
  while (pos + HEADER <= buf.length) {
    if (buf.readUInt32LE(pos) !== MAGIC) break;
    const len = buf.readUInt32LE(pos + 4);
    const end = pos + HEADER + len;
    if (end > buf.length) break;
    if (crc32(buf.subarray(pos + 12, end)) !== buf.readUInt32LE(pos + 8)) break;
    frames.push({ kind: buf[pos + 12]!, payload: buf.subarray(pos + HEADER, end) });
    pos = end;
  }
  return { frames, validBytes: pos };
}
