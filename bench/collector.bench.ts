/**
 * Collector ingest benchmark: sustained OTLP/HTTP protobuf ingest with batches of 512
 * spans, each request answered only once durable, versus the raw DuckDB appender rate
 * for the same rows measured in the same run.
 *
 * `ingest_spans_per_s` is sustained: spans committed from the start of the measured window until
 * every acknowledged span is stored (`acked_spans_per_s` alone would count a growing spool).
 * Clients run in a worker thread (their own event loop, like separate processes would)
 * over keep-alive connections; every request carries fresh span ids.
 * Run: npm run build && node dist/bench/collector.bench.js   (or via bench/run.js)
 * Env: BENCH_SECONDS (default 10), BENCH_CONNECTIONS (default 32).
 */
import { appendSpanRow } from '../store/appendSpanRow.js';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Worker, isMainThread, parentPort, workerData } from 'node:worker_threads';
import { request, Agent } from 'node:http';
import { pathToFileURL, fileURLToPath } from 'node:url';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { SpanKind } from '@opentelemetry/api';
import { ProtobufLogsSerializer, ProtobufTraceSerializer } from '@opentelemetry/otlp-transformer';
import { InMemoryLogRecordExporter, LoggerProvider, SimpleLogRecordProcessor } from '@opentelemetry/sdk-logs';
import { openStore } from '../store/index.js';
import { normalizeSpan } from '../store/normalize.js';
import { SPAN_COLUMNS } from '../store/schema.js';
import { startCollector } from '../collector/index.js';
import type { SpanRecord } from '../store/types.js';
import { decodeTraceRequestProtobuf } from '../collector/otlp/index.js';

export const BATCH = 512;

/** One realistic 512-span OTLP protobuf request plus the byte offsets of every span id in it. */
export function buildTemplate(): { body: Buffer; idOffsets: number[] } {
  const memory = new InMemorySpanExporter();
  const provider = new BasicTracerProvider({
    resource: resourceFromAttributes({ 'service.name': 'bench-agents', 'service.version': '1.0.0', 'host.name': 'bench' }),
    spanProcessors: [new SimpleSpanProcessor(memory)],
  });
  const tracer = provider.getTracer('agentpulse-bench', '0.1.0');
  for (let i = 0; i < BATCH; i++) {
    const s = tracer.startSpan(i % 4 === 0 ? 'invoke_agent planner' : 'chat gpt-4o', {
      kind: SpanKind.CLIENT,
      attributes: {
        'gen_ai.operation.name': i % 4 === 0 ? 'invoke_agent' : 'chat',
        'gen_ai.agent.name': `agent-${i % 7}`,
        'gen_ai.provider.name': 'openai',
        'gen_ai.request.model': 'gpt-4o',
        'gen_ai.usage.input_tokens': 1000 + i,
        'gen_ai.usage.output_tokens': 200 + (i % 50),
        'agentpulse.task.id': `task-${i}`,
        'agentpulse.cost.usd': 0.0012 * (i % 9),
      },
    });
    s.end();
  }
  const spans = memory.getFinishedSpans();
  const body = Buffer.from(ProtobufTraceSerializer.serializeRequest(spans)!);
  const idOffsets = spans.map((s) => body.indexOf(Buffer.from(s.spanContext().spanId, 'hex')));
  if (idOffsets.some((o) => o < 0)) throw new Error('span id not found in template');
  return { body, idOffsets };
}

const MARK = 'RQ0123456789ABCD';

/**
 * One 512-record OTLP protobuf logs request as Claude Code sends it (`api_request` events: each
 * becomes a log record and a derived chat span), plus the offsets of each record's 16-character
 * request id, rewritten per request so every record (and span) is new.
 */
