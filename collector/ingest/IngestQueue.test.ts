import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { makeSpan } from '../../test/spanFactory.js';
import { DuckDbStore } from '../../store/DuckDbStore.js';
import type { SpanRecord } from '../../store/types.js';
import { CollectorMetrics } from '../CollectorMetrics.js';
import { QueueFullError, StoreUnavailableError } from './errors.js';
import { IngestQueue, type SpanSink } from './IngestQueue.js';
import { Spool } from './Spool.js';
import { WriteAheadLog } from './WriteAheadLog.js';

const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const f of cleanups.splice(0).reverse()) await f();
});

const sleep = (ms: number) => new Promise<void>((res) => setTimeout(res, ms));
function gate(): { wait: Promise<void>; open: () => void } {
  let open!: () => void;
  const wait = new Promise<void>((res) => (open = res));
  return { wait, open };
}

/** A queue in write-ahead mode over a real store whose next COMMIT can be made to fail. */
async function setup() {
  const dir = mkdtempSync(join(tmpdir(), 'ap-ingest-'));
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  const store = await DuckDbStore.open(join(dir, 'q.duckdb'));
  cleanups.push(() => store.close());
  const conn = store.connection as unknown as { run: (sql: string, ...rest: unknown[]) => Promise<unknown> };
  const realRun = conn.run.bind(conn);
  const fault = { commit: false };
  conn.run = (sql: string, ...rest: unknown[]) => {
    if (sql === 'COMMIT' && fault.commit) {
      fault.commit = false;
      return Promise.reject(new Error('IO Error: No space left on device'));
    }
    return realRun(sql, ...rest);
  };
  const spool = await Spool.open({ dir: join(dir, 'spool'), maxBytes: 1 << 24 });
  const wal = await WriteAheadLog.open({ dir: join(spool.dir, 'live') });
  const bodies = new Map<string, SpanRecord[]>();
  const decode = (_k: number, p: Buffer) => ({ spans: bodies.get(p.toString()) ?? [], logs: [], points: [] });
  const metrics = new CollectorMetrics(() => ({ queueSpans: 0, queueBytes: 0, spoolBytes: 0, inflightBodyBytes: 0 }));
  const errors: string[] = [];
  const queue = new IngestQueue(store, spool, decode, metrics, {
    maxQueueSpans: 10_000, maxQueueBytes: 1 << 24, maxBatchSpans: 1_000, retryAfterSeconds: 1,
    commitSpans: 1_000_000, maxCommitDelayMs: 60_000, onError: (e, c) => errors.push(`${c}: ${String(e)}`),
  }, wal);
  let n = 0;
  const request = (count: number) => {
    const key = `req-${n++}`;
    const spans = Array.from({ length: count }, () => makeSpan());
    bodies.set(key, spans);
    return { spans, raw: { kind: 1, payload: Buffer.from(key) } };
  };
  return { dir, store, spool, wal, queue, fault, request, errors };
}

async function storedIds(store: DuckDbStore): Promise<Set<string>> {
  return new Set((await store.query('SELECT span_id FROM spans')).map((r) => String(r.span_id)));
}

