import { lstat, mkdir, readdir, unlink, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import { cutBackTo, openDurableAppend, writeFramesDurably } from './durableFile.js';
import { encodeFrame } from './frameFormat.js';

export interface WriteAheadLogOptions {
  dir: string;
  /** Roll over to a new file at this size, so committed files are deleted soon. */
  maxFileBytes?: number;
}

interface LogFile {
  seq: number;
  fh: FileHandle | null;
  size: number;
  /** Frames fsynced into the file. */
  frames: number;
  /** Of those, frames whose spans the store has committed. */
  committed: number;
}

interface PendingAppend {
  frame: Buffer;
  resolve: (seq: number) => void;
  reject: (err: unknown) => void;
}

const FILE_RE = /^collector-wal-(\d{12})\.bin$/;

/**
 * The collector's write-ahead log for requests whose spans are held in memory until the store
 * commits them: a request is acknowledged once its body is appended and fsynced here (group
 * commit, the spool's frame format), and a file is deleted once it is complete and every frame
 * in it was committed. Files still here after a crash, or after a failed store transaction
 * (`handOver`), are moved into the spool's backlog and replayed; replays are idempotent.
 */
export class WriteAheadLog {
  readonly dir: string;
  private readonly maxFileBytes: number;
  private nextSeq = 0;
  private current: LogFile | null = null;
  /** Complete files not yet fully committed, by seq. */
  private readonly sealed = new Map<number, LogFile>();
  private queue: PendingAppend[] = [];
  private flushing: Promise<void> | null = null;
  private closed = false;

  private constructor(opts: WriteAheadLogOptions) {
    this.dir = opts.dir;
    this.maxFileBytes = opts.maxFileBytes ?? 8 * 1024 * 1024;
  }

  /** Files a previous process left in `dir` (oldest first): hand them to `Spool.adopt` before opening. */
  static async leftovers(dir: string): Promise<string[]> {
    return (await WriteAheadLog.entries(dir)).map((e) => e.path);
  }

  private static async entries(dir: string): Promise<{ path: string; seq: number }[]> {
    let names: string[];
    try {
      names = await readdir(dir);
    } catch {
      return [];
    }
    return names
      .filter((n) => FILE_RE.test(n))
      .sort()
      .map((n) => ({ path: join(dir, n), seq: Number(FILE_RE.exec(n)![1]) }));
  }

  /** Opens an empty log in `dir` (creating it); call after the leftovers were adopted. */
  static async open(opts: WriteAheadLogOptions): Promise<WriteAheadLog> {
    await mkdir(opts.dir, { recursive: true });
    const log = new WriteAheadLog(opts);
    const left = await WriteAheadLog.entries(opts.dir);
    let files = 0;
    for (const e of left) {
      // An entry the spool could not move (reported there) is left alone; new files are numbered past it.
      log.nextSeq = Math.max(log.nextSeq, e.seq + 1);
      if ((await lstat(e.path).catch(() => null))?.isFile()) files++;
    }
    if (files > 0) throw new Error(`write-ahead log ${opts.dir} still holds ${files} file(s); adopt them first`);
    return log;
  }

  /** Bytes in files not yet deleted. */
  get sizeBytes(): number {
    let n = this.current?.size ?? 0;
    for (const f of this.sealed.values()) n += f.size;
    return n;
  }

  /** Appends one frame; resolves with the file's seq once it is fsynced (concurrent appends share one fsync). */
  append(kind: number, payload: Buffer): Promise<number> {
    if (this.closed) return Promise.reject(new Error('write-ahead log is closed'));
    const frame = encodeFrame(kind, payload);
    return new Promise<number>((resolve, reject) => {
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
        let cur: LogFile | null = null;
        try {
          cur = await this.currentFile();
          await writeFramesDurably(cur.fh!, batch.map((p) => p.frame), total, 'the write-ahead log');
        } catch (err) {
          if (cur) await this.abandon(cur);
          for (const p of batch) p.reject(err);
          continue;
        }
        cur.size += total;
        cur.frames += batch.length;
        for (const p of batch) p.resolve(cur.seq);
        if (cur.size >= this.maxFileBytes) await this.seal().catch(() => undefined);
      }
    } finally {
      this.flushing = null;
    }
  }

  private async currentFile(): Promise<LogFile> {
    if (this.current) return this.current;
    const seq = this.nextSeq++;
    const fh = await openDurableAppend(this.path(seq), this.dir);
    this.current = { seq, fh, size: 0, frames: 0, committed: 0 };
    return this.current;
  }

  /**
   * After a failed write or fsync: the file may end in part of the failed batch, and after a failed
   * fsync the state of its unsynced pages is unknown. Cut it back to its acknowledged frames and
   * never append to it again, so no later frame sits behind a torn one (replay stops there).
   */
  private async abandon(cur: LogFile): Promise<void> {
    if (this.current !== cur) return;
    await cutBackTo(cur.fh!, cur.size);
    await this.seal().catch(() => undefined);
  }

  private async seal(): Promise<void> {
    const cur = this.current;
    if (!cur) return;
    this.current = null;
    await cur.fh!.close();
    cur.fh = null;
    this.sealed.set(cur.seq, cur);
    await this.deleteIfDone(cur);
  }

  private async deleteIfDone(f: LogFile): Promise<void> {
    if (f.fh !== null || f.committed < f.frames || !this.sealed.has(f.seq)) return;
    this.sealed.delete(f.seq);
    await unlink(this.path(f.seq)).catch(() => undefined);
  }

  /** Records that the store committed the spans of `frames` frames of file `seq` (unknown seqs are ignored). */
  async markCommitted(seq: number, frames = 1): Promise<void> {
    const f = this.current?.seq === seq ? this.current : this.sealed.get(seq);
    if (!f) return;
    f.committed += frames;
    await this.deleteIfDone(f);
  }

  /**
   * After a failed store transaction: waits for appends in flight, closes the active file and
   * returns the paths of every file not yet deleted (for `Spool.adopt`). The log keeps going
   * with new files; the caller drops the spans it held for the handed-over frames.
   */
  async handOver(): Promise<string[]> {
    while (this.flushing) await this.flushing;
    await this.seal();
    const paths = [...this.sealed.keys()].sort((a, b) => a - b).map((seq) => this.path(seq));
    this.sealed.clear();
    return paths;
  }

  /**
   * Stops accepting appends and closes the active file; fully committed files are deleted and
   * the rest stay on disk, to be adopted by the next start.
   */
  async close(): Promise<void> {
    this.closed = true;
    while (this.flushing) await this.flushing;
    await this.seal();
  }

  private path(seq: number): string {
    return join(this.dir, `collector-wal-${String(seq).padStart(12, '0')}.bin`);
  }
}
