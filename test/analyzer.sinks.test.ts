import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { alertmanagerSink, analyzeRun, dispatchAlerts, ndjsonSink, parseSinkSpec, postJson, slackSink, webhookSink } from '../analyzer/index.js';
import type { AlertNotification, Report, SinkBatch } from '../analyzer/index.js';
import { openStore } from '../store/index.js';
import type { DuckDbStore } from '../store/index.js';
import { DAY_NS, FIXED_NOW, FIXED_NOW_NS, generateSpans, HOUR_NS, writeAll } from './analyzerFixtures.js';

interface Received {
  path: string;
  body: unknown;
}

/** A loopback HTTP server answering `statusFor(n)` to the n-th request (1-based). */
async function startServer(statusFor: (n: number) => number): Promise<{ url: string; received: Received[]; server: Server }> {
  const received: Received[] = [];
  let n = 0;
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      n++;
      const status = statusFor(n);
      if (status < 300) received.push({ path: req.url ?? '', body: JSON.parse(Buffer.concat(chunks).toString('utf8')) });
      res.writeHead(status, status === 429 ? { 'retry-after': '0' } : {}).end();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}`, received, server };
}

const servers: Server[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => new Promise((r) => s.close(r))));
});
const serve = async (statusFor: (n: number) => number) => {
  const s = await startServer(statusFor);
  servers.push(s.server);
  return s;
};

const alert: AlertNotification = {
  rule: 'regression', severity: 'critical', state: 'firing', value: 3.2, threshold: 2.1,
  scope: { agent: 'coder', operation: 'chat', model: 'm' }, since: '2025-03-10T12:00:00.000Z', fingerprint: 'abc123', summary: 'latency up',
};
const report = { generated_at: '2025-03-10T12:00:00.000Z', window: { from: '2025-03-09T12:00:00.000Z', to: '2025-03-10T12:00:00.000Z' } } as Report;
const batch: SinkBatch = { notifications: [alert], firing: [alert], report };
const fast = { baseDelayMs: 5, maxDelayMs: 20 };

describe('postJson', () => {
  it('retries 5xx and 429 with backoff and succeeds when the server recovers', async () => {
    const s = await serve((n) => (n === 1 ? 503 : n === 2 ? 429 : 200));
    expect(await postJson(s.url, { a: 1 }, fast)).toBe(3);
    expect(s.received).toEqual([{ path: '/', body: { a: 1 } }]);
  });

  it('gives up after the bounded number of attempts', async () => {
    const s = await serve(() => 500);
    await expect(postJson(s.url, {}, { ...fast, maxAttempts: 3 })).rejects.toThrow(/gave up after 3 attempts/);
  });

  it('does not retry a 4xx that means the request is wrong', async () => {
    let calls = 0;
    const s = await serve(() => (calls++, 400));
    await expect(postJson(s.url, {}, fast)).rejects.toThrow(/400/);
    expect(calls).toBe(1);
  });
});

describe('sinks', () => {
  it('alertmanager: posts the v2 payload to /api/v2/alerts', async () => {
    const s = await serve(() => 200);
    await alertmanagerSink(s.url, fast).send(batch);
    expect(s.received[0].path).toBe('/api/v2/alerts');
    const [a] = s.received[0].body as Array<Record<string, Record<string, string> | string>>;
    expect(a.labels).toMatchObject({ alertname: 'regression', severity: 'critical', agent: 'coder', fingerprint: 'abc123' });
    expect(a.startsAt).toBe(alert.since);
    expect(Date.parse(a.endsAt as string)).toBeGreaterThan(Date.parse(report.generated_at));
  });

  it('alertmanager: a resolved alert ends now', async () => {
    const s = await serve(() => 200);
    const resolved = { ...alert, state: 'resolved' as const };
    await alertmanagerSink(s.url, fast).send({ notifications: [resolved], firing: [], report });
    const [a] = s.received[0].body as Array<Record<string, string>>;
    expect(a.endsAt).toBe(report.generated_at);
  });

  it('slack and generic webhook payloads', async () => {
    const slack = await serve(() => 200);
    const hook = await serve(() => 200);
    await slackSink(slack.url, fast).send(batch);
    await webhookSink(hook.url, fast).send(batch);
    expect((slack.received[0].body as { text: string }).text).toContain('`regression` latency up');
    expect(hook.received[0].body).toMatchObject({ version: 1, source: 'agentpulse', alerts: [{ fingerprint: 'abc123' }] });
  });

  it('a failing sink does not keep alerts from the others', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ap-sinks-'));
    try {
      const down = await serve(() => 500);
      const up = await serve(() => 200);
      const results = await dispatchAlerts(
        [webhookSink(down.url, { ...fast, maxAttempts: 2 }), alertmanagerSink(up.url, fast), ndjsonSink(join(dir, 'a.ndjson')), { name: 'throws', send: async () => { throw new Error('boom'); } }],
        batch,
      );
      expect(results.map((r) => r.ok)).toEqual([false, true, true, false]);
      expect(up.received).toHaveLength(1);
      expect(JSON.parse(readFileSync(join(dir, 'a.ndjson'), 'utf8').trim()).fingerprint).toBe('abc123');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('parses sink specs and rejects bad ones in one line', () => {
    expect(parseSinkSpec('alertmanager:http://127.0.0.1:9093').name).toBe('alertmanager:http://127.0.0.1:9093');
    expect(() => parseSinkSpec('webhook:ftp://x')).toThrow(/http\(s\) URL/);
    expect(() => parseSinkSpec('pager')).toThrow(/unknown kind/);
  });
});

describe('analyzeRun with sinks', () => {
  let store: DuckDbStore;
  beforeAll(async () => {
    store = await openStore(':memory:');
    const shifted = (t: bigint): number => (t >= FIXED_NOW_NS - 20n * HOUR_NS ? 1.8 : 1);
    await writeAll(store, generateSpans([{ agent: 'coder', operation: 'chat', model: 'm', medianMs: 500, errorRate: 0.01, rate: 20, latencyFactor: shifted }], FIXED_NOW_NS - 8n * DAY_NS, FIXED_NOW_NS, 5));
  });
  afterAll(() => store.close());

  it('re-delivers to a sink that failed once it recovers, and the healthy sink gets them the first time', async () => {
    let webhookUp = false;
    const hook = await serve(() => (webhookUp ? 200 : 503));
    const am = await serve(() => 200);
    const sinks = [webhookSink(hook.url, { ...fast, maxAttempts: 2 }), alertmanagerSink(am.url, fast)];

    const first = await analyzeRun({ store, now: FIXED_NOW, sinks });
    expect(first.deliveries.map((d) => d.ok)).toEqual([false, true]);
    expect((am.received[0].body as unknown[]).length).toBeGreaterThan(0);
    expect(hook.received).toHaveLength(0);

    webhookUp = true;
    const second = await analyzeRun({ store, now: new Date(FIXED_NOW.getTime() + 60_000), sinks });
    expect(second.deliveries.every((d) => d.ok)).toBe(true);
    const delivered = (hook.received[0].body as { alerts: AlertNotification[] }).alerts;
    expect(delivered.map((a) => a.fingerprint).sort()).toEqual(first.report.alerts.filter((a) => a.state === 'firing').map((a) => a.fingerprint).sort());

    // Delivered everywhere: nothing owed, so the webhook hears nothing more; Alertmanager is refreshed.
    await analyzeRun({ store, now: new Date(FIXED_NOW.getTime() + 120_000), sinks });
    expect(hook.received).toHaveLength(1);
    expect(am.received).toHaveLength(3);
  });
});