describe('IngestQueue in write-ahead mode', () => {
  it('a request logged while a failed transaction is handed to the spool is still written, and close does not hang', async () => {
    const { store, spool, wal, queue, fault, request } = await setup();
    const a = request(3);
    expect(await queue.submit(a.spans, a.raw)).toBe('logged');
    // B passes admission before the failure; its frame is fsynced while the hand-over runs.
    const appendGate = gate();
    const realAppend = wal.append.bind(wal);
    wal.append = async (k, p) => {
      await appendGate.wait;
      return realAppend(k, p);
    };
    const adoptGate = gate();
    let adopting = false;
    const realAdopt = spool.adopt.bind(spool);
    spool.adopt = async (files) => {
      adopting = true;
      await adoptGate.wait;
      return realAdopt(files);
    };
    const b = request(2);
    const bDone = queue.submit(b.spans, b.raw);
    fault.commit = true;
    await expect(store.commitStaged()).rejects.toThrow(/No space/);
    while (!adopting) await sleep(5);
    appendGate.open();
    expect(await bDone).toBe('logged');
    adoptGate.open();
    const closed = await Promise.race([queue.close().then(() => 'closed'), sleep(3_000).then(() => 'hung')]);
    expect(closed).toBe('closed');
    await wal.close();
    // B was acknowledged: committed now, or its log file left for the next start.
    const stored = await storedIds(store);
    const left = await WriteAheadLog.leftovers(wal.dir);
    expect(b.spans.every((s) => stored.has(s.spanId)) || left.length > 0).toBe(true);
    await spool.close();
  });

  it('a failed COMMIT hands every acknowledged, uncommitted frame to the spool and replays it', async () => {
    const { store, spool, wal, queue, fault, request } = await setup();
    const committed = request(4);
    expect(await queue.submit(committed.spans, committed.raw)).toBe('logged');
    await store.commitStaged(); // the first request is committed; its log file stays (not complete)
    const lost = [request(3), request(5)];
    for (const r of lost) expect(await queue.submit(r.spans, r.raw)).toBe('logged');
    await sleep(20);
    fault.commit = true;
    await expect(store.commitStaged()).rejects.toThrow(/No space/);
    expect(await queue.drain(20_000)).toBe(true);
    const stored = await storedIds(store);
    for (const r of [committed, ...lost]) for (const s of r.spans) expect(stored.has(s.spanId)).toBe(true);
    expect(stored.size).toBe(12);
    expect(spool.sizeBytes).toBe(0);
    await queue.close();
    await wal.close();
    expect(await WriteAheadLog.leftovers(wal.dir)).toEqual([]);
    await spool.close();
  });

  it('a request without spans settles (its log frame does not pin the file) and drain completes', async () => {
    const { queue, wal, spool, request } = await setup();
    const a = request(2);
    expect(await queue.submit(a.spans, a.raw)).toBe('logged');
    expect(await queue.drain(5_000)).toBe(true);
    const empty = request(0);
    expect(await queue.submit(empty.spans, empty.raw)).toBe('logged');
    expect(await queue.drain(2_000)).toBe(true);
    await queue.close();
    await wal.close();
    expect(await WriteAheadLog.leftovers(wal.dir)).toEqual([]);
    await spool.close();
  });
});

describe('IngestQueue admission', () => {
  const metrics = () => new CollectorMetrics(() => ({ queueSpans: 0, queueBytes: 0, spoolBytes: 0, inflightBodyBytes: 0 }));
  const opts = { maxQueueSpans: 4, maxQueueBytes: 1 << 20, maxBatchSpans: 100, retryAfterSeconds: 2, onError: () => undefined };
  const raw = { kind: 1, payload: Buffer.from('body') };
  const spans = (n: number) => Array.from({ length: n }, () => makeSpan());

  it('refuses with QueueFullError (carrying Retry-After) when the queue is full and there is no spool', async () => {
    const write = gate();
    const sink: SpanSink = { writeBatch: async (s) => (await write.wait, { inserted: s.length }) };
    const queue = new IngestQueue(sink, null, () => ({ spans: [], logs: [], points: [] }), metrics(), opts);
    const first = queue.submit(spans(3), raw);
    const refused = await queue.submit(spans(3), raw).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(QueueFullError);
    expect(refused).toMatchObject({ code: 'QUEUE_FULL', retryAfterSeconds: 2, message: 'ingest queue is full; retry later' });
    expect(queue.depthSpans).toBe(3);
    write.open();
    expect(await first).toBe('committed');
    await queue.close();
  });

  it('refuses with StoreUnavailableError when the store fails and there is no spool, and while it is backing off', async () => {
    const sink: SpanSink = { writeBatch: () => Promise.reject(new Error('disk on fire')) };
    const queue = new IngestQueue(sink, null, () => ({ spans: [], logs: [], points: [] }), metrics(), opts);
    const failed = await queue.submit(spans(1), raw).catch((e: unknown) => e);
    expect(failed).toBeInstanceOf(StoreUnavailableError);
    expect(failed).toMatchObject({ code: 'STORE_UNAVAILABLE', retryAfterSeconds: 2 });
    expect(queue.storeHealthy).toBe(false);
    expect(queue.canAdmit(10)).toBe(false);
    const next = await queue.submit(spans(1), raw).catch((e: unknown) => e);
    expect(next).toMatchObject({ code: 'STORE_UNAVAILABLE', message: 'the store is not accepting writes and the spool is full or disabled' });
    await queue.close();
    await expect(queue.submit(spans(1), raw)).rejects.toMatchObject({ code: 'STORE_UNAVAILABLE', message: 'collector is shutting down' });
  });
});
