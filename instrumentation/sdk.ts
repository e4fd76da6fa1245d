import { diag } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { CompositePropagator, W3CBaggagePropagator, W3CTraceContextPropagator } from '@opentelemetry/core';
import { defaultResource, detectResources, envDetector, resourceFromAttributes } from '@opentelemetry/resources';
import { BatchSpanProcessor } from '@opentelemetry/sdk-trace-base';
import type { ReadableSpan, SpanExporter, SpanProcessor } from '@opentelemetry/sdk-trace-base';
import { NodeTracerProvider } from '@opentelemetry/sdk-trace-node';
import { resolveConfig } from './config.js';
import type { AgentpulseConfig, AgentpulseOptions } from './config.js';
import { DuckDbSpanExporter } from './DuckDbSpanExporter.js';
import { DuckDbSpanProcessor } from './DuckDbSpanProcessor.js';
import { blindCopiesNotice, registerGlobally } from './globalApi.js';
import { AdapterSpanProcessor } from './adapters/AdapterSpanProcessor.js';
import { SlicedExporter } from './SlicedExporter.js';
import { SpoolingExporter } from './SpoolingExporter.js';

/** BatchSpanProcessor that counts ended spans, so exit hooks know whether a flush is owed. */
class CountingBatchProcessor extends BatchSpanProcessor {
  ended = 0;
  override onEnd(span: ReadableSpan): void {
    this.ended++;
    super.onEnd(span);
  }
}

export interface AgentpulseHandle {
  config: AgentpulseConfig;
  provider: NodeTracerProvider;
  exporter: SpanExporter;
  /** Exports everything ended so far and waits until it is stored (or sent). */
  forceFlush(): Promise<void>;
  /** Flushes and releases the writer; idempotent. */
  shutdown(): Promise<void>;
  /** Spans ended so far, and those shed because the writer (or the collector) could not keep up. */
  stats(): { ended: number; dropped: number };
}

/** OTEL_EXPORTER_OTLP_(TRACES_)HEADERS as a record ("k=v,k2=v2", values URL-encoded). */
function otlpHeaders(): Record<string, string> {
  const raw = process.env.OTEL_EXPORTER_OTLP_TRACES_HEADERS ?? process.env.OTEL_EXPORTER_OTLP_HEADERS ?? '';
  const out: Record<string, string> = {};
  for (const part of raw.split(',')) {
    const eq = part.indexOf('=');
    if (eq > 0) out[decodeURIComponent(part.slice(0, eq).trim())] = decodeURIComponent(part.slice(eq + 1).trim());
  }
  return out;
}

async function createOtlpExporter(config: AgentpulseConfig): Promise<SpanExporter> {
  const protocol = (process.env.OTEL_EXPORTER_OTLP_TRACES_PROTOCOL ?? process.env.OTEL_EXPORTER_OTLP_PROTOCOL ?? 'http/protobuf').trim();
  const tracesUrl =
    process.env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT ||
    `${(config.otlpEndpoint ?? 'http://localhost:4318').replace(/\/+$/, '')}/v1/traces`;
  const inner =
    protocol === 'http/json'
      ? new (await import('@opentelemetry/exporter-trace-otlp-http')).OTLPTraceExporter({ url: tracesUrl })
      : new (await import('@opentelemetry/exporter-trace-otlp-proto')).OTLPTraceExporter({ url: tracesUrl });
  // A collector that is down must not lose spans: what it does not take is spooled and re-sent.
  // Serialised a slice at a time: a 2048-span batch encoded in one go held the host's event loop ~30 ms.
  return new SpoolingExporter(new SlicedExporter(inner), { dir: config.spoolDir, url: tracesUrl, headers: otlpHeaders() });
}

class NoopExporter implements SpanExporter {
  export(_spans: ReadableSpan[], cb: (r: { code: number }) => void): void {
    cb({ code: 0 });
  }
  shutdown(): Promise<void> {
    return Promise.resolve();
  }
}

/**
 * The span processors startAgentpulse installs for `exporter`: adapter enrichment (cost,
 * Vercel AI mapping) first, then the exporting one. The embedded store encodes spans as they
 * end (DuckDbSpanProcessor); any other exporter goes through the SDK's batch processor.
 * The instrumentation benchmark measures exactly this pipeline.
 */
export function agentpulseSpanProcessors(
  config: AgentpulseConfig,
  exporter: SpanExporter,
): { processor: CountingBatchProcessor | DuckDbSpanProcessor; spanProcessors: SpanProcessor[] } {
  const processor =
    exporter instanceof DuckDbSpanExporter
      ? new DuckDbSpanProcessor(exporter, { maxBatchSpans: config.maxExportBatchSize, scheduledDelayMs: config.scheduledDelayMs })
      : new CountingBatchProcessor(exporter, {
          maxQueueSize: config.maxQueueSize,
          maxExportBatchSize: config.maxExportBatchSize,
          scheduledDelayMillis: config.scheduledDelayMs,
          exportTimeoutMillis: 30_000,
        });
  const adapterProcessor = new AdapterSpanProcessor({ captureContent: config.captureContent, contentMaxChars: config.contentMaxChars });
  return { processor, spanProcessors: [adapterProcessor, processor] };
}

let active: AgentpulseHandle | null = null;

/**
 * What `provider.register()` does, but through the newest `@opentelemetry/api` copy in the
 * process (the app may pin its own), so that the app's copy sees the provider; see globalApi.ts.
 */
