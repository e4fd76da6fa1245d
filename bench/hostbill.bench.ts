/**
 * The host's whole bill: what tracing costs the app's *process*, each pipeline in a process of
 * its own (so one pipeline's threads, heap and DuckDB cannot colour another's figures), rounds
 * alternating the order:
 *   noop      OTel SDK, BatchSpanProcessor, no-op exporter (the baseline)
 *   embedded  startAgentpulse with the embedded store (writer thread + DuckDB)
 *   otlp      startAgentpulse with AGENTPULSE_EXPORTER=otlp to a collector stand-in (another process
 *             that answers 200 to every request)
 *   otel-otlp stock OTel: BatchSpanProcessor + the official OTLP/protobuf exporter, same stand-in
 * Per run: p99 and max event-loop delay while spans are produced, peak RSS, process CPU µs/span,
 * and, once production stops, how long the flush takes (a writer that fell behind shows here) and
 * how many spans were shed. Two loads: paced at 20 000 spans/s (the target rate), and a tight
 * loop (as fast as the host can make spans) for the writer's keep-up-or-shed behaviour.
 * Targets: p99 event-loop delay ≤ 5 ms in both agentpulse modes; embedded RSS ≤ baseline + 100 MB;
 * the embedded writer keeps up with 20 000 spans/s or sheds visibly (counted, said once).
 *
 *   npm run build && node dist/bench/hostbill.bench.js [--quick] [--rounds N] [--seconds S]
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { agentTrace, SPANS_PER_TRACE } from './instrumentation.bench.js';

type Mode = 'noop' | 'embedded' | 'otlp' | 'otel-otlp';
const MODES: Mode[] = ['noop', 'embedded', 'otlp', 'otel-otlp'];

interface RunResult {
  mode: Mode;
  load: 'paced' | 'tight';
  spans: number;
  p99Ms: number;
  maxMs: number;
  peakRssMb: number;
  cpuUsPerSpan: number;
  flushS: number;
  produceS: number;
  dropped: number;
}

/** One pipeline, one load, in this (child) process; prints its RunResult as JSON. */
async function child(mode: Mode, load: 'paced' | 'tight', seconds: number, endpoint: string, dir: string): Promise<void> {
  const { BasicTracerProvider, BatchSpanProcessor } = await import('@opentelemetry/sdk-trace-base');
  let flush: () => Promise<void>;
  let dropped = (): number => 0;
  let tracerProvider: { getTracer(name: string): import('@opentelemetry/api').Tracer };
  if (mode === 'noop' || mode === 'otel-otlp') {
    const exporter =
      mode === 'noop'
        ? { export: (_s: unknown, cb: (r: { code: number }) => void) => cb({ code: 0 }), shutdown: async () => undefined }
        : new (await import('@opentelemetry/exporter-trace-otlp-proto')).OTLPTraceExporter({ url: `${endpoint}/v1/traces` });
    const p = new BasicTracerProvider({ spanProcessors: [new BatchSpanProcessor(exporter as never, { maxQueueSize: 65_536, maxExportBatchSize: 2048, scheduledDelayMillis: 500 })] });
    tracerProvider = p;
    flush = () => p.forceFlush();
  } else {
    const { startAgentpulse } = await import('../instrumentation/sdk.js');
    const h = await startAgentpulse({ exporter: mode === 'embedded' ? 'duckdb' : 'otlp', dbPath: join(dir, `hostbill-${process.pid}.duckdb`), otlpEndpoint: endpoint, spoolDir: join(dir, 'spool') });
    if (!h) throw new Error('tracing is disabled');
    tracerProvider = h.provider;
    flush = () => h.forceFlush();
    dropped = () => h.stats().dropped;
  }
  const tracer = tracerProvider.getTracer('hostbill');
  for (let i = 0; i < 200; i++) agentTrace(tracer); // warm-up: JIT, writer thread, DuckDB open
  await flush();
  let peak = 0;
  const rss = setInterval(() => (peak = Math.max(peak, process.memoryUsage.rss())), 20);
  const delay = monitorEventLoopDelay({ resolution: 1 });
  delay.enable();
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  const tickMs = 5;
  const perTick = load === 'tight' ? 100 : Math.max(1, Math.round((20_000 * tickMs) / 1000 / SPANS_PER_TRACE));
  let traces = 0;
  for (let tick = 1; performance.now() - t0 < seconds * 1000; tick++) {
    for (let i = 0; i < perTick; i++) agentTrace(tracer);
    traces += perTick;
    const wait = load === 'tight' ? 0 : t0 + tick * tickMs - performance.now();
    if (wait > 0) await sleep(wait);
    else await new Promise<void>((resolve) => setImmediate(resolve));
  }
  const produced = performance.now();
  delay.disable();
  await flush();
  const flushed = performance.now();
  const cpu = process.cpuUsage(cpu0);
  clearInterval(rss);
  const spans = traces * SPANS_PER_TRACE;
  const r: RunResult = {
    mode,
    load,
    spans,
    p99Ms: delay.percentile(99) / 1e6,
    maxMs: delay.max / 1e6,
    peakRssMb: Math.round(Math.max(peak, process.resourceUsage().maxRSS * 1024) / 1048576),
    cpuUsPerSpan: (cpu.user + cpu.system) / spans,
    flushS: (flushed - produced) / 1000,
    produceS: (produced - t0) / 1000,
    dropped: dropped(),
  };
  process.stdout.write(`${JSON.stringify(r)}\n`);
  process.exit(0);
}

