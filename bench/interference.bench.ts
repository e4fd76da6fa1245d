/**
 * What a concurrent DuckDB span writer costs a host thread that never talks to it: the
 * instrumentation bench's **no-op baseline** (OTel SDK + BatchSpanProcessor + a no-op exporter,
 * its agent traces at 20 000 spans/s in 5 ms ticks) is timed (thread CPU, schedstat) while a
 * writer elsewhere stores the same kind of spans at the same rate — 2048-span batches every
 * 100 ms through `DuckDbStore.writeBatch`, with the embedded writer's settings (1 DuckDB thread,
 * 256 MiB) — in three conditions, alternated round by round:
 *   off      the writer is paused (SIGSTOP for the process; a message for the thread)
 *   spin     instead of a writer, a child process that only spins on arithmetic (a busy core that
 *            touches almost no memory: the control for "another core is busy")
 *   process  the writer runs in a child process (its own address space and allocator)
 *   thread   the writer runs in a worker thread of the host process (as the embedded exporter's does)
 * The host does exactly the same work in every condition, so whatever `process` and `thread` add
 * over `off` is the machine's price for a DuckDB writer running beside it (shared caches and
 * memory bandwidth, the hypervisor), a floor no host-side code can go below while spans are written
 * as they come. Reported: median µs/span per condition, and each condition's ratio to `off` as the
 * median over rounds of the ratio within a round (the machine's speed drifts between rounds).
 *
 * Run: npm run build && node dist/bench/interference.bench.js [--quick] [--rounds K]
 */
