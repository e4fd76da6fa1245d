/**
 * Hand-written protobuf wire for decoder tests: what the official serializers never write
 * (summaries, missing fields, unknown enums, `__proto__` keys). Each helper returns bytes as number[].
 */
export type Bytes = number[];

export function varint(n: bigint | number): Bytes {
  const out: Bytes = [];
  let v = BigInt.asUintN(64, BigInt(n));
  while (v > 0x7fn) {
    out.push(Number(v & 0x7fn) | 0x80);
    v >>= 7n;
  }
  out.push(Number(v));
  return out;
}

/** A varint field (uint, enum, bool). */
export const vint = (field: number, n: bigint | number): Bytes => [...varint(field << 3), ...varint(n)];
/** A zigzag sint32 field. */
export const sint = (field: number, n: number): Bytes => vint(field, ((n << 1) ^ (n >> 31)) >>> 0);
/** A length-delimited field around `bytes`. */
export const ld = (field: number, bytes: Bytes): Bytes => [...varint((field << 3) | 2), ...varint(bytes.length), ...bytes];
export const str = (field: number, s: string): Bytes => ld(field, [...Buffer.from(s, 'utf8')]);
export const hexField = (field: number, hex: string): Bytes => ld(field, [...Buffer.from(hex, 'hex')]);

export function fixed64(field: number, v: bigint): Bytes {
  const b = Buffer.alloc(8);
  b.writeBigUInt64LE(BigInt.asUintN(64, v));
  return [...varint((field << 3) | 1), ...b];
}

export function double(field: number, v: number): Bytes {
  const b = Buffer.alloc(8);
  b.writeDoubleLE(v);
  return [...varint((field << 3) | 1), ...b];
}

export function fixed32(field: number, v: number): Bytes {
  const b = Buffer.alloc(4);
  b.writeUInt32LE(v);
  return [...varint((field << 3) | 5), ...b];
}

/** A packed repeated double field. */
export function packedDoubles(field: number, vs: number[]): Bytes {
  const b = Buffer.alloc(8 * vs.length);
  vs.forEach((v, i) => b.writeDoubleLE(v, 8 * i));
  return ld(field, [...b]);
}

/** A packed repeated fixed64 field. */
export function packedFixed64(field: number, vs: bigint[]): Bytes {
  const b = Buffer.alloc(8 * vs.length);
  vs.forEach((v, i) => b.writeBigUInt64LE(v, 8 * i));
  return ld(field, [...b]);
}

/** KeyValue{1 key, 2 value AnyValue{1 string_value}} as field `field`. */
export const kvString = (field: number, key: string, value: string): Bytes => ld(field, [...str(1, key), ...ld(2, str(1, value))]);
/** KeyValue{1 key, 2 value AnyValue{3 int_value}} as field `field`. */
export const kvInt = (field: number, key: string, value: number | bigint): Bytes => ld(field, [...str(1, key), ...ld(2, vint(3, value))]);

/** Export…ServiceRequest{1 {1 Resource{1 attributes}, 2 {1 scope{1 name}, 2 items…}}}, the envelope of every signal. */
export function request(items: Bytes[], resource: Bytes = kvString(1, 'service.name', 'wire-test'), scopeName = 'wire'): Buffer {
  const scope = [...ld(1, str(1, scopeName)), ...items.flatMap((i) => ld(2, i))];
  return Buffer.from(ld(1, [...ld(1, resource), ...ld(2, scope)]));
}
