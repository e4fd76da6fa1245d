import type { IncomingMessage, ServerResponse } from 'node:http';
import type { TelemetryBatch } from '../../store/signals.js';
import { JsonDecodeError } from '../otlp/json.js';
import { ProtoDecodeError } from '../otlp/ProtoReader.js';
import { CONTENT_TYPES, encodeExportResponse, encodeStatus, type OtlpEncoding } from '../otlp/response.js';
import { HttpError } from '../../http/HttpError.js';
import { readBody, type ReadBodyOptions } from '../../http/readBody.js';
import { send } from '../../http/send.js';
import type { IngestQueue } from '../ingest/IngestQueue.js';
import { isQueueFullError, isStoreUnavailableError } from '../ingest/errors.js';
import type { CollectorMetrics } from '../CollectorMetrics.js';

/** What decoding one OTLP request of any signal gave: the records to store and the per-record rejections. */
export interface SignalDecoded {
  records: TelemetryBatch;
  /** Records of the request's own signal that were accepted (spans, log records or data points). */
  accepted: number;
  rejected: number;
  errorMessage: string;
}

/**
 * One OTLP signal the collector receives: its path, its spool frame kinds, and how a request body
 * becomes records. The same `decode` runs on live requests and on spool replay, so a replayed
 * request stores exactly what the live one would have.
 */
export interface OtlpSignal {
  readonly path: '/v1/traces' | '/v1/logs' | '/v1/metrics';
  /** Spool and write-ahead-log frame kind per encoding (the log stores bodies, not objects). */
  readonly spoolKind: Readonly<Record<OtlpEncoding, number>>;
  /** Decodes in slices; throws ProtoDecodeError / JsonDecodeError for a body that is not this request at all. */
  decode(encoding: OtlpEncoding, body: Buffer, metrics: CollectorMetrics | null): Promise<SignalDecoded>;
}

export function encodingOf(req: IncomingMessage): OtlpEncoding | null {
  const ct = (req.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
  if (ct === 'application/x-protobuf' || ct === 'application/protobuf') return 'protobuf';
  if (ct === 'application/json') return 'json';
  return null;
}

// google.rpc.Code values for the Status body of a failed OTLP request.
const GRPC_CODE: Record<number, number> = { 400: 3, 401: 16, 413: 8, 415: 3, 429: 8, 501: 12, 503: 14 };

/** Answers an OTLP request failure in the request's own encoding (google.rpc.Status). */
export function sendOtlpError(res: ServerResponse, encoding: OtlpEncoding | null, err: HttpError): void {
  const enc = encoding ?? 'json';
  send(res, err.statusCode, CONTENT_TYPES[enc], encodeStatus(enc, GRPC_CODE[err.statusCode] ?? 2, err.message), err.headers);
}

/**
 * The HTTP answer to the ingest queue's refusals: a full queue (and spool) is 429, a store that
 * takes no writes (or a collector shutting down) 503, both with `Retry-After`. Other errors are
 * returned as they are.
 * @example
 * try { await queue.submit(spans, raw); } catch (err) { throw ingestErrorToHttp(err); }
 */
export function ingestErrorToHttp(err: unknown): unknown {
  if (isQueueFullError(err)) {
    return new HttpError(429, err.message, { headers: { 'retry-after': String(err.retryAfterSeconds) }, code: err.code, cause: err });
  }
  if (isStoreUnavailableError(err)) {
    return new HttpError(503, err.message, { headers: { 'retry-after': String(err.retryAfterSeconds) }, code: err.code, cause: err });
  }
  return err;
}

export interface OtlpRouteDeps {
  queue: IngestQueue;
  /** Whether the store keeps log records and metric points (else only /v1/traces is served). */
  storesSignals: boolean;
  metrics: CollectorMetrics;
  body: ReadBodyOptions;
  retryAfterSeconds: number;
}

/**
 * `POST /v1/traces`, `/v1/logs`, `/v1/metrics`: content-type and encoding checks before the body
 * is read, early 429/503 when nothing can be admitted, capped read + gunzip, decode, then answer
 * only after the records are durable (OTLP partial success names what was rejected and why).
 */
export async function handleOtlp(signal: OtlpSignal, req: IncomingMessage, res: ServerResponse, deps: OtlpRouteDeps): Promise<number> {
  const started = performance.now();
  if (signal.path !== '/v1/traces' && !deps.storesSignals) {
    throw new HttpError(501, `${signal.path} is not supported with this store, which keeps traces only; run the collector on a DuckDB file or ClickHouse to keep logs and metrics`);
  }
  const encoding = encodingOf(req);
  if (encoding === null) {
    throw new HttpError(415, 'Content-Type must be application/x-protobuf or application/json');
  }
  const ce = (req.headers['content-encoding'] ?? 'identity').trim().toLowerCase();
  if (ce !== 'gzip' && ce !== 'identity') throw new HttpError(415, `Content-Encoding ${ce} is not supported (use gzip or none)`);
  const hint = Number(req.headers['content-length'] ?? 0) || 0;
  if (!deps.queue.canAdmit(hint)) {
    throw deps.queue.storeHealthy
      ? new HttpError(429, 'ingest queue and spool are full; retry later', { headers: { 'retry-after': String(deps.retryAfterSeconds) } })
      : new HttpError(503, 'the store is not accepting writes and the spool is full', { headers: { 'retry-after': String(deps.retryAfterSeconds) } });
  }
  const { body, held } = await readBody(req, ce, deps.body);
  try {
    let decoded: SignalDecoded;
    try {
      // In slices: a 15 MB request takes about a second to decode, and /healthz must not wait for it.
      decoded = await signal.decode(encoding, body, deps.metrics);
    } catch (err) {
      if (err instanceof ProtoDecodeError || err instanceof JsonDecodeError) throw new HttpError(400, `malformed OTLP ${encoding} request: ${err.message}`, { cause: err });
      throw err;
    }
    if (decoded.accepted === 0 && decoded.rejected > 0) throw new HttpError(400, decoded.errorMessage);
    const { records } = decoded;
    if (records.spans.length + records.logs.length + records.points.length > 0) {
      try {
        await deps.queue.submit(records, { kind: signal.spoolKind[encoding], payload: body });
      } catch (err) {
        throw ingestErrorToHttp(err);
      }
    }
    send(res, 200, CONTENT_TYPES[encoding], encodeExportResponse(encoding, decoded.rejected, decoded.errorMessage, signal.path));
    deps.metrics.observeAck((performance.now() - started) / 1000);
    return 200;
  } finally {
    deps.body.budget.release(held);
  }
}
