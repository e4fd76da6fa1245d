/**
 * The host-thread half of the span codec: writes batches in the format of spanFormat.ts.
 */
import type { ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { HEADER, SHORT, TAG_ARR, TAG_F64, TAG_FALSE, TAG_INT, TAG_NULL, TAG_OBJ, TAG_STR, TAG_TRUE, VERSION } from './spanFormat.js';

const utf8 = new TextEncoder();

/**
 * State of the batch being encoded. The hot helpers below use these module-level
 * variables (cheapest to reach from JavaScript); each {@link SpanBatchEncoder} swaps its
 * own batch in for the duration of one call, so encoders never see each other's state.
 */
let buf = new Uint8Array(0);
let view = new DataView(buf.buffer);
let pos = 0;
let table = new Map<string, number>();
let resources = new Map<unknown, number>();
let scopes = new Map<unknown, number>();
let prevTrace = '';
let prevParent = '';
let base = 0;

function ensure(n: number): void {
  if (pos + n <= buf.length) return;
  let size = buf.length * 2;
  while (size < pos + n) size *= 2;
  const next = new Uint8Array(size);
  next.set(buf.subarray(0, pos));
  buf = next;
  view = new DataView(buf.buffer);
}

function varint(v: number): void {
  ensure(8);
  while (v >= 0x80) {
    buf[pos++] = (v % 0x80) | 0x80;
    v = Math.floor(v / 0x80);
  }
  buf[pos++] = v;
}

function zigzag(v: number): number {
  return v >= 0 ? v * 2 : -v * 2 - 1;
}

function longStr(s: string): void {
  ensure(5 + s.length * 3);
  buf[pos] = 3;
  const { written } = utf8.encodeInto(s, buf.subarray(pos + 5));
  view.setUint32(pos + 1, written, true);
  pos += 5 + written;
}

function str(s: string, intern = true): void {
  const n = s.length;
  if (n > SHORT || n === 0) return longStr(s);
  if (intern) {
    const ref = table.get(s);
    if (ref !== undefined) return varint(ref * 4 + 2);
  }
  ensure(n + 2);
  const b = buf;
  const h = n * 4 + (intern ? 1 : 0);
  const at = pos + (h < 0x80 ? 1 : 2); // the header is written after the bytes, in place (no growth in between)
  for (let i = 0; i < n; i++) {
    const c = s.charCodeAt(i);
    if (c > 0x7f) return longStr(s); // not ASCII: UTF-8, not interned
    b[at + i] = c;
  }
  if (intern) table.set(s, table.size);
  if (h < 0x80) b[pos] = h;
  else {
    b[pos] = (h & 0x7f) | 0x80;
    b[pos + 1] = h >> 7;
  }
  pos = at + n;
}

function value(v: unknown): void {
  ensure(1);
  switch (typeof v) {
    case 'string':
      buf[pos++] = TAG_STR;
      str(v);
      return;
    case 'number':
      // Integers whose zigzag form stays exact in a double go as varints; the rest as f64.
      if (Number.isInteger(v) && Math.abs(v) <= 0xffff_ffff) {
        buf[pos++] = TAG_INT;
        varint(zigzag(v));
      } else if (Number.isFinite(v)) {
        buf[pos++] = TAG_F64;
        ensure(8);
        view.setFloat64(pos, v, true);
        pos += 8;
      } else buf[pos++] = TAG_NULL;
      return;
    case 'boolean':
      buf[pos++] = v ? TAG_TRUE : TAG_FALSE;
      return;
    case 'bigint':
      buf[pos++] = TAG_STR;
      str(v.toString());
      return;
    case 'object':
      if (v === null) buf[pos++] = TAG_NULL;
      else if (typeof (v as { toJSON?: unknown }).toJSON === 'function') value((v as { toJSON: () => unknown }).toJSON());
      else if (Array.isArray(v)) {
        buf[pos++] = TAG_ARR;
        varint(v.length);
        for (let i = 0; i < v.length; i++) value(v[i]);
      } else {
        buf[pos++] = TAG_OBJ;
        obj(v as Record<string, unknown>);
      }
      return;
    default:
      buf[pos++] = TAG_NULL; // undefined, functions, symbols: what JSON makes of them in arrays
  }
}

function obj(o: Record<string, unknown> | undefined): void {
  if (o) {
    // for-in (own enumerable keys of a plain object; no key array allocated per span).
    for (const k in o) {
      if (!Object.prototype.hasOwnProperty.call(o, k)) continue;
      const v = o[k];
      if (v === undefined || typeof v === 'function' || typeof v === 'symbol') continue;
      if (k.length === 0) longStr(k);
      else str(k);
      value(v);
    }
  }
  varint(0);
}

/**
 * An HrTime relative to the batch's base second. The SDK always gives integers; anything else
 * (NaN, fractions from a hand-made span) is coerced here, because a value the writer cannot turn
 * into a BigInt would cost the whole batch.
 */
function time(sec: number, nanos: number, base: number): void {
  const rel = sec - base;
  varint(zigzag(Number.isFinite(rel) ? Math.trunc(rel) : 0));
  varint(nanos >= 0 && nanos < 1e9 ? Math.trunc(nanos) : 0);
}

/** Appends one span to the current batch. */
function encodeSpan(s: ReadableSpan): void {
  const ctx = s.spanContext();
  // Spans of one trace mostly sit next to each other, and siblings share a parent:
  // "same as the span before" is one byte and costs no hashing of fresh id strings.
  const traceId = ctx.traceId;
  const parent = s.parentSpanContext?.spanId;
  ensure(1);
  if (traceId === prevTrace) buf[pos++] = 1;
  else {
    buf[pos++] = 0;
    str(traceId, false);
    prevTrace = traceId;
  }
  str(ctx.spanId, false);
  ensure(1);
  if (!parent) buf[pos++] = 0;
  else if (parent === prevParent) buf[pos++] = 2;
  else {
    buf[pos++] = 1;
    str(parent, false);
    prevParent = parent;
  }
  str(s.name);
  ensure(1);
  buf[pos++] = s.kind;
  time(s.startTime[0], s.startTime[1], base);
  time(s.endTime[0], s.endTime[1], base);
  const message = s.status.message;
  ensure(2);
  buf[pos++] = s.status.code;
  if (message) {
    buf[pos++] = 1;
    str(message);
  } else buf[pos++] = 0;
  obj(s.attributes);
  const res = resources.get(s.resource);
  if (res !== undefined) varint(res * 2);
  else {
    resources.set(s.resource, resources.size);
    varint(1);
    obj(s.resource.attributes);
  }
  const scope = scopes.get(s.instrumentationScope);
  if (scope !== undefined) varint(scope * 2);
  else {
    scopes.set(s.instrumentationScope, scopes.size);
    varint(1);
    str(s.instrumentationScope.name);
    const version = s.instrumentationScope.version;
    ensure(1);
    if (version) {
      buf[pos++] = 1;
      str(version);
    } else buf[pos++] = 0;
  }
  varint(s.events.length);
  for (const e of s.events) {
    str(e.name);
    time(e.time[0], e.time[1], base);
    obj(e.attributes);
  }
  varint(s.links.length);
  for (const l of s.links) {
    str(l.context.traceId);
    str(l.context.spanId);
    obj(l.attributes);
  }
}

/**
 * Builds one batch span by span (a span processor encodes each span as it ends, while it
 * is still in the CPU cache, instead of keeping span objects alive until an export).
 * `add` is all-or-nothing: a span that cannot be encoded leaves the batch as it was.
 * @example
 * const enc = new SpanBatchEncoder();
 * enc.add(span);
 * const bytes = enc.seal(); // decodeSpanBatch(bytes) on the writer thread
 */
export class SpanBatchEncoder {
  private buf: Uint8Array<ArrayBuffer>;
  private view: DataView<ArrayBuffer>;
  private pos = HEADER;
  private readonly table = new Map<string, number>();
  private readonly resources = new Map<unknown, number>();
  private readonly scopes = new Map<unknown, number>();
  private prevTrace = '';
  private prevParent = '';
  private base = 0;
  /** Set by a failed add: the batch takes no more spans until sealed. */
  private poisoned = false;
  /** Spans in the open batch. */
  count = 0;

  /** `initialBytes`: starting buffer size (it doubles as needed and is kept between batches). */
  constructor(initialBytes = 1 << 14) {
    this.buf = new Uint8Array(Math.max(HEADER, initialBytes));
    this.view = new DataView(this.buf.buffer);
  }

  /** Encoded bytes in the open batch. */
  get byteLength(): number {
    return this.count === 0 ? 0 : this.pos;
  }

  private load(): void {
    buf = this.buf;
    view = this.view;
    pos = this.pos;
    table = this.table;
    resources = this.resources;
    scopes = this.scopes;
    prevTrace = this.prevTrace;
    prevParent = this.prevParent;
    base = this.base;
  }

  private save(): void {
    this.buf = buf;
    this.view = view;
    this.pos = pos;
    this.prevTrace = prevTrace;
    this.prevParent = prevParent;
  }

  /**
   * Appends one ended span. Throws (leaving the batch valid, without the span) if the span
   * cannot be encoded; the caller then seals the batch before adding more.
   */
  add(span: ReadableSpan): void {
    if (this.poisoned) throw new Error('SpanBatchEncoder: seal() the batch after a failed add before adding more');
    if (this.count === 0) {
      this.table.clear();
      this.resources.clear();
      this.scopes.clear();
      this.prevTrace = '';
      this.prevParent = '';
      const first = span.startTime[0];
      this.base = Number.isFinite(first) ? Math.trunc(first) : 0;
      this.pos = HEADER;
    }
    this.load();
    const start = pos;
    try {
      encodeSpan(span);
    } catch (err) {
      // Intern-table entries made by the failed span now refer to bytes that are gone:
      // keep what was complete and take no more spans into this batch.
      this.pos = start;
      this.poisoned = true;
      throw err;
    }
    this.save();
    this.count++;
  }

  /** Closes the open batch and returns its bytes (a copy the caller owns), or null when empty. */
  seal(): Uint8Array | null {
    this.poisoned = false;
    if (this.count === 0) return null;
    const out = this.buf.slice(0, this.pos);
    out[0] = VERSION;
    const dv = new DataView(out.buffer);
    dv.setFloat64(1, this.base, true);
    dv.setUint32(9, this.count, true);
    this.count = 0;
    this.pos = HEADER;
    return out;
  }
}

const shared = new SpanBatchEncoder();
const EMPTY_BATCH = Uint8Array.of(VERSION, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0);

/** Encodes ended SDK spans `spans[from..to)` as one batch. Runs on the host thread: keep it lean. */
export function encodeSpanBatch(spans: readonly ReadableSpan[], from = 0, to = spans.length): Uint8Array {
  shared.seal(); // a batch left open by a throwing call is abandoned
  for (let i = from; i < to; i++) {
    try {
      shared.add(spans[i]);
    } catch (err) {
      shared.seal();
      throw err;
    }
  }
  return shared.seal() ?? EMPTY_BATCH.slice();
}
