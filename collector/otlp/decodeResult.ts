import type { SpanRecord } from '../../store/types.js';

/** Outcome of decoding one OTLP export request: accepted spans plus per-span rejections (OTLP partial success). */
export interface DecodeResult {
  spans: SpanRecord[];
  /** Spans that were well-formed on the wire but failed validation. */
  rejected: number;
  /** Human-readable reason for the first few rejections, '' when none. */
  errorMessage: string;
  /** Of `rejected`, spans whose times lie outside the accepted window (see `TIME_WINDOW`). */
  outOfWindow?: number;
}

const MAX_REASONS = 3;

/** Collects rejection reasons without letting a hostile payload grow the message without bound. */
export class RejectionLog {
  count = 0;
  outOfWindow = 0;
  private readonly reasons: string[] = [];

  /** Adds `span` to `out` if it may be stored, else records why (OTLP partial success). */
  accept(span: SpanRecord, out: SpanRecord[]): void {
    const problem = spanProblem(span);
    if (problem === null) {
      out.push(span);
      return;
    }
    if (problem.time) this.outOfWindow++;
    this.add(problem.message);
  }

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

/**
 * Times the collector accepts. A span from 1970 (a 1 ns start, an unset clock) or from the far
 * future (a seconds value sent as nanoseconds, near int64 max) is a bug at the sender, and one
 * such span stretches every "all" range over centuries. Starts before 2000-01-01 and ends more
 * than a day past the collector's clock (clock skew between hosts stays well inside) are refused
 * as OTLP partial success; both limits only widen over time, so a spooled span replays the same way.
 */
export const TIME_WINDOW = {
  minStartNs: 946_684_800_000_000_000n,
  maxFutureNs: 86_400_000_000_000n,
} as const;

let boundAtMs = -Infinity;
let maxEndNs = 0n;
/** The latest end time accepted now; refreshed once a second, not per span. */
function latestEndNs(): bigint {
  const now = Date.now();
  if (now - boundAtMs >= 1_000) {
    boundAtMs = now;
    maxEndNs = BigInt(now) * 1_000_000n + TIME_WINDOW.maxFutureNs;
  }
  return maxEndNs;
}

/** Why a span may not be stored; `time` marks the time-window rejections (counted apart). */
export interface SpanProblem {
  message: string;
  time: boolean;
}

/** Returns why a decoded span is invalid, or null when it may be stored. */
export function spanProblem(s: SpanRecord): SpanProblem | null {
  const shape = (message: string): SpanProblem => ({ message, time: false });
  const time = (message: string): SpanProblem => ({ message, time: true });
  if (s.traceId.length !== 32 || s.traceId === ZERO_TRACE) return shape('trace_id must be 16 non-zero bytes');
  if (s.spanId.length !== 16 || s.spanId === ZERO_SPAN) return shape(`span ${s.traceId}: span_id must be 8 non-zero bytes`);
  if (s.parentSpanId !== null && (s.parentSpanId.length !== 16 || s.parentSpanId === ZERO_SPAN)) {
    return shape(`span ${s.spanId}: parent_span_id must be empty or 8 non-zero bytes`);
  }
  if (s.startNs <= 0n) return shape(`span ${s.spanId}: start_time_unix_nano is missing`);
  if (s.endNs < s.startNs) return shape(`span ${s.spanId}: end_time_unix_nano is before start_time_unix_nano`);
  if (s.endNs > MAX_STORED_NS) return time(`span ${s.spanId}: end_time_unix_nano is past 2262-04-11 (times are stored as signed 64-bit nanoseconds)`);
  if (s.startNs < TIME_WINDOW.minStartNs) return time(`span ${s.spanId}: start_time_unix_nano is before 2000-01-01 (a clock or unit error at the sender)`);
  if (s.endNs > latestEndNs()) return time(`span ${s.spanId}: end_time_unix_nano is more than 1 day past the collector's clock (a clock or unit error at the sender)`);
  for (const l of s.links) {
    if (l.traceId.length !== 32 || l.spanId.length !== 16) return shape(`span ${s.spanId}: link ids have the wrong length`);
  }
  return null;
}
