import { afterEach, describe, expect, it } from 'vitest';
import { mkdtempSync, readdirSync, rmSync, appendFileSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect } from 'node:net';
import { Spool, parseFrames } from '../collector/ingest/Spool.js';
import { startCollector, CollectorConfigError, type RunningCollector } from '../collector/index.js';
import { openStore, spoolDirFor, writeSpoolSegment, type DuckDbStore } from '../store/index.js';
import type { SpanRecord } from '../store/types.js';
import { freshBatch, post, protoTemplate } from './collectorHelpers.js';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const f of cleanups.splice(0).reverse()) await f();
});

function tempDir(): string {
  const d = mkdtempSync(join(tmpdir(), 'ap-collector-unit-'));
  cleanups.push(() => rmSync(d, { recursive: true, force: true }));
  return d;
}

async function withCollector(opts: Partial<Parameters<typeof startCollector>[0]> = {}): Promise<{ c: RunningCollector; store: DuckDbStore; dir: string }> {
  const dir = tempDir();
  const store = await openStore(join(dir, 'u.duckdb'));
  cleanups.push(() => store.close());
  const c = await startCollector({ store, port: 0, spoolDir: join(dir, 'u.duckdb.spool'), onError: () => undefined, ...opts });
  cleanups.push(() => c.close());
  return { c, store, dir };
}

describe('Spool', () => {
  it('reads back fsynced frames and ignores a torn tail or a corrupted frame', async () => {
    const dir = tempDir();
    const spool = await Spool.open({ dir, maxBytes: 1 << 20 });
    await Promise.all([spool.append(1, Buffer.from('alpha')), spool.append(2, Buffer.from('beta'))]);
    await spool.append(1, Buffer.from('gamma'));
    await spool.close();
    const [file] = readdirSync(dir);
    const path = join(dir, file!);
    // A crash mid-append leaves half a frame behind.
    appendFileSync(path, Buffer.from([0x41, 0x50, 0x57, 0x31, 100, 0, 0, 0, 1, 2]));
    const reopened = await Spool.open({ dir, maxBytes: 1 << 20 });
    const taken = await reopened.takeOldest();
    expect(taken!.frames.map((f) => [f.kind, f.payload.toString()])).toEqual([[1, 'alpha'], [2, 'beta'], [1, 'gamma']]);
    expect(taken!.tornBytes).toBe(10);
    // Flip one payload byte: that frame is lost, the intact frames after it are still read.
    const bytes = readFileSync(path);
    bytes[13 + 5 + 13 + 1] ^= 0xff;
    const parsed = parseFrames(bytes);
    expect(parsed.frames.map((f) => f.payload.toString())).toEqual(['alpha', 'gamma']);
    expect(parsed).toMatchObject({ damagedRegions: 1, damagedFrames: 1, damagedBytes: 13 + 4, tornBytes: 10 });
    // Only an explicit release (after commit) deletes the file.
    expect(readdirSync(dir)).toHaveLength(1);
    await reopened.release(taken!.seq);
    expect(readdirSync(dir)).toHaveLength(0);
    await reopened.close();
  });

  it('refuses appends beyond its byte budget', async () => {
    const spool = await Spool.open({ dir: tempDir(), maxBytes: 100 });
    await spool.append(1, Buffer.alloc(50));
    await expect(spool.append(1, Buffer.alloc(50))).rejects.toThrow(/full/);
    await spool.close();
  });
});

describe('startCollector security', () => {
  it('refuses a non-loopback bind without a token, with a clear message', async () => {
    const store = { writeBatch: async () => ({ inserted: 0 }) };
    const saved = process.env.AGENTPULSE_TOKEN;
    delete process.env.AGENTPULSE_TOKEN;
    try {
      await expect(startCollector({ store, host: '0.0.0.0', port: 0 })).rejects.toThrow(CollectorConfigError);
      await expect(startCollector({ store, host: '0.0.0.0', port: 0 })).rejects.toThrow(/AGENTPULSE_TOKEN/);
    } finally {
      if (saved !== undefined) process.env.AGENTPULSE_TOKEN = saved;
    }
  });

  it('with a token, requires Bearer auth on every route but /healthz', async () => {
    const token = 'a-very-secret-token-123';
    const { c } = await withCollector({ token });
    expect((await fetch(`${c.url}/healthz`)).status).toBe(200);
    expect((await fetch(`${c.url}/metrics`)).status).toBe(401);
    expect((await fetch(`${c.url}/metrics`, { headers: { authorization: 'Bearer wrong-token-wrong-token' } })).status).toBe(401);
    expect((await fetch(`${c.url}/metrics`, { headers: { authorization: `Bearer ${token}` } })).status).toBe(200);
    const t = protoTemplate(4);
    const body = freshBatch(t, 1).body;
    expect((await post(`${c.url}/v1/traces`, body, { 'content-type': 'application/x-protobuf' })).status).toBe(401);
    expect((await post(`${c.url}/v1/traces`, body, { 'content-type': 'application/x-protobuf', authorization: `Bearer ${token}` })).status).toBe(200);
    const sql = await fetch(`${c.url}/api/sql`, { method: 'POST', body: JSON.stringify({ sql: 'SELECT 1' }) });
    expect(sql.status).toBe(401);
  });
});

