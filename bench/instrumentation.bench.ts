/**
 * Instrumentation overhead benchmark (issue 2, bench a). Same process, same span
 * workload, same pacing, two pipelines:
 *   baseline  = OTel SDK (BasicTracerProvider + BatchSpanProcessor) with a no-op exporter
 *   agentpulse = the same SDK with the span processors startAgentpulse installs (adapter
 *                enrichment + DuckDbSpanProcessor → DuckDbSpanExporter's worker-thread writer,
 *                one DB file for the run), with every framework adapter's hooks installed as the preload
 *                does; `--pipeline exporter` puts DuckDbSpanExporter in the SDK's BatchSpanProcessor instead
 * Reported per span: main-thread CPU time (Linux `/proc/thread-self/schedstat`, so a
 * loaded shared machine does not inflate it), event-loop active (wall) time from
 * `performance.eventLoopUtilization()`, total process CPU from `process.cpuUsage()`
 * (all threads, DuckDB included), and p50/p99/max event-loop delay from
 * `monitorEventLoopDelay` while exporting. Each round runs both pipelines back to back
 * (alternating which goes first); the main-thread ratio is the median over rounds of the
 * ratio within each round, so slow drifts in machine speed (these VMs drift by ±20 % over
 * minutes) cancel within a pair. Per-pipeline medians are reported too. Every agentpulse span must land in the DB (rows are counted).
 *
 * Spans are produced at a fixed rate (default 20 000 spans/s, below what the writer
 * sustains on the 2-core box) in small slices, so the event loop runs between slices
 * the way an agent process does while it awaits model and tool calls.
 *
 * Two workloads: `sdk` (tracer.startSpan with explicit parent contexts: the leanest
 * baseline, so the strictest ratio) and `api` (agentpulse's traceAgent/traceChat/traceTool
 * under NodeTracerProvider's AsyncLocalStorage context manager, as agent code runs).
 *
 * One writer thread and one DB file serve every agentpulse round, as in a long-lived host; all spans
 * are counted in the file at the end. `--variant encode|adapters` runs only part of the pipeline, for a
 * breakdown of the overhead (see Variant).
 *
 * Run: npm run build && node dist/bench/instrumentation.bench.js [--quick] [--workload sdk|api] [--pipeline processor|exporter] [--variant full|encode|adapters] [--spans N] [--rate R] [--rounds K]
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { PerformanceObserver, monitorEventLoopDelay, performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { ROOT_CONTEXT, SpanKind, SpanStatusCode, context, propagation, trace } from '@opentelemetry/api';
import type { Tracer } from '@opentelemetry/api';
import { ExportResultCode } from '@opentelemetry/core';
import type { ExportResult } from '@opentelemetry/core';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BasicTracerProvider, BatchSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { NodeTracerProvider } from '@opentelemetry/sdk-trace-node';
import { recordError, recordUsage, traceAgent, traceChat, traceTool } from '../instrumentation/api.js';
import type { ReadableSpan, SpanExporter, SpanProcessor } from '@opentelemetry/sdk-trace-base';
import { AdapterSpanProcessor } from '../instrumentation/adapters/AdapterSpanProcessor.js';
import { DuckDbSpanProcessor } from '../instrumentation/DuckDbSpanProcessor.js';
import { resolveConfig } from '../instrumentation/config.js';
import { installAdapters } from '../instrumentation/adapters/install.js';
import { agentpulseSpanProcessors } from '../instrumentation/sdk.js';
import { DuckDbSpanExporter } from '../instrumentation/DuckDbSpanExporter.js';
import { DuckDbStore } from '../store/DuckDbStore.js';

export const SPANS_PER_TRACE = 6;
const AGENTS = ['planner', 'coder', 'reviewer', 'researcher', 'tester'];
const MODELS = ['gpt-4o', 'gpt-4o-mini', 'claude-sonnet-4'];
const TOOLS = ['web_search', 'read_file', 'run_tests'];

class NoopExporter implements SpanExporter {
  export(_spans: ReadableSpan[], cb: (r: ExportResult) => void): void {
    cb({ code: ExportResultCode.SUCCESS });
  }
  shutdown(): Promise<void> {
    return Promise.resolve();
  }
}

let traceSeq = 0;

/** One agent run: invoke_agent root → 3 chat + 2 execute_tool children, ~8 GenAI attributes each. */
export function agentTrace(tracer: Tracer): void {
  const n = traceSeq++;
  const agent = AGENTS[n % AGENTS.length];
  const task = `task-${n}`;
  const root = tracer.startSpan(`invoke_agent ${agent}`, {
    kind: SpanKind.INTERNAL,
    attributes: {
      'gen_ai.operation.name': 'invoke_agent',
      'gen_ai.agent.name': agent,
      'gen_ai.agent.id': `${agent}-1`,
      'agentpulse.task.id': task,
      'agentpulse.task.type': n % 3 === 0 ? 'bugfix' : 'feature',
      'agentpulse.team.id': `team-${n % 11}`,
      'agentpulse.team.members': ['coder', 'planner', 'reviewer'],
      'agentpulse.context.size': 4000 + (n % 900),
    },
  });
  const ctx = trace.setSpan(ROOT_CONTEXT, root);
  for (let c = 1; c <= 5; c++) {
    if (c === 2 || c === 4) {
      const tool = TOOLS[(n + c) % TOOLS.length];
      const s = tracer.startSpan(
        `execute_tool ${tool}`,
        {
          kind: SpanKind.INTERNAL,
          attributes: {
            'gen_ai.operation.name': 'execute_tool',
            'gen_ai.tool.name': tool,
            'gen_ai.tool.call.id': `call_${n}_${c}`,
            'gen_ai.agent.name': agent,
            'agentpulse.task.id': task,
            'agentpulse.task.type': 'feature',
            'agentpulse.team.id': `team-${n % 11}`,
            'agentpulse.queue.depth': n % 4,
          },
        },
        ctx,
      );
      if (n % 20 === 0) {
        s.recordException({ name: 'ENOENT', message: 'no such file' });
        s.setAttribute('error.type', 'ENOENT');
        s.setStatus({ code: SpanStatusCode.ERROR, message: 'no such file' });
      }
      s.end();
    } else {
      const model = MODELS[(n + c) % MODELS.length];
      const s = tracer.startSpan(
        `chat ${model}`,
        {
          kind: SpanKind.CLIENT,
          attributes: {
            'gen_ai.operation.name': 'chat',
            'gen_ai.provider.name': model.startsWith('gpt') ? 'openai' : 'anthropic',
            'gen_ai.request.model': model,
            'gen_ai.agent.name': agent,
            'agentpulse.task.id': task,
          },
        },
        ctx,
      );
      s.setAttributes({
        'gen_ai.usage.input_tokens': 1000 + (n % 3000),
        'gen_ai.usage.output_tokens': 100 + (n % 400),
        'agentpulse.cost.usd': 0.0001 * (1 + (n % 50)),
      });
      s.end();
    }
  }
  root.end();
}

