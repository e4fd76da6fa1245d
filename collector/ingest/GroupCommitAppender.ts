import type { FileHandle } from 'node:fs/promises';
import { unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { cutBackTo, openDurableAppend, writeFramesDurably } from './durableFile.js';
import { encodeFrame } from '../../store/frameFormat.js';

/** Names of the segment files of the spool and the write-ahead log: `collector-wal-<12-digit seq>.bin`. */
export const SEGMENT_FILE_RE = /^collector-wal-(\d{12})\.bin$/;

/** The path of segment `seq` in `dir`. */
export function segmentPath(dir: string, seq: number): string {
  return join(dir, `collector-wal-${String(seq).padStart(12, '0')}.bin`);
}

/** One segment file as its owner tracks it: the appender keeps `size` and `frames` up to date. */
export interface Segment {
  readonly seq: number;
  /** Bytes fsynced (acknowledged) into the file. */
  size: number;
  /** Frames fsynced into the file. */
  frames: number;
}

export interface GroupCommitAppenderOptions<S extends Segment> {
  dir: string;
  /** Roll over to a new segment once one holds this many bytes. */
  maxFileBytes: number;
  /** Names the log in errors, e.g. 'the spool'. */
  what: string;
  /** The owner's record for a new segment (size and frames 0). */
  newSegment(seq: number): S;
  /** A segment was closed (rolled over, abandoned after a failure, or sealed on request). */
  onSealed(segment: S): Promise<void>;
  /** A group is durable in `segment` (called before any of its appends resolve). */
  onDurable?(segment: S, bytes: number): void;
  /** A group of `bytes` failed and was not acknowledged (called before its appends reject). */
  onFailed?(bytes: number): void;
}

interface PendingAppend<S> {
  frame: Buffer;
  resolve: (segment: S) => void;
  reject: (err: unknown) => void;
}

/**
 * Appends framed records to numbered segment files with group commit: appends that arrive while a
 * write is running are written together with one writev and one fdatasync, and each resolves only
 * once its frame is on disk. A short write (a full disk) or a failed fsync rejects the whole group;
 * the file is then cut back to its acknowledged frames and never appended to again, so no later
 * frame sits behind a torn one. Shared by the spool and the write-ahead log.
 * @example
 * const log = new GroupCommitAppender({ dir, maxFileBytes: 8 << 20, what: 'the log', newSegment: (seq) => ({ seq, size: 0, frames: 0 }), onSealed: async () => {} });
 * const segment = await log.append(1, body); // fsynced into segment.seq
 */
export class GroupCommitAppender<S extends Segment> {
  private nextSeq = 0;
  private current: { segment: S; fh: FileHandle } | null = null;
  private queue: PendingAppend<S>[] = [];
  private flushing: Promise<void> | null = null;
  private sealWaiters: (() => void)[] = [];

  constructor(private readonly opts: GroupCommitAppenderOptions<S>) {}

  /** The segment being appended to, if one is open. */
  get active(): S | null {
    return this.current?.segment ?? null;
  }

  /** Takes a sequence number for a new segment (or for a file moved in, as `Spool.adopt` does). */
  takeSeq(): number {
    return this.nextSeq++;
  }

  /** New segments are numbered past `seq` (a file already in the directory). */
  skipPast(seq: number): void {
    this.nextSeq = Math.max(this.nextSeq, seq + 1);
  }

  path(seq: number): string {
    return segmentPath(this.opts.dir, seq);
  }

  /** Appends one frame; resolves with its segment once it is fsynced (concurrent appends share one fsync). */
  append(kind: number, payload: Buffer): Promise<S> {
    const frame = encodeFrame(kind, payload);
    return new Promise<S>((resolve, reject) => {
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
        let cur: { segment: S; fh: FileHandle } | null = null;
        let ok = false;
        try {
          cur = await this.currentFile();
          await writeFramesDurably(cur.fh, batch.map((p) => p.frame), total, this.opts.what);
          ok = true;
        } catch (err) {
          this.opts.onFailed?.(total);
          if (cur) await this.abandon(cur);
          for (const p of batch) p.reject(err);
        }
        if (ok && cur) {
          const { segment } = cur;
          segment.size += total;
          segment.frames += batch.length;
          this.opts.onDurable?.(segment, total);
          for (const p of batch) p.resolve(segment);
          if (segment.size >= this.opts.maxFileBytes) await this.seal().catch(() => undefined);
        }
        // Sealing between groups keeps a steady stream of appends from starving a reader.
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

  private async currentFile(): Promise<{ segment: S; fh: FileHandle }> {
    if (this.current) return this.current;
    const seq = this.takeSeq();
    const fh = await openDurableAppend(this.path(seq), this.opts.dir);
    this.current = { segment: this.opts.newSegment(seq), fh };
    return this.current;
  }

  /**
   * After a failed write or fsync: the file may end in part of the failed group, and after a failed
   * fsync the state of its unsynced pages is unknown. Cut it back to its acknowledged frames and
   * never append to it again, so no later frame sits behind a torn one (replay stops there).
   */
  private async abandon(cur: { segment: S; fh: FileHandle }): Promise<void> {
    if (this.current !== cur) return;
    await cutBackTo(cur.fh, cur.segment.size);
    await this.seal().catch(() => undefined);
  }

  /** Closes the active segment (the owner hears of it through `onSealed`); new appends go to a new one. */
  async seal(): Promise<void> {
    const cur = this.current;
    if (!cur) return;
    this.current = null;
    await cur.fh.close();
    await this.opts.onSealed(cur.segment);
  }

  /** Seals the active segment at a group boundary: appends in flight finish first, so it holds whole, acknowledged frames. */
  async sealAfterGroup(): Promise<void> {
    if (this.flushing) await new Promise<void>((resolve) => this.sealWaiters.push(resolve));
    else await this.seal();
  }

  /** Waits for every append in flight to settle, then seals the active segment. */
  async settleAndSeal(): Promise<void> {
    await this.settled();
    await this.seal();
  }

  /** Waits for every append in flight to settle. */
  async settled(): Promise<void> {
    while (this.flushing) await this.flushing;
  }

  /**
   * Waits for appends in flight, then closes the active segment without sealing it (it stays on
   * disk for the next start; an empty one is removed). Call once the owner accepts no more appends.
   */
  async close(): Promise<void> {
    await this.settled();
    const cur = this.current;
    if (!cur) return;
    this.current = null;
    await cur.fh.close();
    if (cur.segment.size === 0) await unlink(this.path(cur.segment.seq)).catch(() => undefined);
  }
}