export function buildLogsTemplate(): { body: Buffer; idOffsets: number[]; timeOffsets: number[] } {
  const memory = new InMemoryLogRecordExporter();
  const provider = new LoggerProvider({
    resource: resourceFromAttributes({ 'service.name': 'claude-code', 'service.version': '2.1.130' }),
    processors: [new SimpleLogRecordProcessor({ exporter: memory })],
  });
  const logger = provider.getLogger('com.anthropic.claude_code.events', '2.1.130');
  const t0 = Date.now() - 60_000;
  for (let i = 0; i < BATCH; i++) {
    logger.emit({
      eventName: 'claude_code.api_request',
      timestamp: t0 + i,
      body: 'claude_code.api_request',
      attributes: {
        'event.name': 'api_request',
        'event.sequence': i,
        'session.id': `bench-session-${i % 8}`,
        model: 'claude-sonnet-4-5',
        cost_usd: 0.0012 * (i % 9),
        duration_ms: 800 + i,
        input_tokens: 1000 + i,
        output_tokens: 200 + (i % 50),
        cache_read_tokens: 0,
        request_id: `${MARK.slice(0, 8)}${String(i).padStart(8, '0')}`,
        query_source: i % 5 === 0 ? 'subagent' : 'main',
        ...(i % 5 === 0 ? { 'agent.name': 'code-reviewer' } : {}),
      },
    });
  }
  const records = memory.getFinishedLogRecords();
  const body = Buffer.from(ProtobufLogsSerializer.serializeRequest(records)!);
  const idOffsets = records.map((_, i) => body.indexOf(Buffer.from(`${MARK.slice(0, 8)}${String(i).padStart(8, '0')}`)));
  if (idOffsets.some((o) => o < 0)) throw new Error('request id not found in logs template');
  // Each record's time_unix_nano (fixed64), rewritten per request: events of a live agent move forward in time.
  const timeOffsets = records.map((_, i) => {
    const le = Buffer.alloc(8);
    le.writeBigUInt64LE(BigInt(t0 + i) * 1_000_000n);
    return body.indexOf(le);
  });
  if (timeOffsets.some((o) => o < 0)) throw new Error('record time not found in logs template');
  return { body, idOffsets, timeOffsets };
}

interface ClientResult { acked: number; requests: number; failures: number; statuses: Record<string, number> }

async function clientMain(): Promise<void> {
  const { url, seconds, warmupSeconds, connections, workerIndex, signal } = workerData as {
    url: string; seconds: number; warmupSeconds: number; connections: number; workerIndex: number; signal: 'traces' | 'logs';
  };
  const logsTemplate = signal === 'logs' ? buildLogsTemplate() : null;
  const { body: template, idOffsets } = logsTemplate ?? buildTemplate();
  const agent = new Agent({ keepAlive: true, maxSockets: connections });
  const u = new URL(`${url}/v1/${signal}`);
  let counter = workerIndex * 1e12;
  const post = (body: Buffer) =>
    new Promise<number>((resolve) => {
      const req = request({ host: u.hostname, port: u.port, path: u.pathname, method: 'POST', agent, headers: { 'content-type': 'application/x-protobuf', 'content-length': body.length } }, (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
      });
      req.on('error', () => resolve(0));
      req.end(body);
    });
  const start = Date.now();
  const measureFrom = start + warmupSeconds * 1000;
  const stopAt = measureFrom + seconds * 1000;
  const result: ClientResult = { acked: 0, requests: 0, failures: 0, statuses: {} };
  let measuredMs = 0;
  setTimeout(() => parentPort!.postMessage({ phase: 'measuring' }), Math.max(0, measureFrom - Date.now()));
  const loop = async () => {
    while (Date.now() < stopAt) {
      const body = Buffer.from(template);
      if (signal === 'logs') {
        // 16 fresh hex characters per record's request id.
        for (const off of idOffsets) body.write((++counter).toString(16).padStart(16, '0').slice(-16), off, 'latin1');
        const nowNs = BigInt(Date.now()) * 1_000_000n;
        logsTemplate!.timeOffsets.forEach((off, i) => body.writeBigUInt64LE(nowNs + BigInt(i), off));
      } else {
        for (const off of idOffsets) body.writeDoubleLE(++counter, off); // 8 fresh id bytes per span
      }
      const t = Date.now();
      const status = await post(body);
      if (t >= measureFrom) {
        result.requests++;
        result.statuses[status] = (result.statuses[status] ?? 0) + 1;
        if (status === 200) result.acked += BATCH;
        else result.failures++;
      }
    }
  };
  await Promise.all(Array.from({ length: connections }, loop));
  measuredMs = Date.now() - measureFrom;
  agent.destroy();
  parentPort!.postMessage({ ...result, measuredMs });
}

