/**
 * Writer thread for the embedded exporter: owns the DuckDB connection so that store
 * writes never run on the host application's event loop.
 */
import { readlinkSync } from 'node:fs';
import { setPriority } from 'node:os';
import { parentPort, workerData } from 'node:worker_threads';
import { DuckDbStore } from '../store/DuckDbStore.js';
import { isStoreLocked } from '../store/errors.js';
import { readLockHolder } from '../store/lockHolder.js';
import { listSpoolSegments, spoolDirFor, writeSpoolSegment } from '../store/spool.js';
import type { SpanRecord } from '../store/types.js';
import { sendToHolder } from './holderExport.js';
import { decodeSpanBatch } from './spanCodec.js';
import { WRITER_CLOSED, WRITER_STATE } from './writerProtocol.js';
import type { WorkerToMain, MainToWorker, WriterWorkerData } from './writerProtocol.js';

const data = workerData as WriterWorkerData;
/**
 * How long a holder may take to acknowledge a batch before it is spooled instead. Well under the
 * host's exit-flush deadline (AGENTPULSE_EXIT_FLUSH_TIMEOUT_MS, 5 s by default), so a batch sent at
 * exit is still spooled in time when the holder hangs.
 */
const HOLDER_TIMEOUT_MS = 2000;

/**
 * With `writerNice` > 0 (opt-in), on Linux, lower this thread's (and only this thread's)
 * scheduling priority, so the host's own threads get a busy core first. Off by default: it
 * showed no gain in the instrumentation bench, and on a loaded machine a starved writer can miss
 * the exit-flush deadline (its spans then wait in the spool for the next writer).
 */
function lowerWriterPriority(): void {
  if (process.platform !== 'linux' || data.writerNice <= 0) return;
  try {
    const tid = Number(readlinkSync('/proc/thread-self').split('/').pop());
    if (Number.isInteger(tid) && tid > 0) setPriority(tid, data.writerNice);
  } catch {
    /* not permitted or not available: run at the host's priority */
  }
}
lowerWriterPriority();
const counters = new Int32Array(data.shared);
const spoolDir = spoolDirFor(data.dbPath);
let store: DuckDbStore | null = null;
let idleTimer: NodeJS.Timeout | undefined;
let lockedNoticeSent = false;
/** The holder URL last reported as taking our spans (null: none, or it stopped taking them). */
let holderNoticeSent: string | null = null;
let lockedPid: number | null = null;
let errorNoticeSent = false;
let chain: Promise<void> = Promise.resolve();
/** Set once the host asked to shut down: no more opens or retries, so no native call is in flight at exit. */
let stopping = false;

function post(msg: WorkerToMain): void {
  parentPort!.postMessage(msg);
}

async function openStore(): Promise<DuckDbStore | null> {
  if (store) return store;
  if (stopping) return null;
  try {
    // One DuckDB thread, and a bounded buffer pool: the host application keeps the other cores and its memory.
    store = await DuckDbStore.open(data.dbPath, { threads: 1, memoryLimit: data.memoryLimit });
    if (lockedNoticeSent) post({ type: 'notice', level: 'info', message: `agentpulse: ${data.dbPath} is free again; spooled spans were ingested` });
    lockedNoticeSent = false;
    holderNoticeSent = null;
    return store;
  } catch (err) {
    if (isStoreLocked(err)) {
      lockedPid = err.holderPid;
      return null;
    }
    throw err;
  }
}

/** Says once that spans are spooled because the file is locked and nobody serving it answered. */
function noticeSpooling(why: string): void {
  if (lockedNoticeSent) return;
  lockedNoticeSent = true;
  post({
    type: 'notice',
    level: 'warn',
    message:
      `agentpulse: ${data.dbPath} is locked by another process${lockedPid ? ` (PID ${lockedPid})` : ''}${why}; ` +
      `spans are spooled to ${spoolDir}/ and will be ingested automatically when the database is free ` +
      '(or run `agentpulse ingest-spool`). Nothing is lost.',
  });
}

/**
 * The file is locked: hand the batch to the process that holds it and serves it, when one is
 * advertised beside the file. False when there is none or it did not acknowledge (then spool).
 */
async function sendToLockHolder(spans: SpanRecord[]): Promise<boolean> {
  const holder = readLockHolder(data.dbPath);
  if (!holder) return false;
  const r = await sendToHolder(holder.url, spans, { token: process.env.AGENTPULSE_TOKEN || undefined, timeoutMs: HOLDER_TIMEOUT_MS });
  if (r.ok) {
    if (holderNoticeSent !== holder.url) {
      holderNoticeSent = holder.url;
      lockedNoticeSent = false;
      post({ type: 'notice', level: 'info', message: `agentpulse: ${data.dbPath} is held by \`${holder.command}\` (PID ${holder.pid}); spans go to it at ${holder.url}` });
    }
    return true;
  }
  holderNoticeSent = null;
  noticeSpooling(`; \`${holder.command}\` at ${holder.url} did not take the spans (${r.reason})`);
  return false;
}

