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

/** Outcome of decoding one OTLP logs or metrics export request (OTLP partial success, as for spans). */
export interface SignalDecodeResult<T> {
  records: T[];
  /** Records (log records, data points) that were well-formed on the wire but failed validation. */
  rejected: number;
  /** Human-readable reason for the first few rejections, '' when none. */
  errorMessage: string;
  /** Of `rejected`, records whose times lie outside the accepted window (see `TIME_WINDOW`). */
  outOfWindow: number;
}

const MAX_REASONS = 3;

/** Collects rejection reasons without letting a hostile payload grow the message without bound. */
export class RejectionLog {
  count = 0;
  outOfWindow = 0;
  private readonly reasons: string[] = [];

  /** @param noun what is counted in the message: 'span(s)', 'log record(s)', 'data point(s)'. */
  constructor(private readonly noun = 'span(s)') {}

  /** Adds `span` to `out` if it may be stored, else records why (OTLP partial success). */
  accept(span: SpanRecord, out: SpanRecord[]): void {
    this.keep(span, spanProblem(span), out);
  }

  /** Adds `record` to `out` when `problem` is null, else records the problem. */
  keep<T>(record: T, problem: RecordProblem | null, out: T[]): void {
    if (problem === null) {
      out.push(record);
      return;
    }
    if (problem.time) this.outOfWindow++;
    this.add(problem.message);
  }

  /** Counts `n` records rejected for `reason`. */
  add(reason: string, n = 1): void {
    if (n <= 0) return;
    this.count += n;
    if (this.reasons.length < MAX_REASONS) this.reasons.push(reason);
  }

  message(): string {
    if (this.count === 0) return '';
    const more = this.count > this.reasons.length ? ` (+${this.count - this.reasons.length} more)` : '';
    return `rejected ${this.count} ${this.noun}: ${this.reasons.join('; ')}${more}`;
  }

  result<T>(records: T[]): SignalDecodeResult<T> {
    return { records, rejected: this.count, errorMessage: this.message(), outOfWindow: this.outOfWindow };
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

/** Why a record may not be stored; `time` marks the time-window rejections (counted apart). */
export interface RecordProblem {
  message: string;
  time: boolean;
}

/**
 * Why a record time `ns` may not be stored (see `TIME_WINDOW`), or null; `what` names the record
 * and field in the message, e.g. `metric gen_ai.client.token.usage: time_unix_nano`.
 */
export function windowProblem(ns: bigint, what: string): RecordProblem | null {
  if (ns > MAX_STORED_NS) return { message: `${what} is past 2262-04-11 (times are stored as signed 64-bit nanoseconds)`, time: true };
  if (ns < TIME_WINDOW.minStartNs) return { message: `${what} is before 2000-01-01 (a clock or unit error at the sender)`, time: true };
  if (ns > latestEndNs()) return { message: `${what} is more than 1 day past the collector's clock (a clock or unit error at the sender)`, time: true };
  return null;
}

/** Returns why a decoded span is invalid, or null when it may be stored. */
export function spanProblem(s: SpanRecord): RecordProblem | null {
  const shape = (message: string): RecordProblem => ({ message, time: false });
  const time = (message: string): RecordProblem => ({ message, time: true });
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