/** The store's own writeBatch rate for the same decoded spans, group-committed like the collector does. */
async function storeWriteRate(dbPath: string, spansWanted: number): Promise<number> {
  const store = await openStore(dbPath);
  const { body, idOffsets } = buildTemplate();
  const batches: SpanRecord[][] = [];
  let counter = 7e12;
  let current: SpanRecord[] = [];
  for (let n = 0; n < spansWanted; n += BATCH) {
    const b = Buffer.from(body);
    for (const off of idOffsets) b.writeDoubleLE(++counter, off);
    current.push(...decodeTraceRequestProtobuf(b).spans);
    if (current.length >= 16_384) {
      batches.push(current);
      current = [];
    }
  }
  if (current.length) batches.push(current);
  const t0 = performance.now();
  let total = 0;
  for (const batch of batches) total += (await store.writeBatch(batch)).inserted;
  const seconds = (performance.now() - t0) / 1000;
  await store.close();
  return total / seconds;
}

/** Raw appender rate: the same normalized rows appended straight into a table of the same shape. */
async function rawAppenderRate(dbPath: string, rowsWanted: number): Promise<number> {
  const { DuckDBInstance } = await import('@duckdb/node-api');
  const inst = await DuckDBInstance.create(dbPath);
  const conn = await inst.connect();
  await conn.run(`CREATE TABLE raw_spans (${SPAN_COLUMNS.map(([n, t]) => `${n} ${t}`).join(', ')})`);
  const { body, idOffsets } = buildTemplate();
  const rows = [] as ReturnType<typeof normalizeSpan>[];
  let counter = 1;
  while (rows.length < rowsWanted) {
    const b = Buffer.from(body);
    for (const off of idOffsets) b.writeDoubleLE(++counter, off);
    for (const s of decodeTraceRequestProtobuf(b).spans) rows.push(normalizeSpan(s));
  }
  const t0 = performance.now();
  for (let i = 0; i < rows.length; i += 16_384) {
    await conn.run('BEGIN TRANSACTION');
    const ap = await conn.createAppender('raw_spans');
    for (const r of rows.slice(i, i + 16_384)) appendSpanRow(ap, r);
    ap.flushSync();
    ap.closeSync();
    await conn.run('COMMIT');
  }
  const seconds = (performance.now() - t0) / 1000;
  conn.closeSync();
  inst.closeSync();
  return rows.length / seconds;
}

interface LoadPhase {
  /** Records committed per second from the measured window's start until everything acknowledged was in. */
  ingest: number;
  /** Records acknowledged per second during the measured window. */
  acked: number;
  client: ClientResult & { measuredMs: number };
  loadEndMs: number;
  drainedMs: number;
}

/**
 * One load phase: `connections` clients in a worker post `signal` requests for `seconds` (after a
 * warm-up) to the collector. Acknowledged means durable, not stored: with the write-ahead log a
 * request is answered once fsynced, and when the store falls behind requests overflow to the spool.
 * The sustained rate is therefore what the store committed (`written()`) from the start of the
 * measured window until every acknowledged record was in it (the flush after the clients stop is
 * included). `onLoadEnd` runs when the clients stop, before the flush.
 */