/**
 * CPU time of the calling thread in ns from Linux schedstat (not wall time, so other
 * processes on a shared machine do not inflate it); null where unavailable.
 */
export function threadCpuNs(): number | null {
  try {
    return Number(readFileSync('/proc/thread-self/schedstat', 'utf8').split(' ')[0]);
  } catch {
    return null;
  }
}

const TICK_MS = 5;

/**
 * Makes `traces` agent traces at `rate` spans/s in slices, one every 5 ms, so the event loop runs
 * between slices the way an agent process's does while it awaits model and tool calls.
 */
export async function paced(traces: number, rate: number, make: (n: number) => void | Promise<void>): Promise<void> {
  const perTick = Math.max(1, Math.round((rate * TICK_MS) / 1000 / SPANS_PER_TRACE));
  const t0 = performance.now();
  for (let done = 0, tick = 1; done < traces; tick++) {
    const n = Math.min(perTick, traces - done);
    await make(n);
    done += n;
    const wait = t0 + tick * TICK_MS - performance.now();
    await sleep(wait > 0 ? wait : 0);
  }
}

/**
 * The same agent run through agentpulse's own API (async functions, spans made active
 * through the AsyncLocalStorage context manager), as instrumented agent code runs.
 */
async function apiTrace(): Promise<void> {
  const n = traceSeq++;
  const agent = AGENTS[n % AGENTS.length];
  await traceAgent({ name: agent, id: `${agent}-1`, contextSize: 4000 + (n % 900) }, async () => {
    for (let c = 1; c <= 5; c++) {
      if (c === 2 || c === 4) {
        await traceTool({ name: TOOLS[(n + c) % TOOLS.length], callId: `call_${n}_${c}` }, async (span) => {
          if (n % 20 === 0) recordError(span, Object.assign(new Error('no such file'), { code: 'ENOENT' }));
        });
      } else {
        const model = MODELS[(n + c) % MODELS.length];
        await traceChat({ provider: model.startsWith('gpt') ? 'openai' : 'anthropic', model }, async (span) => {
          recordUsage(span, { inputTokens: 1000 + (n % 3000), outputTokens: 100 + (n % 400), costUsd: 0.0001 * (1 + (n % 50)) });
        });
      }
    }
  }).catch(() => undefined);
}

