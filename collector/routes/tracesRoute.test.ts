import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { CollectorMetrics } from '../CollectorMetrics.js';
import { HttpError, isHttpError } from '../../http/HttpError.js';
import { QueueFullError, StoreUnavailableError } from '../ingest/errors.js';
import type { IngestQueue } from '../ingest/IngestQueue.js';
import { handleOtlp, ingestErrorToHttp, sendOtlpError } from './otlpRoute.js';
import { tracesSignal } from './tracesRoute.js';

const servers: Server[] = [];
afterEach(async () => {
  for (const s of servers.splice(0)) await new Promise((res) => s.close(res));
});

/** A server that answers /v1/traces like the collector does, over a queue whose submit fails with `err`. */
async function serverRefusingWith(err: unknown): Promise<string> {
  const queue = { canAdmit: () => true, storeHealthy: true, submit: () => Promise.reject(err) } as unknown as IngestQueue;
  const metrics = new CollectorMetrics(() => ({ queueSpans: 0, queueBytes: 0, spoolBytes: 0, inflightBodyBytes: 0 }));
  const body = { maxBytes: 1 << 20, maxDecompressedBytes: 1 << 20, budget: { reserve: () => true, release: () => undefined } };
  const server = createServer((req, res) => {
    handleOtlp(tracesSignal, req, res, { queue, metrics, body, retryAfterSeconds: 1, storesSignals: true }).catch((e: unknown) => {
      sendOtlpError(res, 'json', isHttpError(e) ? e : new HttpError(500, 'internal error', { cause: e }));
    });
  });
  servers.push(server);
  await new Promise<void>((res) => server.listen(0, '127.0.0.1', res));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1/traces`;
}

function otlpJson(): string {
  const ns = String(BigInt(Date.now()) * 1_000_000n);
  const span = { traceId: 'ab'.repeat(16), spanId: 'cd'.repeat(8), name: 'op', kind: 1, startTimeUnixNano: ns, endTimeUnixNano: ns };
  return JSON.stringify({ resourceSpans: [{ resource: { attributes: [] }, scopeSpans: [{ spans: [span] }] }] });
}

async function post(url: string): Promise<{ status: number; retryAfter: string | null; body: unknown }> {
  const r = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: otlpJson() });
  return { status: r.status, retryAfter: r.headers.get('retry-after'), body: await r.json() };
}

describe('ingestErrorToHttp', () => {
  it('turns a full queue into 429 with Retry-After and the QUEUE_FULL code', () => {
    const e = ingestErrorToHttp(new QueueFullError(3));
    expect(e).toBeInstanceOf(HttpError);
    expect(e).toMatchObject({ statusCode: 429, code: 'QUEUE_FULL', message: 'ingest queue is full; retry later', headers: { 'retry-after': '3' } });
  });

  it('turns an unavailable store into 503 with Retry-After and the STORE_UNAVAILABLE code', () => {
    const e = ingestErrorToHttp(new StoreUnavailableError('the spool could not persist the request', 8));
    expect(e).toMatchObject({ statusCode: 503, code: 'STORE_UNAVAILABLE', message: 'the spool could not persist the request', headers: { 'retry-after': '8' } });
  });

  it('returns any other error unchanged', () => {
    const other = new Error('boom');
    expect(ingestErrorToHttp(other)).toBe(other);
  });
});

describe('handleOtlp(tracesSignal)', () => {
  it('answers 429 with Retry-After and an OTLP status body when the queue is full', async () => {
    const r = await post(await serverRefusingWith(new QueueFullError(2)));
    expect(r.status).toBe(429);
    expect(r.retryAfter).toBe('2');
    expect(r.body).toEqual({ code: 8, message: 'ingest queue is full; retry later' });
  });

  it('answers 503 with Retry-After and an OTLP status body when the store is down', async () => {
    const r = await post(await serverRefusingWith(new StoreUnavailableError('the store is not accepting writes and the spool is full or disabled', 4)));
    expect(r.status).toBe(503);
    expect(r.retryAfter).toBe('4');
    expect(r.body).toEqual({ code: 14, message: 'the store is not accepting writes and the spool is full or disabled' });
  });
});
