import { isUtf8 } from 'node:buffer';

/**
 * Minimal allocation-light protobuf wire reader over one buffer.
 * Every read is bounds-checked; a malformed input throws `ProtoDecodeError`
 * (never a RangeError from a typed array), so callers map it to a 400.
 */
export class ProtoDecodeError extends Error {
  override readonly name = 'ProtoDecodeError';
}

export const WIRE_VARINT = 0;
export const WIRE_I64 = 1;
export const WIRE_LEN = 2;
export const WIRE_I32 = 5;

type Latin1Sliceable = { latin1Slice(start: number, end: number): string; hexSlice(start: number, end: number): string };

const INTERN_MAX_LEN = 40;
const INTERN_SLOTS = 4096;
/** Process-wide: the same keys recur across requests, and entries are bounded in number and length. */
const internKeys: (string | undefined)[] = new Array(INTERN_SLOTS);


export class ProtoReader {
  pos: number;
  readonly buf: Buffer;
  private readonly view: DataView;

  constructor(buf: Buffer, start = 0) {
    this.buf = buf;
    this.pos = start;
    this.view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  }

  /** Reads a varint that must fit in 32 bits (tags, lengths, enums, counts); anything wider is malformed. */
  uint32(): number {
    const buf = this.buf;
    let pos = this.pos;
    let result = 0;
    for (let shift = 0; shift < 35; shift += 7) {
      if (pos >= buf.length) throw new ProtoDecodeError('truncated varint');
      const b = buf[pos++]!;
      if (shift === 28 && b > 0x0f) throw new ProtoDecodeError('varint does not fit in 32 bits');
      result |= (b & 0x7f) << shift;
      if ((b & 0x80) === 0) {
        this.pos = pos;
        return result >>> 0;
      }
    }
    throw new ProtoDecodeError('varint does not fit in 32 bits');
  }

  /**
   * Reads a varint as a signed int64 and returns a JS number when it is a safe
   * integer, otherwise its exact decimal string (what the OTLP JSON mapping does).
   */
  int64(): number | string {
    const buf = this.buf;
    let pos = this.pos;
    let lo = 0;
    let hi = 0;
    let b = 0;
    for (let shift = 0; shift < 28; shift += 7) {
      if (pos >= buf.length) throw new ProtoDecodeError('truncated varint');
      b = buf[pos++]!;
      lo |= (b & 0x7f) << shift;
      if ((b & 0x80) === 0) {
        this.pos = pos;
        return lo >>> 0;
      }
    }
    if (pos >= buf.length) throw new ProtoDecodeError('truncated varint');
    b = buf[pos++]!;
    lo |= (b & 0x7f) << 28;
    hi = (b & 0x7f) >> 4;
    for (let shift = 3; b & 0x80; shift += 7) {
      if (shift > 31) throw new ProtoDecodeError('varint longer than 10 bytes');
      if (pos >= buf.length) throw new ProtoDecodeError('truncated varint');
      b = buf[pos++]!;
      hi |= (b & 0x7f) << shift;
    }
    this.pos = pos;
    lo >>>= 0;
    hi >>>= 0;
    if (hi === 0) return lo;
    if (hi & 0x80000000) {
      const v = -((BigInt(~hi >>> 0) << 32n) + BigInt(~lo >>> 0) + 1n);
      return v >= -9007199254740991n ? Number(v) : v.toString();
    }
    if (hi < 0x200000) return hi * 4294967296 + lo;
    return ((BigInt(hi) << 32n) + BigInt(lo)).toString();
  }

  fixed64(): bigint {
    if (this.pos + 8 > this.buf.length) throw new ProtoDecodeError('truncated fixed64');
    const v = this.view.getBigUint64(this.pos, true);
    this.pos += 8;
    return v;
  }

  /** Reads a fixed64 as a JS number (exact up to 2^53; counts never come near). */
  fixed64Number(): number {
    if (this.pos + 8 > this.buf.length) throw new ProtoDecodeError('truncated fixed64');
    const v = this.view.getUint32(this.pos, true) + this.view.getUint32(this.pos + 4, true) * 4294967296;
    this.pos += 8;
    return v;
  }

  sfixed64(): bigint {
    if (this.pos + 8 > this.buf.length) throw new ProtoDecodeError('truncated sfixed64');
    const v = this.view.getBigInt64(this.pos, true);
    this.pos += 8;
    return v;
  }