type Workload = 'sdk' | 'api';

interface PhaseResult {
  /** Main-thread CPU µs per span (schedstat); falls back to event-loop active time. */
  mainCpuUsPerSpan: number;
  /** Event-loop active (wall) µs per span: includes time the thread was runnable but descheduled. */
  mainUsPerSpan: number;
  cpuUsPerSpan: number;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
  /** Main-thread garbage-collection pause time per span (µs), from the `gc` performance entries. */
  gcUsPerSpan: number;
  /** Spans made in the timed window (each round also makes 100 warm-up traces before it). */
  produced: number;
}

type Kind = 'noop' | 'agentpulse';

type Pipeline = 'processor' | 'exporter';

/**
 * What of agentpulse's pipeline runs (a breakdown of the overhead; the target is measured on 'full'):
 * 'full' = adapter enrichment + DuckDbSpanProcessor + the writer thread; 'encode' = the same
 * processors, but sealed batches are dropped on the host (no writer thread, no DuckDB);
 * 'adapters' = adapter enrichment in front of the baseline's own batch processor and no-op exporter.
 */
type Variant = 'full' | 'encode' | 'adapters';

/** Takes sealed batches and drops them: the host's side of the pipeline without a writer. */
function discardingWriter(): DuckDbSpanExporter {
  const sink = { addFlushSource: () => undefined, postEncoded: () => undefined, overBudget: false, forceFlush: () => Promise.resolve(), shutdown: () => Promise.resolve() };
  return sink as unknown as DuckDbSpanExporter;
}

function agentpulseProcessors(variant: Variant, writer: DuckDbSpanExporter, baseline: () => BatchSpanProcessor): SpanProcessor[] {
  const cfg = resolveConfig({});
  const adapters = (): AdapterSpanProcessor => new AdapterSpanProcessor({ captureContent: cfg.captureContent, contentMaxChars: cfg.contentMaxChars });
  if (variant === 'adapters') return [adapters(), baseline()];
  // What agentpulseSpanProcessors builds for a DuckDbSpanExporter, handing sealed batches to nobody.
  if (variant === 'encode') return [adapters(), new DuckDbSpanProcessor(discardingWriter(), { maxBatchSpans: cfg.maxExportBatchSize, scheduledDelayMs: cfg.scheduledDelayMs })];
  return agentpulseSpanProcessors(cfg, writer).spanProcessors;
}

/**
 * One timed run of one pipeline. The agentpulse pipelines share `writer`, one store writer for the
 * whole bench, as a long-lived host has one: a writer thread started per round would compile its
 * code afresh each time (on V8's background threads, beside the host's) and measure start-up,
 * which a host pays once.
 */