function registerProvider(provider: NodeTracerProvider): void {
  try {
    const contextManager = new AsyncLocalStorageContextManager().enable();
    const propagator = new CompositePropagator({ propagators: [new W3CTraceContextPropagator(), new W3CBaggagePropagator()] });
    const registration = registerGlobally(provider, contextManager, propagator);
    if (!registration) return provider.register();
    const notice = blindCopiesNotice(registration);
    if (notice) process.stderr.write(notice + '\n');
  } catch (err) {
    diag.error('agentpulse: registering through the app\'s @opentelemetry/api failed', err);
    provider.register();
  }
}

/**
 * Sets up the OpenTelemetry SDK for this process: resource from OTEL_SERVICE_NAME /
 * OTEL_RESOURCE_ATTRIBUTES, sampler from OTEL_TRACES_SAMPLER(_ARG), spans to the embedded
 * DuckDB store (default) or to an OTLP endpoint, and exit/signal hooks that flush.
 * Returns null when OTEL_SDK_DISABLED is true. Calling it twice returns the first handle.
 * @example
 * const ap = await startAgentpulse({ dbPath: 'agents.duckdb' });
 * // ... run agents ...
 * await ap.shutdown();
 */
export async function startAgentpulse(options: AgentpulseOptions = {}): Promise<AgentpulseHandle | null> {
  if (active) return active;
  const config = resolveConfig(options);
  if (config.disabled) return null;

  let resource = defaultResource().merge(detectResources({ detectors: [envDetector] }));
  if (options.serviceName) resource = resource.merge(resourceFromAttributes({ 'service.name': options.serviceName }));

  const exporter: SpanExporter =
    config.exporter === 'duckdb'
      ? new DuckDbSpanExporter({ dbPath: config.dbPath, idleCloseMs: config.idleCloseMs, lockRetryMs: config.lockRetryMs, memoryLimit: config.writerMemoryLimit })
      : config.exporter === 'otlp'
        ? await createOtlpExporter(config)
        : new NoopExporter();
  const { processor, spanProcessors } = agentpulseSpanProcessors(config, exporter);
  const provider = new NodeTracerProvider({ resource, spanProcessors });
  registerProvider(provider);

  let shutdownPromise: Promise<void> | null = null;
  const forceFlush = async (): Promise<void> => {
    await provider.forceFlush();
    await exporter.forceFlush?.();
  };
  const handle: AgentpulseHandle = {
    config,
    provider,
    exporter,
    forceFlush,
    shutdown: () => (shutdownPromise ??= (async () => {
      removeHooks();
      await provider.shutdown();
    })()),
    stats: () => ({ ended: processor.ended, dropped: processor instanceof DuckDbSpanProcessor ? processor.dropped : exporter instanceof SpoolingExporter ? exporter.dropped : 0 }),
  };

  /**
   * Flushes synchronously; with `close` the process is ending: the writer closes the store, and
   * OTLP batches the collector has not taken (sending, or between retries) are spooled.
   */
  const flushSync = (close: boolean): void => {
    // Both processors hand what they hold to the exporter synchronously; then block until stored.
    void processor.forceFlush().catch(() => undefined);
    if (exporter instanceof DuckDbSpanExporter) {
      const started = Date.now();
      exporter.flushSync(config.exitFlushTimeoutMs);
      if (close) exporter.closeSync(Math.max(1000, config.exitFlushTimeoutMs - (Date.now() - started)));
    } else if (close && exporter instanceof SpoolingExporter) {
      exporter.spoolPendingSync();
    }
  };
  let flushedAt = -1;
  const onBeforeExit = (): void => {
    if (processor.ended === flushedAt) return;
    flushedAt = processor.ended;
    forceFlush().catch((err: unknown) => diag.error('agentpulse: flush at exit failed', err));
  };
  const onExit = (): void => flushSync(true);
  const onSignal = (signal: NodeJS.Signals): void => {
    // Only re-raise when we are the sole listener: otherwise the host handles the signal itself
    // (and keeps running, so the writer stays open).
    const sole = process.listenerCount(signal) === 1;
    flushSync(sole && config.exporter === 'duckdb');
    if (sole) {
      removeHooks();
      if (config.exporter === 'duckdb') process.kill(process.pid, signal);
      else if (exporter instanceof SpoolingExporter) {
        // A collector that answers gets a moment to take what is in flight; one that does not
        // (the exporter is between retries) would hold the spans for its whole timeout: spool them now.
        void settle(exporter, exporter.lastExportSucceeded ? config.exitFlushTimeoutMs : 0).finally(() => {
          exporter.spoolPendingSync();
          process.kill(process.pid, signal);
        });
      } else void forceFlush().finally(() => process.kill(process.pid, signal));
    }
  };
  const signals: NodeJS.Signals[] = ['SIGTERM', 'SIGINT', 'SIGHUP'];
  process.on('beforeExit', onBeforeExit);
  process.on('exit', onExit);
  for (const s of signals) process.on(s, onSignal);
  function removeHooks(): void {
    process.off('beforeExit', onBeforeExit);
    process.off('exit', onExit);
    for (const s of signals) process.off(s, onSignal);
  }

  active = handle;
  return handle;
}

/** Resolves once `exporter` holds no unacknowledged batch, or after `ms`. The timer is ref'd: the exit waits on it. */
function settle(exporter: SpoolingExporter, ms: number): Promise<void> {
  const deadline = Date.now() + ms;
  return new Promise((resolve) => {
    const check = (): void => {
      if (exporter.pendingSpans === 0 || Date.now() >= deadline) resolve();
      else setTimeout(check, 20);
    };
    check();
  });
}

/** The handle of the running SDK, if agentpulse started it. */
export function currentAgentpulse(): AgentpulseHandle | null {
  return active;
}
