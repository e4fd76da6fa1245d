import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Agent } from 'node:http';
import { ensureBuilt, freshBatch, post, protoTemplate, spawnCollector, stopChild, type ChildCollector, rssMb } from './collectorHelpers.js';

/** Stated bound for the collector's resident memory under overload. */
const RSS_BOUND_MB = 450;
const BATCHES = 300;
const BATCH_SPANS = 256;
const CLIENTS = 24;

let dir: string;
let c: ChildCollector;

beforeAll(async () => {
  ensureBuilt();
  dir = mkdtempSync(join(tmpdir(), 'ap-collector-overload-'));
  // A small queue and spool make the clients outrun the store quickly.
  c = await spawnCollector(join(dir, 'overload.duckdb'), { maxQueueSpans: 2048, maxBatchSpans: 2048, maxSpoolBytes: 512 * 1024, maxInflightBytes: 4 * 1024 * 1024 });
}, 200_000);

afterAll(async () => {
  if (c) await stopChild(c.child, 'SIGKILL');
  rmSync(dir, { recursive: true, force: true });
});

describe('collector under overload', () => {
  it('sheds load with 429/503 + Retry-After, keeps RSS bounded, and stores every retried span afterwards', async () => {
    const template = protoTemplate(BATCH_SPANS);
    const agent = new Agent({ keepAlive: true, maxSockets: CLIENTS });
    const url = `${c.url}/v1/traces`;
    const statuses = new Map<number, number>();
    let missingRetryAfter = 0;
    let acked = 0;
    let next = 0;
    let peakRss = 0;
    const sampler = setInterval(() => (peakRss = Math.max(peakRss, rssMb(c.child.pid!))), 50);
    const deadline = Date.now() + 60_000;
    const client = async () => {
      while (next < BATCHES && Date.now() < deadline) {
        const { body } = freshBatch(template, next++);
        for (;;) {
          const r = await post(url, body, { 'content-type': 'application/x-protobuf' }, agent);
          statuses.set(r.status, (statuses.get(r.status) ?? 0) + 1);
          if (r.status === 200) {
            acked += BATCH_SPANS;
            break;
          }
          if (r.status === 429 || r.status === 503) {
            const ra = Number(r.headers['retry-after']);
            if (!(ra >= 1)) missingRetryAfter++;
          } else if (Date.now() > deadline) {
            break;
          }
          // Honour the hint in spirit but keep the test short: back off a fraction of Retry-After with jitter.
          await new Promise((res) => setTimeout(res, 20 + Math.random() * 80));
          if (Date.now() > deadline) break;
        }
      }
    };
    await Promise.all(Array.from({ length: CLIENTS }, client));
    clearInterval(sampler);
    agent.destroy();
    const shed = (statuses.get(429) ?? 0) + (statuses.get(503) ?? 0);
    console.log(JSON.stringify({ statuses: Object.fromEntries(statuses), peakRssMb: Math.round(peakRss), acked }));
    expect(shed).toBeGreaterThan(0);
    expect(missingRetryAfter).toBe(0);
    expect([...statuses.keys()].filter((s) => ![200, 429, 503].includes(s))).toEqual([]);
    expect(acked).toBe(BATCHES * BATCH_SPANS);
    expect(peakRss).toBeLessThan(RSS_BOUND_MB);
    const until = Date.now() + 30_000;
    let stored = 0;
    while (Date.now() < until) {
      const res = await fetch(`${c.url}/api/sql`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ sql: 'SELECT count(*) FROM spans' }) });
      stored = ((await res.json()) as { rows: [[number]] }).rows[0][0];
      if (stored >= acked) break;
      await new Promise((res) => setTimeout(res, 100));
    }
    expect(stored).toBe(acked);
  });
});