async function phase(kind: Kind, spans: number, rate: number, writer: DuckDbSpanExporter, workload: Workload, pipeline: Pipeline, variant: Variant): Promise<PhaseResult> {
  const cfg = resolveConfig({});
  const exporter: SpanExporter & { forceFlush?: () => Promise<void> } = kind === 'noop' || variant !== 'full' ? new NoopExporter() : writer;
  const batch = (): BatchSpanProcessor =>
    new BatchSpanProcessor(exporter, {
      maxQueueSize: cfg.maxQueueSize,
      maxExportBatchSize: cfg.maxExportBatchSize,
      scheduledDelayMillis: cfg.scheduledDelayMs,
    });
  const options = {
    resource: resourceFromAttributes({ 'service.name': 'bench-agents', 'service.version': '1.0.0', 'host.name': 'bench' }),
    // agentpulse: exactly what startAgentpulse installs (adapter enrichment + the store's processor),
    // or, with pipeline 'exporter', the DuckDbSpanExporter inside the SDK's own batch processor.
    spanProcessors:
      kind === 'noop' ? [batch()] : pipeline === 'exporter' ? [batch()] : agentpulseProcessors(variant, writer, batch),
  };
  let provider: BasicTracerProvider | NodeTracerProvider;
  if (workload === 'api') {
    const p = new NodeTracerProvider(options);
    p.register();
    provider = p;
  } else {
    provider = new BasicTracerProvider(options);
  }
  const tracer = provider.getTracer('agentpulse-bench', '0.1.0');
  const makeTraces = async (n: number): Promise<void> => {
    if (workload === 'api') await Promise.all(Array.from({ length: n }, apiTrace));
    else for (let i = 0; i < n; i++) agentTrace(tracer);
  };
  // Warm-up outside the window: starts the writer thread and opens the DB once, as a long-lived host would.
  await makeTraces(100);
  await provider.forceFlush();
  await exporter.forceFlush?.();

  const traces = Math.ceil(spans / SPANS_PER_TRACE);
  const delay = monitorEventLoopDelay({ resolution: 1 });
  let gcMs = 0;
  const gcObserver = new PerformanceObserver((list) => {
    for (const e of list.getEntries()) gcMs += e.duration;
  });
  gcObserver.observe({ entryTypes: ['gc'] });
  const elu0 = performance.eventLoopUtilization();
  const cpu0 = process.cpuUsage();
  const main0 = threadCpuNs();
  delay.enable();
  await paced(traces, rate, makeTraces);
  await provider.forceFlush();
  await exporter.forceFlush?.();
  delay.disable();
  const main1 = threadCpuNs();
  gcObserver.disconnect();
  const cpu = process.cpuUsage(cpu0);
  const elu = performance.eventLoopUtilization(elu0);
  const produced = traces * SPANS_PER_TRACE;
  // The shared writer outlives the round (its spans are counted at the end of the bench).
  if (kind === 'noop') await provider.shutdown();
  if (workload === 'api') {
    trace.disable();
    context.disable();
    propagation.disable();
  }
  return {
    mainCpuUsPerSpan: main0 !== null && main1 !== null ? (main1 - main0) / 1000 / produced : (elu.active * 1000) / produced,
    mainUsPerSpan: (elu.active * 1000) / produced,
    cpuUsPerSpan: (cpu.user + cpu.system) / produced,
    p50Ms: delay.percentile(50) / 1e6,
    p99Ms: delay.percentile(99) / 1e6,
    maxMs: delay.max / 1e6,
    gcUsPerSpan: (gcMs * 1000) / produced,
    produced,
  };
}

export const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[s.length >> 1] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
export const r3 = (x: number): number => Number(x.toFixed(3));

export interface InstrumentationBenchOptions {
  quick?: boolean;
  spans?: number;
  rate?: number;
  rounds?: number;
  /** 'sdk': tracer.startSpan with explicit parent contexts (leanest baseline); 'api': agentpulse's traceAgent/traceChat/traceTool. */
  workload?: Workload;
  /** 'processor' (default): the pipeline startAgentpulse installs; 'exporter': DuckDbSpanExporter inside the SDK's BatchSpanProcessor. */
  pipeline?: Pipeline;
  /** 'full' (default, the target's measure), or a part of it for a breakdown: 'encode', 'adapters'. */
  variant?: Variant;
}