  fixed32(): number {
    if (this.pos + 4 > this.buf.length) throw new ProtoDecodeError('truncated fixed32');
    const v = this.view.getUint32(this.pos, true);
    this.pos += 4;
    return v;
  }

  /** Reads a zigzag-encoded sint32 varint. */
  sint32(): number {
    const n = this.uint32();
    return (n >>> 1) ^ -(n & 1);
  }

  /** Reads a uint64 varint as a JS number (exact up to 2^53, rounded beyond). */
  uint64Number(): number {
    const buf = this.buf;
    let pos = this.pos;
    let result = 0;
    let scale = 1;
    for (let i = 0; i < 10; i++) {
      if (pos >= buf.length) throw new ProtoDecodeError('truncated varint');
      const b = buf[pos++]!;
      result += (b & 0x7f) * scale;
      if ((b & 0x80) === 0) {
        this.pos = pos;
        return result;
      }
      scale *= 128;
    }
    throw new ProtoDecodeError('varint longer than 10 bytes');
  }

  double(): number {
    if (this.pos + 8 > this.buf.length) throw new ProtoDecodeError('truncated double');
    const v = this.view.getFloat64(this.pos, true);
    this.pos += 8;
    return v;
  }

  /** Reads a length prefix and returns the end offset of the delimited payload. */
  lenEnd(limit: number): number {
    const len = this.uint32();
    const end = this.pos + len;
    if (end > limit) throw new ProtoDecodeError('length exceeds enclosing message');
    return end;
  }

  string(limit: number): string {
    const end = this.lenEnd(limit);
    const len = end - this.pos;
    if (len <= INTERN_MAX_LEN) {
      const s = this.internedAscii(this.pos, end);
      if (s !== null) {
        this.pos = end;
        return s;
      }
    }
    const s = this.buf.toString('utf8', this.pos, end);
    // utf8Slice replaces invalid sequences with U+FFFD; only then pay for a strict check.
    if (s.indexOf('\ufffd') !== -1 && !isUtf8(this.buf.subarray(this.pos, end))) {
      throw new ProtoDecodeError('invalid UTF-8 in string field');
    }
    this.pos = end;
    return s;
  }

  /**
   * Short ASCII strings (attribute keys, agent, model and operation names) repeat
   * across spans; a small direct-mapped cache returns the same string without
   * allocating. Returns null for non-ASCII input (decoded and validated normally).
   */
  private internedAscii(start: number, end: number): string | null {
    const buf = this.buf;
    let h = 0x811c9dc5 ^ (end - start);
    for (let i = start; i < end; i++) {
      const b = buf[i]!;
      if (b >= 0x80) return null;
      h = Math.imul(h ^ b, 0x01000193);
    }
    const slot = (h >>> 0) & (INTERN_SLOTS - 1);
    const cached = internKeys[slot];
    if (cached !== undefined && cached.length === end - start) {
      let same = true;
      for (let i = 0; i < cached.length; i++) {
        if (cached.charCodeAt(i) !== buf[start + i]) {
          same = false;
          break;
        }
      }
      if (same) return cached;
    }
    // Node's latin1Slice (what toString('latin1') calls after argument checks) is exact for ASCII.
    const s = (buf as unknown as Latin1Sliceable).latin1Slice(start, end);
    internKeys[slot] = s;
    return s;
  }

  /** Reads a bytes field as lowercase hex; returns '' for an empty field. */
  hex(limit: number): string {
    const end = this.lenEnd(limit);
    // One flat string from native code; concatenating per byte builds rope strings that flatten later.
    const s = (this.buf as unknown as Latin1Sliceable).hexSlice(this.pos, end);
    this.pos = end;
    return s;
  }

  base64(limit: number): string {
    const end = this.lenEnd(limit);
    const s = this.buf.toString('base64', this.pos, end);
    this.pos = end;
    return s;
  }

  skip(wireType: number, limit: number): void {
    switch (wireType) {
      case WIRE_VARINT:
        this.int64();
        return;
      case WIRE_I64:
        this.pos += 8;
        break;
      case WIRE_LEN:
        this.pos = this.lenEnd(limit);
        return;
      case WIRE_I32:
        this.pos += 4;
        break;
      default:
        throw new ProtoDecodeError(`unsupported wire type ${wireType}`);
    }
    if (this.pos > limit) throw new ProtoDecodeError('truncated field');
  }
}


