import { describe, expect, it } from 'vitest';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { openStore } from '../store/index.js';
import { childCollectorFixture, freshBatch, post, protoTemplate, spawnCollector, stopChild } from './collectorHelpers.js';

const fx = childCollectorFixture('ap-collector-crash-');
const { children } = fx;

async function storedIds(db: string): Promise<Set<string>> {
  const store = await openStore(db, { readOnly: true });
  try {
    const rows = await store.query('SELECT span_id FROM spans');
    return new Set(rows.map((r) => r.span_id as string));
  } finally {
    await store.close();
  }
}

describe('collector crash safety', () => {
  it('loses no acknowledged span when killed with SIGKILL mid-stream, committed or spooled', async () => {
    const db = join(fx.dir, 'crash.duckdb');
    // A small queue forces part of the stream through the fsynced spool, so both durability paths are crossed by the kill.
    const first = await spawnCollector(db, { maxQueueSpans: 256, maxBatchSpans: 256 });
    children.push(first);
    const template = protoTemplate(64);
    const acked: string[] = [];
    let seq = 0;
    let stop = false;
    const deadline = Date.now() + 15_000;
    const client = async () => {
      while (!stop && Date.now() < deadline) {
        const { body, ids } = freshBatch(template, seq++);
        const r = await post(`${first.url}/v1/traces`, body, { 'content-type': 'application/x-protobuf' });
        if (r.status === 200) acked.push(...ids);
        else if (r.status === 0) return; // the collector is gone
        else await new Promise((res) => setTimeout(res, 10));
      }
    };
    const clients = Array.from({ length: 6 }, client);
    // Kill once a good number of batches was acknowledged (bounded in time either way).
    while (acked.length < 64 * 150 && Date.now() < deadline) await new Promise((res) => setTimeout(res, 20));
    first.child.kill('SIGKILL');
    await new Promise((res) => first.child.once('exit', res));
    stop = true;
    await Promise.all(clients);
    expect(acked.length).toBeGreaterThan(0);
    const spoolFiles = readdirSync(`${db}.spool`).filter((n) => n.startsWith('collector-wal-'));

    const second = await spawnCollector(db);
    children.push(second);
    // Wait for the start-up replay of the spool.
    const until = Date.now() + 30_000;
    for (;;) {
      const h = (await (await fetch(`${second.url}/healthz`)).json()) as { spoolBytes: number; queueSpans: number };
      if ((h.spoolBytes === 0 && h.queueSpans === 0) || Date.now() > until) break;
      await new Promise((res) => setTimeout(res, 50));
    }
    await stopChild(second.child);
    const stored = await storedIds(db);
    const missing = acked.filter((id) => !stored.has(id));
    console.log(JSON.stringify({ acked: acked.length, spoolFilesAtKill: spoolFiles.length }));
    expect(missing).toEqual([]);
  });
});