/** Runs the baseline/agentpulse comparison; returns the figures (also printed when run directly). */
export async function benchInstrumentation(opts: InstrumentationBenchOptions = {}): Promise<Record<string, number | string | boolean>> {
  const spans = opts.spans ?? (opts.quick ? 24_000 : 40_000);
  const rate = opts.rate ?? 20_000;
  const rounds = opts.rounds ?? (opts.quick ? 3 : 9);
  const workload = opts.workload ?? 'sdk';
  const pipeline = opts.pipeline ?? 'processor';
  const variant = opts.variant ?? 'full';
  // As the preload does: every framework adapter's loader and require hooks are installed.
  installAdapters();
  const dir = mkdtempSync(join(tmpdir(), 'ap-bench-instr-'));
  const dbPath = join(dir, 'instr.duckdb');
  // Kept open between rounds (no idle close): a close checkpoints the file, and that must not land in a no-op round.
  const writer = new DuckDbSpanExporter({ dbPath, idleCloseMs: 3_600_000, onNotice: (m) => console.error(m) });
  const res: Record<Kind, PhaseResult[]> = { noop: [], agentpulse: [] };
  let stored = 0;
  let expected = 0;
  try {
    // One untimed pair first so both pipelines (and the writer thread) run JIT-compiled code in the timed rounds.
    await phase('noop', 12_000, rate, writer, workload, pipeline, variant);
    const warmUp = 100 * SPANS_PER_TRACE;
    expected += (await phase('agentpulse', 12_000, rate, writer, workload, pipeline, variant)).produced + warmUp;
    for (let r = 0; r < rounds; r++) {
      const order: Kind[] = r % 2 === 0 ? ['noop', 'agentpulse'] : ['agentpulse', 'noop'];
      for (const k of order) res[k].push(await phase(k, spans, rate, writer, workload, pipeline, variant));
    }
    expected += res.agentpulse.reduce((sum, x) => sum + x.produced + warmUp, 0);
    await writer.shutdown();
    if (variant === 'full') {
      const store = await DuckDbStore.open(dbPath, { readOnly: true });
      const [{ n }] = (await store.query('SELECT count(*) AS n FROM spans')) as [{ n: number }];
      await store.close();
      stored = Number(n);
    }
  } finally {
    await writer.shutdown();
    rmSync(dir, { recursive: true, force: true });
  }
  const m = (k: Kind, f: keyof PhaseResult): number => median(res[k].map((x) => x[f]));
  const mainBase = m('noop', 'mainCpuUsPerSpan');
  const mainAp = m('agentpulse', 'mainCpuUsPerSpan');
  const eluBase = m('noop', 'mainUsPerSpan');
  const eluAp = m('agentpulse', 'mainUsPerSpan');
  const cpuBase = m('noop', 'cpuUsPerSpan');
  const cpuAp = m('agentpulse', 'cpuUsPerSpan');
  const p99 = Math.max(...res.agentpulse.map((x) => x.p99Ms));
  const pairedMain = median(res.agentpulse.map((x, i) => x.mainCpuUsPerSpan / res.noop[i].mainCpuUsPerSpan));
  return {
    bench: 'instrumentation.overhead',
    workload,
    pipeline,
    variant,
    adapters_installed: true,
    spans_per_round: res.noop[0]?.produced ?? 0,
    rate_spans_per_s: rate,
    rounds,
    main_thread_clock: threadCpuNs() === null ? 'event-loop active time' : 'thread CPU (schedstat)',
    baseline_main_us_per_span: r3(mainBase),
    agentpulse_main_us_per_span: r3(mainAp),
    ratio_main_thread: r3(pairedMain),
    ratio_main_thread_of_medians: r3(mainAp / mainBase),
    target_ratio_main_thread: 1.3,
    baseline_loop_active_us_per_span: r3(eluBase),
    agentpulse_loop_active_us_per_span: r3(eluAp),
    ratio_loop_active: r3(eluAp / eluBase),
    baseline_cpu_us_per_span: r3(cpuBase),
    agentpulse_cpu_us_per_span: r3(cpuAp),
    ratio_process_cpu: r3(cpuAp / cpuBase),
    baseline_gc_us_per_span: r3(m('noop', 'gcUsPerSpan')),
    agentpulse_gc_us_per_span: r3(m('agentpulse', 'gcUsPerSpan')),
    baseline_loop_delay_p99_ms: r3(m('noop', 'p99Ms')),
    agentpulse_loop_delay_p50_ms: r3(m('agentpulse', 'p50Ms')),
    agentpulse_loop_delay_p99_ms_median: r3(m('agentpulse', 'p99Ms')),
    agentpulse_loop_delay_p99_ms_worst: r3(p99),
    agentpulse_loop_delay_max_ms_worst: r3(Math.max(...res.agentpulse.map((x) => x.maxMs))),
    target_loop_delay_p99_ms: 5,
    all_spans_stored: variant === 'full' ? stored === expected : 'not stored (variant ' + variant + ')',
    spans_stored: stored,
    main_samples: `noop ${res.noop.map((x) => r3(x.mainCpuUsPerSpan)).join(' ')} | agentpulse ${res.agentpulse.map((x) => r3(x.mainCpuUsPerSpan)).join(' ')}`,
  };
}

function arg(name: string): number | undefined {
  const i = process.argv.indexOf(`--${name}`);
  const v = i >= 0 ? Number(process.argv[i + 1]) : NaN;
  return Number.isFinite(v) && v > 0 ? v : undefined;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const quick = process.argv.includes('--quick');
  const w = process.argv.indexOf('--workload');
  const only = w >= 0 ? (process.argv[w + 1] as Workload) : undefined;
  for (const workload of only ? [only] : (['sdk', 'api'] as Workload[])) {
    const p = process.argv.indexOf('--pipeline');
    const pipeline = p >= 0 ? (process.argv[p + 1] as Pipeline) : undefined;
    const v = process.argv.indexOf('--variant');
    const variant = v >= 0 ? (process.argv[v + 1] as Variant) : undefined;
    if (variant !== undefined && !['full', 'encode', 'adapters'].includes(variant)) throw new Error(`--variant: full, encode or adapters, not ${variant}`);
    const r = await benchInstrumentation({ quick, spans: arg('spans'), rate: arg('rate'), rounds: arg('rounds'), workload, pipeline, variant });
    console.log(JSON.stringify(r, null, 2));
  }
}
