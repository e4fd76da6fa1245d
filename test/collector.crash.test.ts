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

/**
 * Streams requests from 6 clients into a collector on `db` with a small queue (so part of the
 * stream crosses the fsynced spool too), kills it with SIGKILL once `killAfter` ids were
 * acknowledged (bounded in time either way), starts a second collector and waits for its start-up
 * replay to finish. Returns the acknowledged ids and the write-ahead log files left at the kill.
 */
async function killMidStreamAndRecover(
  db: string,
  path: string,
  contentType: string,
  nextBatch: (seq: number) => { body: Buffer | string; ids: string[] },
  killAfter: number,
): Promise<{ acked: string[]; spoolFilesAtKill: number }> {
  const first = await spawnCollector(db, { maxQueueSpans: 256, maxBatchSpans: 256 });
  children.push(first);
  const acked: string[] = [];
  let seq = 0;
  let stop = false;
  const deadline = Date.now() + 15_000;
  const client = async () => {
    while (!stop && Date.now() < deadline) {
      const { body, ids } = nextBatch(seq++);
      const r = await post(`${first.url}${path}`, body, { 'content-type': contentType });
      if (r.status === 200) acked.push(...ids);
      else if (r.status === 0) return; // the collector is gone
      else await new Promise((res) => setTimeout(res, 10));
    }
  };
  const clients = Array.from({ length: 6 }, client);
  while (acked.length < killAfter && Date.now() < deadline) await new Promise((res) => setTimeout(res, 20));
  first.child.kill('SIGKILL');
  await new Promise((res) => first.child.once('exit', res));
  stop = true;
  await Promise.all(clients);
  const spoolFilesAtKill = readdirSync(`${db}.spool`).filter((n) => n.startsWith('collector-wal-')).length;

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
  return { acked, spoolFilesAtKill };
}

describe('collector crash safety', () => {
  it('loses no acknowledged span when killed with SIGKILL mid-stream, committed or spooled', async () => {
    const db = join(fx.dir, 'crash.duckdb');
    const template = protoTemplate(64);
    const { acked, spoolFilesAtKill } = await killMidStreamAndRecover(db, '/v1/traces', 'application/x-protobuf', (seq) => freshBatch(template, seq), 64 * 150);
    expect(acked.length).toBeGreaterThan(0);
    const stored = await storedIds(db);
    const missing = acked.filter((id) => !stored.has(id));
    console.log(JSON.stringify({ acked: acked.length, spoolFilesAtKill }));
    expect(missing).toEqual([]);
  });
});

/** An OTLP/JSON logs request of `n` Claude Code `api_request` events, each with a unique request id. */
function claudeLogsBody(seq: number, n: number): { body: string; ids: string[] } {
  const ids = Array.from({ length: n }, (_, i) => `req_crash_${seq}_${i}`);
  const now = BigInt(Date.now() - 60_000) * 1_000_000n;
  const str = (key: string, value: string) => ({ key, value: { stringValue: value } });
  const logRecords = ids.map((id, i) => ({
    timeUnixNano: String(now + BigInt(seq * n + i)),
    eventName: 'claude_code.api_request',
    body: { stringValue: 'claude_code.api_request' },
    attributes: [
      str('event.name', 'api_request'),
      str('session.id', `crash-${seq % 4}`),
      str('model', 'claude-sonnet-4-5'),
      { key: 'cost_usd', value: { doubleValue: 0.001 } },
      { key: 'input_tokens', value: { intValue: String(100 + i) } },
      { key: 'output_tokens', value: { intValue: '20' } },
      { key: 'duration_ms', value: { intValue: '900' } },
      str('request_id', id),
    ],
  }));
  const body = { resourceLogs: [{ resource: { attributes: [str('service.name', 'claude-code')] }, scopeLogs: [{ scope: { name: 'com.anthropic.claude_code.events' }, logRecords }] }] };
  return { body: JSON.stringify(body), ids };
}

describe('collector crash safety for logs', () => {
  it('loses no acknowledged log record (nor its derived span) when killed with SIGKILL mid-stream', async () => {
    const db = join(fx.dir, 'crash-logs.duckdb');
    const { acked } = await killMidStreamAndRecover(db, '/v1/logs', 'application/json', (seq) => claudeLogsBody(seq, 32), 32 * 150);
    expect(acked.length).toBeGreaterThan(0);
    const store = await openStore(db, { readOnly: true });
    try {
      const logs = new Set((await store.query("SELECT attributes->>'request_id' AS id FROM log_records")).map((r) => String(r.id)));
      const spans = new Set((await store.query("SELECT call_id FROM spans WHERE operation = 'chat'")).map((r) => String(r.call_id)));
      const [dups] = await store.query('SELECT count(*) - count(DISTINCT record_id) AS n FROM log_records');
      expect(acked.filter((id) => !logs.has(id))).toEqual([]);
      expect(acked.filter((id) => !spans.has(id))).toEqual([]);
      expect(Number(dups!.n)).toBe(0);
    } finally {
      await store.close();
    }
  });
});
