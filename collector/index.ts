export { startCollector, type RunningCollector } from './startCollector.js';
export { resolveCollectorSettings, isLoopbackHost, CollectorConfigError } from './options.js';
export type { CollectorOptions, CollectorSettings, CollectorStore, ApiHandler, ApiContext } from './options.js';
export { HttpError, isHttpError } from '../http/HttpError.js';
export { CollectorMetrics } from './CollectorMetrics.js';
export type { SpanSink, IngestOutcome } from './ingest/IngestQueue.js';
export { decodeTraceRequestProtobuf, decodeTraceRequestJson, ProtoDecodeError, JsonDecodeError, type DecodeResult } from './otlp/index.js';