async function loadPhase(
  collector: Awaited<ReturnType<typeof startCollector>>,
  signal: 'traces' | 'logs',
  seconds: number,
  connections: number,
  written: () => number,
  onLoadEnd: () => void = () => undefined,
): Promise<LoadPhase> {
  const workerIndex = signal === 'traces' ? 1 : 2;
  const worker = new Worker(fileURLToPath(import.meta.url), { workerData: { url: collector.url, seconds, warmupSeconds: 2, connections, workerIndex, signal } });
  let committedAtStart = 0;
  let startMs = 0;
  const client = await new Promise<ClientResult & { measuredMs: number }>((resolve, reject) => {
    worker.on('message', (m: { phase?: string } & ClientResult & { measuredMs: number }) => {
      if (m.phase === 'measuring') {
        committedAtStart = written();
        startMs = performance.now();
      } else resolve(m);
    });
    worker.once('error', reject);
  });
  const loadEndMs = performance.now();
  await worker.terminate();
  onLoadEnd();
  await collector.flush(120_000);
  const drainedMs = performance.now();
  return {
    ingest: (written() - committedAtStart) / ((drainedMs - startMs) / 1000),
    acked: client.acked / (client.measuredMs / 1000),
    client,
    loadEndMs,
    drainedMs,
  };
}

export async function benchCollector(opts: { seconds?: number; connections?: number } = {}): Promise<Record<string, number | string>> {
  const seconds = opts.seconds ?? Number(process.env.BENCH_SECONDS ?? 10);
  const connections = opts.connections ?? Number(process.env.BENCH_CONNECTIONS ?? 32);
  const dir = mkdtempSync(join(tmpdir(), 'ap-bench-collector-'));
  try {
    const store = await openStore(join(dir, 'bench.duckdb'));
    const collector = await startCollector({ store, port: 0, spoolDir: join(dir, 'bench.duckdb.spool'), onError: () => undefined });
    let peakRss = 0;
    const rssTimer = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage.rss())), 200);
    const spans = await loadPhase(collector, 'traces', seconds, connections, () => collector.metrics.spansWritten, () => clearInterval(rssTimer));
    const { client, loadEndMs, drainedMs } = spans;
    const spooled = collector.metrics.spansSpooled;
    const meanBatch = Math.round(collector.metrics.spansWritten / Math.max(1, collector.metrics.batchesWritten));
    const writeHist = /agentpulse_collector_write_duration_seconds_sum (\S+)\n.*_count (\d+)/.exec(collector.metrics.render());
    const [{ n }] = (await store.query('SELECT count(*) AS n FROM spans')) as [{ n: number }];
    // The same load against /v1/logs on the same collector: Claude Code `api_request` events, each
    // stored as a log record and a derived chat span; its rate counts log records.
    const logs = await loadPhase(collector, 'logs', seconds, connections, () => collector.metrics.logsWritten);
    await collector.close();
    await store.close();
    const { acked, ingest } = spans;
    const raw = await rawAppenderRate(join(dir, 'raw.duckdb'), 300_000);
    const storeOnly = await storeWriteRate(join(dir, 'store-only.duckdb'), 300_000);
    return {
      ingest_spans_per_s: Math.round(ingest),
      acked_spans_per_s: Math.round(acked),
      drain_after_load_ms: Math.round(drainedMs - loadEndMs),
      raw_appender_rows_per_s: Math.round(raw),
      store_write_batch_spans_per_s: Math.round(storeOnly),
      ratio_vs_raw: Number((ingest / raw).toFixed(3)),
      ratio_vs_store_write: Number((ingest / storeOnly).toFixed(3)),
      ingest_logs_per_s: Math.round(logs.ingest),
      acked_logs_per_s: Math.round(logs.acked),
      ratio_logs_vs_spans: Number((logs.ingest / ingest).toFixed(3)),
      logs_non_200: logs.client.failures,
      target_spans_per_s: 150_000,
      requests: client.requests,
      non_200: client.failures,
      statuses: JSON.stringify(client.statuses),
      spans_in_store: n,
      spooled_spans: spooled,
      mean_group_commit_spans: meanBatch,
      mean_write_ms: writeHist ? Math.round((Number(writeHist[1]) / Number(writeHist[2])) * 1000) : -1,
      peak_rss_mb: Math.round(peakRss / 1048576),
      connections,
      seconds,
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

if (!isMainThread && (workerData as { url?: string })?.url) {
  void clientMain();
} else if (isMainThread && process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const r = await benchCollector();
  console.log(JSON.stringify(r, null, 2));
}