describe('POST /api/sql', () => {
  it('binds named parameters instead of interpolating them, and rejects bad parameter names', async () => {
    const { c } = await withCollector({});
    const ok = await fetch(`${c.url}/api/sql`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ sql: "SELECT $a::INT + 1 AS x, $b AS s, $n IS NULL AS isnull", params: { a: 41, b: "x'; DROP TABLE spans; --", n: null } }) });
    expect(ok.status).toBe(200);
    expect(await ok.json()).toMatchObject({ columns: ['x', 's', 'isnull'], rows: [[42, "x'; DROP TABLE spans; --", true]] });
    const bad = await fetch(`${c.url}/api/sql`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ sql: 'SELECT 1', params: { 'a; drop': 1 } }) });
    expect(bad.status).toBe(400);
  });
});

describe('startCollector HTTP edges', () => {
  it('answers 415, 413, 405, 404 and 400 with an OTLP Status body', async () => {
    const { c } = await withCollector({ maxBodyBytes: 1024 });
    expect((await post(`${c.url}/v1/traces`, 'x', { 'content-type': 'text/plain' })).status).toBe(415);
    expect((await post(`${c.url}/v1/traces`, Buffer.alloc(4096), { 'content-type': 'application/x-protobuf' })).status).toBe(413);
    expect((await fetch(`${c.url}/v1/traces`)).status).toBe(405);
    expect((await fetch(`${c.url}/nope`)).status).toBe(404);
    const bad = await post(`${c.url}/v1/traces`, '{"resourceSpans":', { 'content-type': 'application/json' });
    expect(bad.status).toBe(400);
    expect(JSON.parse(bad.body.toString())).toMatchObject({ code: 3, message: expect.stringMatching(/malformed OTLP json/) });
  });

  it('closes connections of clients that send headers too slowly', async () => {
    const { c } = await withCollector({ headersTimeoutMs: 300, requestTimeoutMs: 600 });
    const reply = await new Promise<string>((resolve) => {
      const s = connect(c.port, '127.0.0.1', () => s.write('POST /v1/traces HTTP/1.1\r\nhost: x\r\n'));
      let data = '';
      s.on('data', (d) => (data += d.toString()));
      s.on('close', () => resolve(data));
      setTimeout(() => s.destroy(), 5_000).unref();
    });
    expect(reply).toMatch(/^HTTP\/1\.1 408/);
  });

  it('registers extra API routes with params', async () => {
    const dir = tempDir();
    const store = await openStore(join(dir, 'routes.duckdb'));
    cleanups.push(() => store.close());
    const c = await startCollector({ store, port: 0, onError: () => undefined, routes: { 'GET /api/traces/:id': async (ctx) => ({ id: ctx.params.id, rows: await store.query('SELECT 1 AS one') }) } });
    cleanups.push(() => c.close());
    const r = await fetch(`${c.url}/api/traces/abc123`);
    expect(await r.json()).toEqual({ id: 'abc123', rows: [{ one: 1 }] });
  });
});

describe('startCollector and embedded exporters', () => {
  it('pulls in spool segments that embedded exporters write while the collector holds the lock', async () => {
    const { c, store, dir } = await withCollector({ storeSpoolPollMs: 100 });
    const span: SpanRecord = {
      traceId: 'cd'.repeat(16), spanId: '0e'.repeat(8), parentSpanId: null, name: 'embedded', kind: 'internal',
      startNs: 1_700_000_000_000_000_000n, endNs: 1_700_000_000_000_000_500n, statusCode: 'UNSET', statusMessage: null,
      attributes: {}, resource: { 'service.name': 'embedded' }, scopeName: null, scopeVersion: null, events: [], links: [],
    };
    writeSpoolSegment(spoolDirFor(join(dir, 'u.duckdb')), [span]);
    const until = Date.now() + 10_000;
    let n = 0;
    while (Date.now() < until && n === 0) {
      await new Promise((r) => setTimeout(r, 50));
      n = ((await store.query("SELECT count(*) AS n FROM spans WHERE name = 'embedded'")) as [{ n: number }])[0].n;
    }
    expect(n).toBe(1);
    void c;
  });
});

describe('startCollector when the store fails', () => {
  it('spools and acknowledges while writes fail, then replays once the store is back', async () => {
    const dir = tempDir();
    const real = await openStore(join(dir, 'f.duckdb'));
    cleanups.push(() => real.close());
    let failing = true;
    const flaky = { writeBatch: (spans: SpanRecord[]) => (failing ? Promise.reject(new Error('Could not set lock on file')) : real.writeBatch(spans)) };
    const c = await startCollector({ store: flaky, port: 0, spoolDir: join(dir, 'f.duckdb.spool'), onError: () => undefined });
    cleanups.push(() => c.close());
    const t = protoTemplate(8);
    for (let i = 0; i < 5; i++) {
      expect((await post(`${c.url}/v1/traces`, freshBatch(t, i).body, { 'content-type': 'application/x-protobuf' })).status).toBe(200);
    }
    expect(c.metrics.spansSpooled).toBe(40);
    failing = false;
    expect(await c.flush(20_000)).toBe(true);
    const [{ n }] = (await real.query('SELECT count(*) AS n FROM spans')) as [{ n: number }];
    expect(n).toBe(40);
  });

  it('answers 503 with Retry-After when the store fails and there is no spool', async () => {
    const store = { writeBatch: () => Promise.reject(new Error('disk on fire')) };
    const c = await startCollector({ store, port: 0, onError: () => undefined });
    cleanups.push(() => c.close());
    const r = await post(`${c.url}/v1/traces`, freshBatch(protoTemplate(2), 1).body, { 'content-type': 'application/x-protobuf' });
    expect(r.status).toBe(503);
    expect(Number(r.headers['retry-after'])).toBeGreaterThanOrEqual(1);
    const health = await fetch(`${c.url}/healthz`);
    expect(health.status).toBe(503);
  });
});

