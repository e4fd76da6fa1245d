import { tmpdir, userInfo } from 'node:os';
import { join, resolve } from 'node:path';

export type ExporterKind = 'duckdb' | 'otlp' | 'none';

/** Every setting of the instrumentation, resolved once: explicit option → env var → default. */
export interface AgentpulseConfig {
  disabled: boolean;
  exporter: ExporterKind;
  dbPath: string;
  otlpEndpoint: string | null;
  /** Where OTLP batches the collector did not take wait to be re-sent (one subfolder per endpoint). */
  spoolDir: string;
  serviceName: string | null;
  captureContent: boolean;
  contentMaxChars: number;
  /** How long exit/signal handlers may block waiting for the store write to commit. */
  exitFlushTimeoutMs: number;
  /** The background writer closes the DB after this long without writes, so other processes can use the file. */
  idleCloseMs: number;
  /** DuckDB's memory limit in the embedded writer (AGENTPULSE_WRITER_MEMORY_LIMIT, e.g. '256MiB'; default '256MiB'). */
  writerMemoryLimit: string;
  /** How often a process that found the DB locked retries, and how often the writer looks for others' spool. */
  lockRetryMs: number;
  maxQueueSize: number;
  maxExportBatchSize: number;
  scheduledDelayMs: number;
}

export type AgentpulseOptions = Partial<AgentpulseConfig>;

type Env = Record<string, string | undefined>;

function bool(v: string | undefined): boolean | undefined {
  if (v === undefined || v.trim() === '') return undefined;
  return ['true', '1', 'yes', 'on'].includes(v.trim().toLowerCase());
}

/** A DuckDB memory size ('96MB', '1GB', '512MiB'); undefined when absent or not one. */
function memoryLimit(v: string | undefined): string | undefined {
  const t = v?.trim();
  return t && /^\d+(\.\d+)?\s*(B|KB|MB|GB|TB|KiB|MiB|GiB|TiB)$/i.test(t) ? t : undefined;
}

function int(v: string | undefined): number | undefined {
  if (v === undefined || v.trim() === '') return undefined;
  const n = Number(v);
  return Number.isFinite(n) && n >= 0 ? Math.trunc(n) : undefined;
}

/** Who owns the default spool folder: the uid where there is one, else the user name. */
function currentUser(): string {
  const uid = process.getuid?.();
  if (uid !== undefined) return String(uid);
  try {
    return userInfo().username.replace(/[^A-Za-z0-9._-]/g, '_');
  } catch {
    return 'user';
  }
}

/** Resolves configuration in one place, honouring the standard OTEL_* variables. */
export function resolveConfig(options: AgentpulseOptions = {}, env: Env = process.env): AgentpulseConfig {
  const otlpEndpoint = options.otlpEndpoint ?? env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT ?? env.OTEL_EXPORTER_OTLP_ENDPOINT ?? null;
  const exporterEnv = env.AGENTPULSE_EXPORTER?.trim().toLowerCase();
  const exporter: ExporterKind =
    options.exporter ??
    (exporterEnv === 'duckdb' || exporterEnv === 'otlp' || exporterEnv === 'none' ? exporterEnv : otlpEndpoint ? 'otlp' : 'duckdb');
  return {
    disabled: options.disabled ?? bool(env.OTEL_SDK_DISABLED) ?? false,
    exporter,
    dbPath: resolve(options.dbPath ?? env.AGENTPULSE_DB ?? 'agentpulse.duckdb'),
    otlpEndpoint,
    spoolDir: resolve(options.spoolDir ?? env.AGENTPULSE_SPOOL_DIR ?? join(tmpdir(), `agentpulse-otlp-spool-${currentUser()}`)),
    serviceName: options.serviceName ?? env.OTEL_SERVICE_NAME ?? null,
    captureContent: options.captureContent ?? bool(env.AGENTPULSE_CAPTURE_CONTENT) ?? false,
    contentMaxChars: options.contentMaxChars ?? int(env.AGENTPULSE_CONTENT_MAX_CHARS) ?? 4096,
    exitFlushTimeoutMs: options.exitFlushTimeoutMs ?? int(env.AGENTPULSE_EXIT_FLUSH_TIMEOUT_MS) ?? 5000,
    idleCloseMs: options.idleCloseMs ?? int(env.AGENTPULSE_IDLE_CLOSE_MS) ?? 3000,
    writerMemoryLimit: options.writerMemoryLimit ?? memoryLimit(env.AGENTPULSE_WRITER_MEMORY_LIMIT) ?? '256MiB',
    lockRetryMs: options.lockRetryMs ?? int(env.AGENTPULSE_LOCK_RETRY_MS) ?? 2000,
    maxQueueSize: options.maxQueueSize ?? int(env.OTEL_BSP_MAX_QUEUE_SIZE) ?? 65_536,
    maxExportBatchSize: options.maxExportBatchSize ?? int(env.OTEL_BSP_MAX_EXPORT_BATCH_SIZE) ?? 2048,
    scheduledDelayMs: options.scheduledDelayMs ?? int(env.OTEL_BSP_SCHEDULE_DELAY) ?? 500,
  };
}
