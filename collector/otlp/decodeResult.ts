import type { SpanRecord } from '../../store/types.js';

/** Outcome of decoding one OTLP export request: accepted spans plus per-span rejections (OTLP partial success). */
export interface DecodeResult {
  spans: SpanRecord[];
  /** Spans that were well-formed on the wire but failed validation. */
  rejected: number;
  /** Human-readable reason for the first few rejections, '' when none. */
  errorMessage: string;
}

const MAX_REASONS = 3;

/** Collects rejection reasons without letting a hostile payload grow the message without bound. */
export class RejectionLog {
  count = 0;
  private readonly reasons: string[] = [];

  add(reason: string): void {
    this.count++;
    if (this.reasons.length < MAX_REASONS) this.reasons.push(reason);
  }

  message(): string {
    if (this.count === 0) return '';
    const more = this.count > this.reasons.length ? ` (+${this.count - this.reasons.length} more)` : '';
    return `rejected ${this.count} span(s): ${this.reasons.join('; ')}${more}`;
  }
}

const ZERO_TRACE = '0'.repeat(32);
/** The store keeps times as signed 64-bit nanoseconds. */
const MAX_STORED_NS = 0x7fff_ffff_ffff_ffffn;
const ZERO_SPAN = '0'.repeat(16);

/** Returns why a decoded span is invalid, or null when it may be stored. */
export function spanProblem(s: SpanRecord): string | null {
  if (s.traceId.length !== 32 || s.traceId === ZERO_TRACE) return 'trace_id must be 16 non-zero bytes';
  if (s.spanId.length !== 16 || s.spanId === ZERO_SPAN) return `span ${s.traceId}: span_id must be 8 non-zero bytes`;
  if (s.parentSpanId !== null && (s.parentSpanId.length !== 16 || s.parentSpanId === ZERO_SPAN)) {
    return `span ${s.spanId}: parent_span_id must be empty or 8 non-zero bytes`;
  }
  if (s.startNs <= 0n) return `span ${s.spanId}: start_time_unix_nano is missing`;
  if (s.endNs < s.startNs) return `span ${s.spanId}: end_time_unix_nano is before start_time_unix_nano`;
  if (s.endNs > MAX_STORED_NS) return `span ${s.spanId}: end_time_unix_nano is past 2262-04-11 (times are stored as signed 64-bit nanoseconds)`;
  for (const l of s.links) {
    if (l.traceId.length !== 32 || l.spanId.length !== 16) return `span ${s.spanId}: link ids have the wrong length`;
  }
  return null;
}
