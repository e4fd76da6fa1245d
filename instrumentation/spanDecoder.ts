/**
 * The writer-thread half of the span codec: reads batches in the format of spanFormat.ts.
 */
import type { AttrValue, Attributes, SpanEventRecord, SpanLinkRecord, SpanRecord } from '../store/types.js';
import { KIND_NAMES, STATUS_NAMES } from '../store/types.js';
import { TAG_ARR, TAG_F64, TAG_FALSE, TAG_INT, TAG_NULL, TAG_OBJ, TAG_STR, TAG_TRUE, VERSION } from './spanFormat.js';

const toNs = (sec: number, nanos: number): bigint => BigInt(sec) * 1_000_000_000n + BigInt(nanos);

/** Reads one batch; the state of a single decode. */
class Reader {
  private p = 0;
  private readonly strings: string[] = [];
  private readonly b: Buffer;
  private readonly dv: DataView;

  constructor(bytes: Uint8Array) {
    this.b = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    this.dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }

  private need(n: number): void {
    if (this.p + n > this.b.length) throw new Error('span batch is truncated');
  }

  u8(): number {
    this.need(1);
    return this.b[this.p++];
  }

  f64(): number {
    this.need(8);
    const v = this.dv.getFloat64(this.p, true);
    this.p += 8;
    return v;
  }

  varint(): number {
    let v = 0;
    let scale = 1;
    for (;;) {
      const byte = this.u8();
      v += (byte & 0x7f) * scale;
      if (byte < 0x80) return v;
      scale *= 0x80;
      if (scale > 2 ** 56) throw new Error('span batch has an overlong varint');
    }
  }

  zigzag(): number {
    const z = this.varint();
    return z % 2 === 0 ? z / 2 : -(z + 1) / 2;
  }

  /** A string header already read as `h` (0 means the end of an object when reading keys). */
  strFrom(h: number): string {
    const kind = h % 4;
    if (kind === 2) {
      const s = this.strings[(h - 2) / 4];
      if (s === undefined) throw new Error('span batch refers to an unknown string');
      return s;
    }
    if (kind === 3) {
      this.need(4);
      const len = this.dv.getUint32(this.p, true);
      this.p += 4;
      this.need(len);
      const s = this.b.toString('utf8', this.p, this.p + len);
      this.p += len;
      return s;
    }
    const len = (h - kind) / 4;
    this.need(len);
    const s = this.b.toString('latin1', this.p, this.p + len);
    this.p += len;
    if (kind === 1) this.strings.push(s);
    return s;
  }

  str(): string {
    return this.strFrom(this.varint());
  }

  optStr(): string | null {
    return this.u8() === 1 ? this.str() : null;
  }

  time(base: number): bigint {
    const sec = base + this.zigzag();
    return toNs(sec, this.varint());
  }

  value(): AttrValue {
    const tag = this.u8();
    switch (tag) {
      case TAG_NULL:
        return null;
      case TAG_FALSE:
        return false;
      case TAG_TRUE:
        return true;
      case TAG_INT:
        return this.zigzag();
      case TAG_F64:
        return this.f64();
      case TAG_STR:
        return this.str();
      case TAG_ARR: {
        const n = this.varint();
        const out: AttrValue[] = [];
        for (let i = 0; i < n; i++) out.push(this.value());
        return out;
      }
      case TAG_OBJ:
        return this.obj();
      default:
        throw new Error(`span batch has an unknown value tag ${tag}`);
    }
  }

  obj(): Attributes {
    const out: Attributes = {};
    for (;;) {
      const h = this.varint();
      if (h === 0) return out;
      const key = this.strFrom(h);
      // An own property, as JSON.parse would make it, never the prototype.
      if (key === '__proto__') Object.defineProperty(out, key, { value: this.value(), enumerable: true, writable: true, configurable: true });
      else out[key] = this.value();
    }
  }

  decode(): SpanRecord[] {
    const version = this.u8();
    if (version !== VERSION) throw new Error(`span batch has unknown version ${version}`);
    const base = this.f64();
    this.need(4);
    const n = this.dv.getUint32(this.p, true);
    this.p += 4;
    const resources: Attributes[] = [];
    const scopes: [string, string | null][] = [];
    const out: SpanRecord[] = [];
    let traceId = '';
    let prevParent = '';
    for (let i = 0; i < n; i++) {
      if (this.u8() === 0) traceId = this.str();
      else if (i === 0) throw new Error('span batch refers to a previous trace id before any');
      const spanId = this.str();
      const p = this.u8();
      let parentSpanId: string | null = null;
      if (p === 1) parentSpanId = prevParent = this.str();
      else if (p === 2) {
        if (!prevParent) throw new Error('span batch refers to a previous parent id before any');
        parentSpanId = prevParent;
      } else if (p !== 0) throw new Error('span batch has a bad parent marker');
      const name = this.str();
      const kind = this.u8();
      const startNs = this.time(base);
      const endNs = this.time(base);
      const status = this.u8();
      const statusMessage = this.optStr();
      const attributes = this.obj();
      const r = this.varint();
      if (r % 2 === 1) resources.push(this.obj());
      const resource = resources[r % 2 === 1 ? resources.length - 1 : r / 2];
      const sc = this.varint();
      if (sc % 2 === 1) scopes.push([this.str(), this.optStr()]);
      const scope = scopes[sc % 2 === 1 ? scopes.length - 1 : sc / 2];
      if (!resource || !scope) throw new Error('span batch refers to an unknown resource or scope');
      const events: SpanEventRecord[] = [];
      for (let e = this.varint(); e > 0; e--) events.push({ name: this.str(), timeNs: this.time(base), attributes: this.obj() });
      const links: SpanLinkRecord[] = [];
      for (let l = this.varint(); l > 0; l--) links.push({ traceId: this.str(), spanId: this.str(), attributes: this.obj() });
      out.push({
        traceId,
        spanId,
        parentSpanId,
        name,
        // OTel JS SpanKind is 0-based from INTERNAL; OTLP's adds UNSPECIFIED at 0.
        kind: KIND_NAMES[kind + 1] ?? 'unspecified',
        startNs,
        endNs,
        statusCode: STATUS_NAMES[status] ?? 'UNSET',
        statusMessage,
        attributes,
        resource,
        scopeName: scope[0],
        scopeVersion: scope[1],
        events,
        links,
      });
    }
    if (this.p !== this.b.length) throw new Error('span batch has trailing bytes');
    return out;
  }
}

/** Decodes a batch on the writer thread (or on the host, to spool it) into store records. */
export function decodeSpanBatch(payload: Uint8Array): SpanRecord[] {
  return new Reader(payload).decode();
}