async function closeStore(options?: { maintain?: boolean }): Promise<void> {
  const s = store;
  store = null;
  if (s) await s.close(options);
}

function scheduleIdleClose(): void {
  clearTimeout(idleTimer);
  idleTimer = setTimeout(() => {
    chain = chain.then(() => closeStore()).catch(() => undefined);
  }, data.idleCloseMs);
}

async function write(spans: SpanRecord[]): Promise<void> {
  try {
    // A known serving holder takes the batch without another attempt at the lock (one try per batch).
    const holderFirst = !store && readLockHolder(data.dbPath) !== null;
    if (holderFirst && (await sendToLockHolder(spans))) return;
    const s = await openStore();
    if (s) {
      await s.writeBatch(spans);
      scheduleIdleClose();
      return;
    }
    if (!holderFirst && (await sendToLockHolder(spans))) return;
    if (!stopping) noticeSpooling('');
  } catch (err) {
    // A failing store (full disk, corrupt file) must not lose the batch: spool it and say so once.
    if (!errorNoticeSent) {
      errorNoticeSent = true;
      post({
        type: 'notice',
        level: 'error',
        message: `agentpulse: writing to ${data.dbPath} failed (${err instanceof Error ? err.message : String(err)}); spans are spooled to ${spoolDir}/`,
      });
    }
    await closeStore().catch(() => undefined);
  }
  writeSpoolSegment(spoolDir, spans);
}

/** While spooling, keep trying to get the file; once we hold it, pick up everyone's spool. */
async function retrySpool(): Promise<void> {
  if (listSpoolSegments(spoolDir).length === 0) return;
  // A serving holder ingests `<db>.spool/` itself (collector/startCollector.ts); no need to fight for the lock.
  if (!store && readLockHolder(data.dbPath)) return;
  try {
    const s = await openStore();
    if (s) {
      await s.ingestSpool();
      scheduleIdleClose();
    }
  } catch {
    /* retried on the next tick */
  }
}

const retryTimer = setInterval(() => {
  if (!stopping) chain = chain.then(retrySpool);
}, data.lockRetryMs);
retryTimer.unref();

/** Messages that arrived while the previous transaction ran are committed together, up to this many. */
const MAX_GROUP_MESSAGES = 64;
/**
 * The host posts one export as several small slices over a few event-loop turns; waiting
 * this long before the first transaction lets them share it (each transaction has a fixed
 * cost: probe, appenders, commit), which halves the writer's CPU per span at small batches.
 */
const COALESCE_MS = 10;
const queue: { seq: number; payload: Uint8Array }[] = [];
let draining = false;

/** Decodes and writes queued batches, several per transaction when the writer is behind; acks cumulatively. */
async function drainQueue(): Promise<void> {
  await new Promise((resolve) => setTimeout(resolve, COALESCE_MS));
  while (queue.length > 0) {
    const group = queue.splice(0, MAX_GROUP_MESSAGES);
    let spans: SpanRecord[] = [];
    for (const m of group) {
      try {
        const decoded = decodeSpanBatch(m.payload);
        if (spans.length === 0) spans = decoded;
        else for (const s of decoded) spans.push(s);
      } catch (err) {
        post({ type: 'notice', level: 'error', message: `agentpulse: dropped a batch it could not decode: ${err instanceof Error ? err.message : String(err)}` });
      }
    }
    try {
      if (spans.length > 0) await write(spans);
    } catch (err) {
      post({ type: 'notice', level: 'error', message: `agentpulse: dropped a batch it could not write or spool: ${err instanceof Error ? err.message : String(err)}` });
    }
    const last = group[group.length - 1].seq;
    Atomics.store(counters, 1, last);
    Atomics.notify(counters, 1);
    post({ type: 'ack', seq: last, spans: spans.length });
  }
  draining = false;
}

parentPort!.on('message', (msg: MainToWorker) => {
  if (msg.type === 'batch') {
    queue.push({ seq: msg.seq, payload: msg.payload });
    if (!draining) {
      draining = true;
      chain = chain.then(drainQueue);
    }
  } else if (msg.type === 'interrupt') {
    // The host's exit deadline passed while a statement ran. What it was writing is already in the
    // spool (the host wrote it there), so cancel it: the chain then closes the store promptly.
    stopping = true;
    store?.interrupt();
  } else if (msg.type === 'shutdown') {
    // Queued batches are still written (the chain runs them first); nothing new is started after.
    stopping = true;
    clearInterval(retryTimer);
    chain = chain.then(async () => {
      clearTimeout(idleTimer);
      // The host is exiting against a deadline: rollup maintenance is left to the next writer, so
      // that no native DuckDB call is still running when the process ends (that aborts it).
      await closeStore({ maintain: false }).catch(() => undefined);
      // The host may be blocked in an exit handler waiting on this slot rather than on messages.
      Atomics.store(counters, WRITER_STATE, WRITER_CLOSED);
      Atomics.notify(counters, WRITER_STATE);
      post({ type: 'closed' });
    });
  }
});
