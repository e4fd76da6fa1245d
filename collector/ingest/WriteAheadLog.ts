import { lstat, mkdir, readdir, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { GroupCommitAppender, SEGMENT_FILE_RE, type Segment } from './GroupCommitAppender.js';

export interface WriteAheadLogOptions {
  dir: string;
  /** Roll over to a new file at this size, so committed files are deleted soon. */
  maxFileBytes?: number;
}

interface LogFile extends Segment {
  /** Of its frames, those whose spans the store has committed. */
  committed: number;
}

const FILE_RE = SEGMENT_FILE_RE;

/**
 * The collector's write-ahead log for requests whose spans are held in memory until the store
 * commits them: a request is acknowledged once its body is appended and fsynced here (group
 * commit, the spool's frame format), and a file is deleted once it is complete and every frame
 * in it was committed. Files still here after a crash, or after a failed store transaction
 * (`handOver`), are moved into the spool's backlog and replayed; replays are idempotent.
 */
export class WriteAheadLog {
  readonly dir: string;
  private readonly appender: GroupCommitAppender<LogFile>;
  /** Complete files not yet fully committed, by seq. */
  private readonly sealed = new Map<number, LogFile>();
  private closed = false;

  private constructor(opts: WriteAheadLogOptions) {
    this.dir = opts.dir;
    this.appender = new GroupCommitAppender<LogFile>({
      dir: opts.dir,
      maxFileBytes: opts.maxFileBytes ?? 8 * 1024 * 1024,
      what: 'the write-ahead log',
      newSegment: (seq) => ({ seq, size: 0, frames: 0, committed: 0 }),
      onSealed: async (f) => {
        this.sealed.set(f.seq, f);
        await this.deleteIfDone(f);
      },
    });
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
      log.appender.skipPast(e.seq);
      if ((await lstat(e.path).catch(() => null))?.isFile()) files++;
    }
    if (files > 0) throw new Error(`write-ahead log ${opts.dir} still holds ${files} file(s); adopt them first`);
    return log;
  }

  /** Bytes in files not yet deleted. */
  get sizeBytes(): number {
    let n = this.appender.active?.size ?? 0;
    for (const f of this.sealed.values()) n += f.size;
    return n;
  }

  /** Appends one frame; resolves with the file's seq once it is fsynced (concurrent appends share one fsync). */
  async append(kind: number, payload: Buffer): Promise<number> {
    if (this.closed) throw new Error('write-ahead log is closed');
    return (await this.appender.append(kind, payload)).seq;
  }

  private async deleteIfDone(f: LogFile): Promise<void> {
    if (this.appender.active === f || f.committed < f.frames || !this.sealed.has(f.seq)) return;
    this.sealed.delete(f.seq);
    await unlink(this.path(f.seq)).catch(() => undefined);
  }

  /** Records that the store committed the spans of `frames` frames of file `seq` (unknown seqs are ignored). */
  async markCommitted(seq: number, frames = 1): Promise<void> {
    const active = this.appender.active;
    const f = active?.seq === seq ? active : this.sealed.get(seq);
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
    await this.appender.settleAndSeal();
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
    await this.appender.settleAndSeal();
  }

  private path(seq: number): string {
    return this.appender.path(seq);
  }
}
