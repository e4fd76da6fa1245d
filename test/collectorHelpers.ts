/** Shared helpers for the collector integration tests (child processes, payloads, requests). */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { afterAll, beforeAll } from 'vitest';
import { join, resolve } from 'node:path';
import { request, Agent } from 'node:http';
import { createInterface } from 'node:readline';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { ProtobufTraceSerializer } from '@opentelemetry/otlp-transformer';

const ROOT = resolve(import.meta.dirname, '..');
export const CHILD_ENTRY = join(ROOT, 'dist/collector/main.js');

/** Children run compiled JS; `npm test` builds first, this covers running one test file directly. */
import { ensureBuilt } from './build.js';
export { ensureBuilt };

export interface ChildCollector {
  url: string;
  child: ChildProcess;
  stderr: string[];
}

export async function spawnCollector(db: string, options: Record<string, unknown> = {}): Promise<ChildCollector> {
  const child = spawn(process.execPath, [CHILD_ENTRY, '--db', db, '--port', '0', '--options', JSON.stringify(options)], { stdio: ['ignore', 'pipe', 'pipe'] });
  const stderr: string[] = [];
  child.stderr!.on('data', (d: Buffer) => stderr.push(d.toString()));
  const lines = createInterface({ input: child.stdout! });
  const url = await new Promise<string>((res, rej) => {
    const timer = setTimeout(() => rej(new Error(`collector child did not start: ${stderr.join('')}`)), 30_000);
    lines.once('line', (line) => {
      clearTimeout(timer);
      res((JSON.parse(line) as { url: string }).url);
    });
    child.once('exit', (code) => rej(new Error(`collector child exited ${code}: ${stderr.join('')}`)));
  });
  return { url, child, stderr };
}

export function stopChild(child: ChildProcess, signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
  return new Promise((res) => {
    if (child.exitCode !== null || child.signalCode !== null) return res();
    child.once('exit', () => res());
    child.kill(signal);
  });
}

/** A protobuf OTLP request template of `n` spans and the offsets of their span ids, patched per request. */
export function protoTemplate(n: number): { body: Buffer; idOffsets: number[] } {
  const memory = new InMemorySpanExporter();
  const provider = new BasicTracerProvider({ resource: resourceFromAttributes({ 'service.name': 'collector-test' }), spanProcessors: [new SimpleSpanProcessor(memory)] });
  const tracer = provider.getTracer('collector-test');
  for (let i = 0; i < n; i++) tracer.startSpan(`op-${i}`, { attributes: { 'gen_ai.agent.name': `a${i % 3}`, 'gen_ai.usage.input_tokens': i } }).end();
  const spans = memory.getFinishedSpans();
  const body = Buffer.from(ProtobufTraceSerializer.serializeRequest(spans)!);
  return { body, idOffsets: spans.map((s) => body.indexOf(Buffer.from(s.spanContext().spanId, 'hex'))) };
}

/** A copy of the template with fresh, unique span ids derived from `seq`; returns the ids as stored (hex). */
export function freshBatch(t: { body: Buffer; idOffsets: number[] }, seq: number): { body: Buffer; ids: string[] } {
  const body = Buffer.from(t.body);
  const ids: string[] = [];
  t.idOffsets.forEach((off, i) => {
    body.writeUInt32BE(seq + 1, off);
    body.writeUInt32BE(i + 1, off + 4);
    ids.push(body.toString('hex', off, off + 8));
  });
  return { body, ids };
}

export interface PostResult {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
}

export const keepAlive = new Agent({ keepAlive: true, maxSockets: 16 });

/** POSTs raw bytes; network errors resolve with status 0 instead of throwing. */
export function post(url: string, body: Buffer | string, headers: Record<string, string>, agent: Agent = keepAlive): Promise<PostResult> {
  const u = new URL(url);
  return new Promise((res) => {
    const req = request({ host: u.hostname, port: u.port, path: u.pathname, method: 'POST', agent, headers: { 'content-length': String(Buffer.byteLength(body)), ...headers } }, (r) => {
      const chunks: Buffer[] = [];
      r.on('data', (c: Buffer) => chunks.push(c));
      r.on('end', () => res({ status: r.statusCode ?? 0, headers: r.headers, body: Buffer.concat(chunks) }));
      r.on('error', () => res({ status: 0, headers: {}, body: Buffer.alloc(0) }));
    });
    req.on('error', () => res({ status: 0, headers: {}, body: Buffer.alloc(0) }));
    req.end(body);
  });
}

/** Resident set size of a process, in MB (Linux /proc). */
export function rssMb(pid: number): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) / 1024 : 0;
}

/**
 * For a test file that spawns collectors: builds dist/ once, makes a temp folder (`fx.dir`), and
 * kills every child pushed on `fx.children` (and removes the folder) after the file.
 */
export function childCollectorFixture(prefix: string): { readonly dir: string; readonly children: ChildCollector[] } {
  const fx = { dir: '', children: [] as ChildCollector[] };
  beforeAll(() => {
    ensureBuilt();
    fx.dir = mkdtempSync(join(tmpdir(), prefix));
  }, 200_000);
  afterAll(async () => {
    for (const c of fx.children) await stopChild(c.child, 'SIGKILL');
    rmSync(fx.dir, { recursive: true, force: true });
  });
  return fx;
}
