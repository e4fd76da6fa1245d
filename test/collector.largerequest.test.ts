import { describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { openStore } from '../store/index.js';
import { childCollectorFixture, post, spawnCollector, stopChild } from './collectorHelpers.js';

const fx = childCollectorFixture('ap-large-request-');
const { children } = fx;

// Minimal protobuf writer for ExportTraceServiceRequest (field numbers from opentelemetry-proto).
const varint = (n: number): Buffer => {
  const out: number[] = [];
  while (n > 0x7f) {
    out.push((n & 0x7f) | 0x80);
    n = Math.floor(n / 128);
  }
  out.push(n);
  return Buffer.from(out);
};
const ld = (field: number, body: Buffer): Buffer => Buffer.concat([varint((field << 3) | 2), varint(body.length), body]);
const fixed64 = (field: number, v: bigint): Buffer => {
  const b = Buffer.alloc(9);
  b[0] = (field << 3) | 1;
  b.writeBigUInt64LE(v, 1);
  return b;
};

/** One request of `spans` spans with `attrs` string attributes each (~15 bytes per attribute on the wire). */
function largeRequest(spans: number, attrs: number): { body: Buffer; first: string; last: string } {
  const attrBufs = Array.from({ length: attrs }, (_, k) => ld(9, Buffer.concat([ld(1, Buffer.from(`k${String(k).padStart(2, '0')}`)), ld(2, ld(1, Buffer.from(`v${String(k).padStart(3, '0')}`)))])));
  const attrBlock = Buffer.concat(attrBufs);
  const now = BigInt(Date.now()) * 1_000_000n;
  const spanBufs: Buffer[] = [];
  const traceId = Buffer.alloc(16, 0xab);
  for (let i = 0; i < spans; i++) {
    const id = Buffer.alloc(8);
    id.writeUInt32BE(0x5eed, 0);
    id.writeUInt32BE(i + 1, 4);
    spanBufs.push(ld(2, Buffer.concat([ld(1, traceId), ld(2, id), ld(5, Buffer.from('large')), fixed64(7, now + BigInt(i)), fixed64(8, now + BigInt(i) + 1000n), attrBlock])));
  }
  const body = ld(1, ld(2, Buffer.concat(spanBufs)));
  return { body, first: '00005eed00000001', last: `00005eed${(spans).toString(16).padStart(8, '0')}` };
}

describe('a large but legal OTLP request', () => {
  it('is decoded and stored without stalling /healthz for seconds', async () => {
    const db = join(fx.dir, 'large.duckdb');
    const c = await spawnCollector(db);
    children.push(c);
    const { body, first, last } = largeRequest(10_000, 100); // ~15 MB, 1 000 000 attributes
    expect(body.length).toBeGreaterThan(14 * 1024 * 1024);
    expect(body.length).toBeLessThan(16 * 1024 * 1024);
    let maxGapMs = 0;
    let probes = 0;
    let done = false;
    const poll = (async () => {
      let last = performance.now();
      while (!done) {
        await new Promise<void>((res, rej) => {
          fetch(`${c.url}/healthz`).then((r) => r.arrayBuffer()).then(() => res(), rej);
        });
        const t = performance.now();
        maxGapMs = Math.max(maxGapMs, t - last);
        last = t;
        probes++;
        await new Promise((res) => setTimeout(res, 20));
      }
    })();
    await new Promise((res) => setTimeout(res, 200));
    const started = performance.now();
    const r = await post(`${c.url}/v1/traces`, body, { 'content-type': 'application/x-protobuf' });
    const ackMs = performance.now() - started;
    // Until the spans are committed too: staging and the commit run on the same event loop.
    const until = Date.now() + 60_000;
    for (;;) {
      const h = (await (await fetch(`${c.url}/healthz`)).json()) as { spansWritten: number; queueSpans: number };
      if (h.spansWritten >= 10_000 || Date.now() > until) break;
      await new Promise((res) => setTimeout(res, 50));
    }
    await new Promise((res) => setTimeout(res, 1_200));
    done = true;
    await poll;
    await stopChild(c.child);
    console.log(JSON.stringify({ bytes: body.length, ackMs: Math.round(ackMs), maxGapMs: Math.round(maxGapMs), probes }));
    expect(r.status).toBe(200);
    const s = await openStore(db, { readOnly: true });
    const rows = await s.query('SELECT count(*) AS n, count(*) FILTER (WHERE span_id IN ($a, $b)) AS ends FROM spans', { a: first, b: last });
    await s.close();
    expect(Number(rows[0]!.n)).toBe(10_000);
    expect(Number(rows[0]!.ends)).toBe(2);
    // The failure mode: one request's decode or store write holding the event loop for seconds.
    expect(maxGapMs).toBeLessThan(1_000);
  }, 120_000);
});
