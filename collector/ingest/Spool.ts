import { open, mkdir, readdir, rename, stat, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { FRAME_HEADER_BYTES, parseFrames, type ParsedFrames } from '../../store/frameFormat.js';
import { quarantineEntry } from './quarantine.js';
import { syncDirectory } from './durableFile.js';
import { GroupCommitAppender, SEGMENT_FILE_RE, type Segment } from './GroupCommitAppender.js';

export { encodeFrame, parseFrames, type SpoolFrame, type ParsedFrames } from '../../store/frameFormat.js';
export { cutBackTo, openDurableAppend, syncDirectory, writeFramesDurably } from './durableFile.js';

/**
 * Write-ahead spool: request bodies that could not be committed to the store in time
 * are appended here and fsynced before the client is acknowledged, then replayed.
 * Frames are in the format of `frameFormat.ts`; a damaged file is replayed as far as it can
 * be read and then moved to `quarantine/` (never deleted). Files are deleted only after all
 * of their frames were committed to the store.
 */

export interface SpoolOptions {
  dir: string;
  /** Appends are refused once the spool holds this many bytes. */
  maxBytes: number;
  /** Roll over to a new file at this size so replayed files can be deleted early. */
  maxFileBytes?: number;
}

const HEADER = FRAME_HEADER_BYTES;
const FILE_RE = SEGMENT_FILE_RE;

/** An entry the spool could not replay in full: moved to `quarantine/` (or left in place when that failed). */
export interface SpoolProblem {
  path: string;
  movedTo: string | null;
  /** Why: unreadable (with the error) or damaged frames. */
  reason: string;
  framesSkipped: number;
  bytesSkipped: number;
}

/** A spooled file taken for replay: its intact frames and what could not be read. */
export type TakenFile = ParsedFrames & { seq: number };

export class Spool {
  readonly dir: string;
  private readonly maxBytes: number;
  private readonly appender: GroupCommitAppender<Segment>;
  /** Files complete and waiting for replay, oldest first, with their sizes. */
  private readonly sealed: { seq: number; size: number }[] = [];
  private bytes = 0;
  private reserved = 0;
  private closed = false;
  private problems: SpoolProblem[] = [];

  private constructor(opts: SpoolOptions) {
    this.dir = opts.dir;
    this.maxBytes = opts.maxBytes;
    this.appender = new GroupCommitAppender<Segment>({
      dir: opts.dir,
      maxFileBytes: opts.maxFileBytes ?? 32 * 1024 * 1024,
      what: 'the spool',
      newSegment: (seq) => ({ seq, size: 0, frames: 0 }),
      onSealed: async (f) => {
        if (f.size > 0) this.sealed.push({ seq: f.seq, size: f.size });
        else await unlink(this.path(f.seq)).catch(() => undefined);
      },
      onDurable: (_f, bytes) => {
        this.bytes += bytes;
        this.reserved -= bytes;
      },
      onFailed: (bytes) => {
        this.reserved -= bytes;
      },
    });
  }

  /** Opens (creating) the spool directory; files left by a previous process are queued for replay. */
  static async open(opts: SpoolOptions): Promise<Spool> {
    const spool = new Spool(opts);
    await mkdir(opts.dir, { recursive: true });
    const names = (await readdir(opts.dir)).filter((n) => FILE_RE.test(n)).sort();
    for (const name of names) {
      const seq = Number(FILE_RE.exec(name)![1]);
      spool.appender.skipPast(seq);
      const path = join(opts.dir, name);
      let size: number;
      try {
        const st = await stat(path);
        if (!st.isFile()) throw new Error(`${path} is not a regular file`);
        size = st.size;
      } catch (err) {
        await spool.setAside(path, err);
        continue;
      }
      spool.sealed.push({ seq, size });
      spool.bytes += size;
    }
    return spool;
  }

  /** Bytes on disk plus appends accepted but not yet written. */
  get sizeBytes(): number {
    return this.bytes + this.reserved;
  }

  get hasBacklog(): boolean {
    const active = this.appender.active;
    return this.sealed.length > 0 || (active !== null && active.size > 0);
  }

  /** True when a frame with this payload size would fit in the budget. */
  canAccept(payloadBytes: number): boolean {
    return !this.closed && this.sizeBytes + payloadBytes + HEADER <= this.maxBytes;
  }

  /**
   * Appends one frame and resolves once it is fsynced. Concurrent appends share
   * one write + fdatasync (group commit). Rejects when the budget is exhausted.
   */
  async append(kind: number, payload: Buffer): Promise<void> {
    if (!this.canAccept(payload.length)) throw new Error('spool is full');
    this.reserved += HEADER + payload.length;
    await this.appender.append(kind, payload);
  }

  /**
   * Moves files written in this spool's frame format (e.g. a write-ahead log's) into the
   * backlog, after everything already queued for replay. Each rename is atomic, so after a
   * crash a file is in one directory or the other and is found either way.
   */
  async adopt(paths: readonly string[]): Promise<void> {
    if (paths.length === 0) return;
    for (const from of paths) {
      const seq = this.appender.takeSeq();
      const to = this.path(seq);
      try {
        await rename(from, to);
      } catch (err) {
        // Left where it is (the log then starts past its name) and reported; the rest is adopted.
        this.problems.push({ path: from, movedTo: null, reason: `could not be moved into the spool (${messageOf(err)}); skipped`, framesSkipped: 0, bytesSkipped: 0 });
        continue;
      }
      let size: number;
      try {
        const st = await stat(to);
        if (!st.isFile()) throw new Error(`${from} is not a regular file`);
        size = st.size;
      } catch (err) {
        await this.setAside(to, err);
        continue;
      }
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
  async takeOldest(): Promise<TakenFile | null> {
    const active = this.appender.active;
    // Appends in flight finish first, so the sealed file holds whole, acknowledged frames.
    if (this.sealed.length === 0 && active && active.size > 0) await this.appender.sealAfterGroup();
    for (;;) {
      const next = this.sealed[0];
      if (!next) return null;
      let buf: Buffer;
      try {
        buf = await readWhole(this.path(next.seq));
      } catch (err) {
        // One unreadable entry (a directory, a permission problem, a bad sector) must not stop the rest.
        await this.setAside(this.path(next.seq), err);
        this.sealed.shift();
        this.bytes -= next.size;
        continue;
      }
      return { seq: next.seq, ...parseFrames(buf) };
    }
  }

  /** Problems found since the last call (unreadable or damaged entries), for the caller to report. */
  takeProblems(): SpoolProblem[] {
    return this.problems.splice(0);
  }

  /**
   * After the intact frames of a damaged file were committed: moves the file to `quarantine/`
   * instead of deleting it, and records the loss.
   */
  async quarantine(file: TakenFile): Promise<void> {
    if (!this.sealed.some((f) => f.seq === file.seq)) return;
    const path = this.path(file.seq);
    const r = await quarantineEntry(path, this.dir);
    // The spool shrinks only together with the report, so nobody sees it drained without the loss.
    const [f] = this.sealed.splice(this.sealed.findIndex((x) => x.seq === file.seq), 1);
    this.bytes -= f!.size;
    this.problems.push({
      path,
      movedTo: r.movedTo,
      reason: `${file.damagedRegions} damaged stretch(es) skipped, ${file.frames.length} intact frame(s) replayed${r.movedTo ? '' : `; could not move it: ${messageOf(r.error)}`}`,
      framesSkipped: file.damagedFrames,
      bytesSkipped: file.damagedBytes,
    });
  }

  /** Moves an entry that cannot be read into quarantine (or leaves it in place) and records why. */
  private async setAside(path: string, err: unknown): Promise<void> {
    const r = await quarantineEntry(path, this.dir);
    let bytes = 0;
    try {
      const st = await stat(r.movedTo ?? path);
      if (st.isFile()) bytes = st.size;
    } catch {
      /* unknown size */
    }
    this.problems.push({
      path,
      movedTo: r.movedTo,
      reason: `unreadable (${messageOf(err)})${r.movedTo ? '' : `; could not move it, skipped: ${messageOf(r.error)}`}`,
      framesSkipped: 0,
      bytesSkipped: bytes,
    });
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
    await this.appender.close();
  }

  private path(seq: number): string {
    return this.appender.path(seq);
  }
}

function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

async function readWhole(path: string): Promise<Buffer> {
  const fh = await open(path, 'r');
  try {
    return await fh.readFile();
  } finally {
    await fh.close();
  }
}