import { fork } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { setTimeout as sleep } from 'node:timers/promises';
import { Worker, isMainThread, parentPort, workerData } from 'node:worker_threads';
import { BasicTracerProvider, BatchSpanProcessor } from '@opentelemetry/sdk-trace-base';
import type { ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { decodeSpanBatch, encodeSpanBatch } from '../instrumentation/spanCodec.js';
import { DuckDbStore } from '../store/DuckDbStore.js';
import { SPANS_PER_TRACE, agentTrace, median, paced, r3, threadCpuNs } from './instrumentation.bench.js';

const BATCH_SPANS = 2048;
const BATCH_EVERY_MS = 100;
const RATE = 20_000;
type Condition = 'off' | 'spin' | 'process' | 'thread';
const CONDITIONS: Condition[] = ['off', 'spin', 'process', 'thread'];

/** One batch of the bench's agent traces, encoded as the host hands them over. */
function sampleBatch(): Uint8Array {
  const captured: ReadableSpan[] = [];
  const p = new BasicTracerProvider({
    spanProcessors: [{ onStart: () => undefined, onEnd: (s: ReadableSpan) => void captured.push(s), forceFlush: () => Promise.resolve(), shutdown: () => Promise.resolve() }],
  });
  const tracer = p.getTracer('interference');
  for (let i = 0; i < Math.ceil(BATCH_SPANS / SPANS_PER_TRACE); i++) agentTrace(tracer);
  return encodeSpanBatch(captured, 0, BATCH_SPANS);
}

/**
 * The writer side: decodes and stores a batch every `BATCH_EVERY_MS` (fresh ids each time, so
 * nothing is skipped as a duplicate) until told to stop; `isPaused` is polled between batches.
 */
async function runWriter(dbPath: string, isPaused: () => boolean, ready: () => void, stopAfterMs: number, isStopped: () => boolean = () => false): Promise<void> {
  const bytes = sampleBatch();
  const store = await DuckDbStore.open(dbPath, { threads: 1, memoryLimit: '256MiB' });
  const hex = (n: number, width: number): string => n.toString(16).padStart(width, '0');
  let seq = 0;
  ready();
  const end = performance.now() + stopAfterMs;
  try {
    while (performance.now() < end && !isStopped()) {
      const t0 = performance.now();
      if (!isPaused()) {
        const spans = decodeSpanBatch(bytes);
        for (const s of spans) {
          seq++;
          s.traceId = hex(Math.floor(seq / SPANS_PER_TRACE) + 1, 32);
          s.spanId = hex(seq, 16);
          s.parentSpanId = null;
        }
        await store.writeBatch(spans);
      }
      const wait = BATCH_EVERY_MS - (performance.now() - t0);
      await sleep(wait > 0 ? wait : 0);
    }
  } finally {
    await store.close({ maintain: false });
  }
}

/** The host side: the no-op pipeline at `RATE` spans/s for `spans` spans; main-thread µs per span. */
async function hostPhase(spans: number, provider: BasicTracerProvider): Promise<number> {
  const tracer = provider.getTracer('host');
  const traces = Math.ceil(spans / SPANS_PER_TRACE);
  const c0 = threadCpuNs()!;
  await paced(traces, RATE, (n) => {
    for (let i = 0; i < n; i++) agentTrace(tracer);
  });
  await provider.forceFlush();
  return (threadCpuNs()! - c0) / 1000 / (traces * SPANS_PER_TRACE);
}

export interface InterferenceBenchOptions {
  rounds?: number;
  spansPerPhase?: number;
}

/** Runs the three conditions `rounds` times (alternating their order); returns the figures. */
export async function benchInterference(opts: InterferenceBenchOptions = {}): Promise<Record<string, unknown>> {
  if (process.platform !== 'linux' || threadCpuNs() === null) throw new Error('interference bench: needs Linux (thread CPU from /proc/thread-self/schedstat, SIGSTOP/SIGCONT)');
  const rounds = opts.rounds ?? 8;
  const spans = opts.spansPerPhase ?? 30_000;
  const dir = mkdtempSync(join(tmpdir(), 'ap-bench-interference-'));
  const self = fileURLToPath(import.meta.url);
  // Every writer stops on its own after this long, even if this process dies without cleaning up.
  const budgetMs = (rounds + 1) * CONDITIONS.length * ((spans / RATE) * 1000 + 2000) + 30_000;
  let child: ChildProcess | null = null;
  let spinner: ChildProcess | null = null;
  let worker: Worker | null = null;
  const provider = new BasicTracerProvider({
    spanProcessors: [new BatchSpanProcessor({ export: (_s, cb) => cb({ code: 0 }), shutdown: () => Promise.resolve() })],
  });
  try {
    child = fork(self, ['--writer', join(dir, 'process.duckdb'), String(budgetMs)], { stdio: ['ignore', 'ignore', 'inherit', 'ipc'] });
    await new Promise<void>((resolve, reject) => {
      child!.once('message', () => resolve());
      child!.once('exit', (code) => reject(new Error(`writer process exited (${code})`)));
    });
    spinner = fork(self, ['--spinner', String(budgetMs)], { stdio: ['ignore', 'ignore', 'inherit', 'ipc'] });
    spinner.kill('SIGSTOP');
    worker = new Worker(self, { workerData: { dbPath: join(dir, 'thread.duckdb'), budgetMs } });
    await new Promise<void>((resolve, reject) => {
      worker!.once('message', () => resolve());
      worker!.once('error', reject);
    });
    const set = (c: Condition): void => {
      child!.kill(c === 'process' ? 'SIGCONT' : 'SIGSTOP');
      spinner!.kill(c === 'spin' ? 'SIGCONT' : 'SIGSTOP');
      worker!.postMessage({ paused: c !== 'thread' });
    };
    const res: Record<Condition, number[]> = { off: [], spin: [], process: [], thread: [] };
    // One untimed pass of each condition first: JIT, DuckDB files and caches warm.
    for (let r = -1; r < rounds; r++) {
      for (const c of r % 2 === 0 ? CONDITIONS : [...CONDITIONS].reverse()) {
        set(c);
        await sleep(300);
        const us = await hostPhase(r < 0 ? 6000 : spans, provider);
        if (r >= 0) res[c].push(us);
      }
    }
    const off = median(res.off);
    return {
      bench: 'interference',
      host: 'OTel SDK + BatchSpanProcessor + no-op exporter, 20 000 spans/s in 5 ms ticks',
      writer: `DuckDbStore.writeBatch, ${BATCH_SPANS} spans every ${BATCH_EVERY_MS} ms (threads 1, 256 MiB)`,
      rounds,
      spans_per_phase: spans,
      main_thread_clock: 'thread CPU (schedstat)',
      off_us_per_span: r3(off),
      spin_us_per_span: r3(median(res.spin)),
      process_us_per_span: r3(median(res.process)),
      thread_us_per_span: r3(median(res.thread)),
      // Paired within each round (this machine's speed drifts by tens of percent over minutes).
      ratio_spin_to_off: r3(median(res.spin.map((x, i) => x / res.off[i]))),
      ratio_process_to_off: r3(median(res.process.map((x, i) => x / res.off[i]))),
      ratio_thread_to_off: r3(median(res.thread.map((x, i) => x / res.off[i]))),
      samples: CONDITIONS.map((c) => `${c} ${res[c].map(r3).join(' ')}`).join(' | '),
    };
  } finally {
    await provider.shutdown();
    for (const c of [child, spinner]) {
      if (c && c.exitCode === null) {
        c.kill('SIGCONT');
        c.kill('SIGKILL');
      }
    }
    if (worker) {
      // Let it close its store first: ending a thread inside a native DuckDB call can abort the process.
      const exited = new Promise((resolve) => worker!.once('exit', resolve));
      worker.postMessage({ stop: true });
      await Promise.race([exited, sleep(10_000)]);
      await worker.terminate();
    }
    rmSync(dir, { recursive: true, force: true });
  }
}

if (!isMainThread) {
  // The worker-thread writer.
  const { dbPath, budgetMs } = workerData as { dbPath: string; budgetMs: number };
  let paused = true;
  let stopped = false;
  parentPort!.on('message', (m: { paused?: boolean; stop?: boolean }) => {
    if (m.stop) stopped = true;
    else paused = m.paused === true;
  });
  await runWriter(dbPath, () => paused, () => parentPort!.postMessage('ready'), budgetMs, () => stopped);
  parentPort!.close();
} else if (process.argv[2] === '--writer') {
  // The child-process writer: paused and resumed with SIGSTOP / SIGCONT.
  await runWriter(process.argv[3], () => false, () => process.send?.('ready'), Number(process.argv[4]));
  process.exit(0);
} else if (process.argv[2] === '--spinner') {
  // Busy on arithmetic (no allocation) until the budget runs out; paused with SIGSTOP / SIGCONT.
  const end = performance.now() + Number(process.argv[3]);
  let x = 0;
  while (performance.now() < end) for (let i = 0; i < 1e6; i++) x = (x * 1664525 + 1013904223) % 4294967296;
  process.exit(x === -1 ? 1 : 0);
} else if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const quick = process.argv.includes('--quick');
  const i = process.argv.indexOf('--rounds');
  const rounds = i >= 0 ? Number(process.argv[i + 1]) : quick ? 3 : 8;
  console.log(JSON.stringify(await benchInterference({ rounds, spansPerPhase: quick ? 12_000 : 30_000 }), null, 2));
}