function runChild(mode: Mode, load: 'paced' | 'tight', seconds: number, endpoint: string, dir: string): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const c = spawn(process.execPath, [fileURLToPath(import.meta.url), '--child', mode, load, String(seconds), endpoint, dir], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    c.stdout.on('data', (d: Buffer) => (out += d.toString()));
    c.stderr.on('data', (d: Buffer) => (err += d.toString()));
    const timer = setTimeout(() => c.kill('SIGKILL'), (seconds + 120) * 1000);
    c.on('exit', (code) => {
      clearTimeout(timer);
      const line = out.trim().split('\n').pop() ?? '';
      if (code !== 0 || !line.startsWith('{')) reject(new Error(`${mode} ${load} exited ${code}: ${err.trim().slice(-500)}`));
      else resolve(JSON.parse(line) as RunResult);
    });
  });
}

/** The collector stand-in, in a process of its own: 200 and an empty OTLP answer to every request. */
async function sink(): Promise<void> {
  const server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      res.writeHead(200, { 'content-type': 'application/x-protobuf', 'content-length': '0' });
      res.end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const addr = server.address();
  process.stdout.write(`${typeof addr === 'object' && addr ? addr.port : 0}\n`);
}

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[s.length >> 1]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};

async function main(): Promise<void> {
  const quick = process.argv.includes('--quick') || process.env.BENCH_QUICK === '1';
  const num = (name: string, d: number): number => {
    const i = process.argv.indexOf(`--${name}`);
    const v = i > 0 ? Number(process.argv[i + 1]) : NaN;
    return Number.isFinite(v) && v > 0 ? v : d;
  };
  const rounds = num('rounds', quick ? 2 : 5);
  const seconds = num('seconds', quick ? 3 : 6);
  const dir = mkdtempSync(join(tmpdir(), 'ap-hostbill-'));
  const stand = spawn(process.execPath, [fileURLToPath(import.meta.url), '--sink'], { stdio: ['ignore', 'pipe', 'inherit'] });
  try {
    const port = await new Promise<string>((resolve) => stand.stdout.once('data', (d: Buffer) => resolve(d.toString().trim())));
    const endpoint = `http://127.0.0.1:${port}`;
    const runs: RunResult[] = [];
    for (let r = 0; r < rounds; r++) {
      const order = r % 2 === 0 ? MODES : [...MODES].reverse();
      for (const m of order) runs.push(await runChild(m, 'paced', seconds, endpoint, dir));
      runs.push(await runChild('embedded', 'tight', seconds, endpoint, dir));
    }
    console.log(`hostbill: ${rounds} rounds, ${seconds} s of spans per run, each pipeline in its own process (node ${process.version})`);
    console.log('paced at 20 000 spans/s:');
    const base = runs.filter((x) => x.mode === 'noop' && x.load === 'paced');
    for (const m of MODES) {
      const xs = runs.filter((x) => x.mode === m && x.load === 'paced');
      const f = (k: keyof RunResult): number => median(xs.map((x) => x[k] as number));
      console.log(
        `  ${m.padEnd(10)} loop delay p99 ${f('p99Ms').toFixed(2)} ms (worst ${Math.max(...xs.map((x) => x.p99Ms)).toFixed(2)}), max ${f('maxMs').toFixed(1)} ms; ` +
          `peak RSS ${f('peakRssMb')} MB (${(f('peakRssMb') - median(base.map((x) => x.peakRssMb))).toFixed(0)} over noop); ` +
          `process CPU ${f('cpuUsPerSpan').toFixed(1)} µs/span (${(f('cpuUsPerSpan') / median(base.map((x) => x.cpuUsPerSpan))).toFixed(2)}× noop); flush after ${f('flushS').toFixed(2)} s; shed ${f('dropped')}`,
      );
    }
    const tight = runs.filter((x) => x.load === 'tight');
    const t = (k: keyof RunResult): number => median(tight.map((x) => x[k] as number));
    console.log(
      `tight loop, embedded: ${Math.round(t('spans') / t('produceS'))} spans/s made for ${t('produceS').toFixed(1)} s; flush after ${t('flushS').toFixed(2)} s; ` +
        `shed ${t('dropped')} (${((100 * t('dropped')) / t('spans')).toFixed(1)} %); peak RSS ${t('peakRssMb')} MB; loop delay p99 ${t('p99Ms').toFixed(2)} ms`,
    );
    console.log(JSON.stringify({ bench: 'hostbill', rounds, seconds, runs }));
  } finally {
    stand.kill();
    rmSync(dir, { recursive: true, force: true });
  }
}

if (process.argv[2] === '--child') await child(process.argv[3] as Mode, process.argv[4] as 'paced' | 'tight', Number(process.argv[5]), process.argv[6]!, process.argv[7]!);
else if (process.argv[2] === '--sink') await sink();
else await main();
