/**
 * Encoders for OTLP responses, in the content type of the request:
 * `ExportTraceServiceResponse` (partial success) and `google.rpc.Status` for errors.
 */
export type OtlpEncoding = 'protobuf' | 'json';

export const CONTENT_TYPES: Record<OtlpEncoding, string> = {
  protobuf: 'application/x-protobuf',
  json: 'application/json',
};

function varint(out: number[], v: number): void {
  while (v > 0x7f) {
    out.push((v & 0x7f) | 0x80);
    v = Math.floor(v / 128);
  }
  out.push(v);
}

function lenField(out: number[], field: number, bytes: Uint8Array | number[]): void {
  out.push((field << 3) | 2);
  varint(out, bytes.length);
  for (const b of bytes) out.push(b);
}

/** The JSON name of the partial-success count, per signal (the protobuf field is number 1 in all three). */
const REJECTED_FIELD: Record<string, string> = {
  '/v1/traces': 'rejectedSpans',
  '/v1/logs': 'rejectedLogRecords',
  '/v1/metrics': 'rejectedDataPoints',
};

/**
 * Encodes Export{Trace,Logs,Metrics}ServiceResponse{partial_success{rejected_…, error_message}};
 * empty when nothing was rejected.
 */
export function encodeExportResponse(encoding: OtlpEncoding, rejected: number, errorMessage: string, path = '/v1/traces'): Buffer {
  if (encoding === 'json') {
    const field = REJECTED_FIELD[path] ?? 'rejectedSpans';
    return Buffer.from(JSON.stringify(rejected > 0 || errorMessage ? { partialSuccess: { [field]: String(rejected), errorMessage } } : {}));
  }
  if (rejected === 0 && !errorMessage) return Buffer.alloc(0);
  const partial: number[] = [];
  if (rejected > 0) {
    partial.push(1 << 3);
    varint(partial, rejected);
  }
  if (errorMessage) lenField(partial, 2, Buffer.from(errorMessage, 'utf8'));
  const out: number[] = [];
  lenField(out, 1, partial);
  return Buffer.from(out);
}

/** Encodes a google.rpc.Status{code, message} body, as OTLP/HTTP asks for failed requests. */
export function encodeStatus(encoding: OtlpEncoding, grpcCode: number, message: string): Buffer {
  if (encoding === 'json') return Buffer.from(JSON.stringify({ code: grpcCode, message }));
  const out: number[] = [];
  if (grpcCode) {
    out.push(1 << 3);
    varint(out, grpcCode);
  }
  lenField(out, 2, Buffer.from(message, 'utf8'));
  return Buffer.from(out);
}
