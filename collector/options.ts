import { z } from 'zod';
import type { DuckDBInstance } from '@duckdb/node-api';
import type { SpanSink } from './ingest/IngestQueue.js';
import { isLoopbackHost, listFromEnv, ServerConfigError } from '../http/addresses.js';
import type { ApiHandler } from '../http/route.js';

/** What the collector needs from a store: batch writes, and a DuckDB instance for /api/sql. */
export interface CollectorStore extends SpanSink {
  /**
   * Ingests spool segments that embedded exporters wrote while this collector held the
   * database lock, and the command hooks' journal; polled while the collector runs (see `storeSpoolPollMs`).
   */
  ingestSpool?(): Promise<unknown>;
  /** Read connections for /api/sql are opened on this instance (their own, so a time-limit interrupt hits only them). */
  readonly instance?: DuckDBInstance;
  /**
   * Forbids the database engine every file and network access beyond its own database, and
   * locks its settings, for the whole instance: defence in depth under /api/sql's guard.
   */
  sandbox?(): Promise<void>;
}

export type { ApiContext, ApiHandler } from '../http/route.js';

const numbers = z.object({
  host: z.string().min(1).default('127.0.0.1'),
  port: z.number().int().min(0).max(65535).default(4318),
  token: z.string().min(16, 'the token must be at least 16 characters').nullable().default(null),
  spoolDir: z.string().min(1).nullable().default(null),
  maxBodyBytes: z.number().int().positive().default(16 * 1024 * 1024),
  maxDecompressedBytes: z.number().int().positive().default(64 * 1024 * 1024),
  maxInflightBytes: z.number().int().positive().default(128 * 1024 * 1024),
  maxQueueSpans: z.number().int().positive().default(100_000),
  maxQueueBytes: z.number().int().positive().default(64 * 1024 * 1024),
  maxBatchSpans: z.number().int().positive().default(16_384),
  /**
   * With a spool, requests are acknowledged once fsynced to its write-ahead log and the store
   * commits once a transaction holds this many spans (a DuckDB row group: appended data is then
   * written straight to the database file) or `maxCommitDelayMs` after it opened.
   */
  commitSpans: z.number().int().positive().default(122_880),
  maxCommitDelayMs: z.number().int().positive().default(1_000),
  maxSpoolBytes: z.number().int().nonnegative().default(1024 * 1024 * 1024),
  retryAfterSeconds: z.number().int().positive().default(1),
  headersTimeoutMs: z.number().int().positive().default(10_000),
  requestTimeoutMs: z.number().int().positive().default(30_000),
  keepAliveTimeoutMs: z.number().int().positive().default(5_000),
  storeSpoolPollMs: z.number().int().nonnegative().default(1_000),
  sqlMaxRows: z.number().int().positive().default(10_000),
  sqlTimeoutMs: z.number().int().positive().default(10_000),
  /** `/api/sql` result bytes at most (DuckDB's text form of the rows); larger answers 413. */
  sqlMaxBytes: z.number().int().positive().default(16 * 1024 * 1024),
  /**
   * Host names served besides the loopback ones (a reverse proxy's public name); any other `Host`
   * is refused on a loopback bind (DNS rebinding). Env: `AGENTPULSE_ALLOWED_HOSTS`, comma-separated.
   */
  allowedHosts: z.array(z.string().min(1).max(253)).default([]),
});

export type CollectorSettings = z.infer<typeof numbers>;

export interface CollectorOptions extends Partial<CollectorSettings> {
  /** The opened store; the caller owns it (the collector never closes it). */
  store: CollectorStore;
  /** Extra routes, keyed `'GET /api/traces/:id'`; matched after the built-in ones. */
  routes?: Record<string, ApiHandler>;
  /**
   * Calls `store.sandbox()` before serving (default true): after that the store's instance can
   * read and write only its own database, so keep a separate store for exports and COPY.
   */
  sandboxStore?: boolean;
  /** Background failures (store writes, spool replay); default logs one line to stderr. */
  onError?: (err: unknown, context: string) => void;
}

/** Raised at start-up when the options are unsafe or invalid (the collector's name for `ServerConfigError`). */
export const CollectorConfigError = ServerConfigError;
export type CollectorConfigError = ServerConfigError;

export { isLoopbackHost, listFromEnv };

/**
 * Resolves options in one place: explicit option → env var (`AGENTPULSE_TOKEN`) → default,
 * and refuses to listen beyond loopback without a token.
 */
export function resolveCollectorSettings(opts: Partial<CollectorSettings>, env: NodeJS.ProcessEnv = process.env): CollectorSettings {
  const token = opts.token ?? (env.AGENTPULSE_TOKEN ? env.AGENTPULSE_TOKEN : null);
  const allowedHosts = opts.allowedHosts ?? listFromEnv(env.AGENTPULSE_ALLOWED_HOSTS);
  const parsed = numbers.safeParse({ ...stripUndefined(opts), token, allowedHosts });
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new CollectorConfigError(`invalid collector option ${issue.path.join('.') || ''}: ${issue.message}`);
  }
  const s = parsed.data;
  if (!isLoopbackHost(s.host) && s.token === null) {
    throw new CollectorConfigError(
      `refusing to listen on ${s.host} without a token: set AGENTPULSE_TOKEN (or pass a token) so every route but /healthz requires "Authorization: Bearer <token>", or bind to 127.0.0.1`,
    );
  }
  return s;
}

function stripUndefined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}
