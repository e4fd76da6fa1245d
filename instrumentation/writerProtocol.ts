/** Messages between the host thread and the store writer thread. */
/** `payload` is one batch in the binary format of spanCodec.ts. */
/** `interrupt`: the host's exit deadline passed; cancel the running statement so the writer can close. */
export type MainToWorker = { type: 'batch'; seq: number; payload: Uint8Array } | { type: 'shutdown' } | { type: 'interrupt' };

export type WorkerToMain =
  | { type: 'ack'; seq: number; spans: number }
  | { type: 'notice'; level: 'info' | 'warn' | 'error'; message: string }
  | { type: 'closed' };

export interface WriterWorkerData {
  dbPath: string;
  /**
   * Int32Array over this: [0] = last batch seq posted, [1] = last batch seq committed or spooled,
   * [2] = writer state ({@link WRITER_CLOSED} once it has closed the store for good).
   */
  shared: SharedArrayBuffer;
  idleCloseMs: number;
  lockRetryMs: number;
  /** Niceness for the writer thread on Linux (0–19; 0 keeps the host's priority). */
  writerNice: number;
  /** DuckDB memory limit in the writer (AGENTPULSE_WRITER_MEMORY_LIMIT, default '256MiB'). */
  memoryLimit: string;
}

/** Index of the writer-state slot in the shared counters, and its values. */
export const WRITER_STATE = 2;
export const WRITER_RUNNING = 0;
export const WRITER_CLOSED = 1;
