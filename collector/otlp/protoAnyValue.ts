import type { AttrValue, Attributes } from '../../store/types.js';
import { ProtoDecodeError, type ProtoReader, WIRE_I64, WIRE_LEN, WIRE_VARINT } from './ProtoReader.js';

// common/v1/common.proto: KeyValue{1 key, 2 value}, AnyValue{1 string, 2 bool, 3 int, 4 double,
// 5 array, 6 kvlist, 7 bytes}, ArrayValue{1 values}, KeyValueList{1 values}.
const MAX_ANY_DEPTH = 32;

/** A varint or fixed field may run past its enclosing message; that is damage, not data. */
export function checkEnd(r: ProtoReader, limit: number): void {
  if (r.pos !== limit) throw new ProtoDecodeError('field overruns its enclosing message');
}

export function expectWire(tag: number, wire: number): void {
  if ((tag & 7) !== wire) throw new ProtoDecodeError(`field ${tag >>> 3} has wire type ${tag & 7}, expected ${wire}`);
}

/** Reads one KeyValue message ending at `limit` into `target`; leaves r.pos at limit. */
export function readKeyValueInto(r: ProtoReader, limit: number, target: Attributes, depth: number): void {
  let key = '';
  let value: AttrValue = null;
  while (r.pos < limit) {
    const tag = r.uint32();
    if (tag >>> 3 === 1) {
      expectWire(tag, WIRE_LEN);
      key = r.string(limit);
    } else if (tag >>> 3 === 2) {
      expectWire(tag, WIRE_LEN);
      const end = r.lenEnd(limit);
      value = readAnyValue(r, end, depth);
      r.pos = end;
    } else {
      r.skip(tag & 7, limit);
    }
  }
  checkEnd(r, limit);
  // __proto__ as a key would otherwise reach the prototype setter.
  if (key === '__proto__') Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
  else target[key] = value;
}

/** Reads one AnyValue message ending at `limit`; null when no value is set. */
export function readAnyValue(r: ProtoReader, limit: number, depth: number): AttrValue {
  if (depth > MAX_ANY_DEPTH) throw new ProtoDecodeError('AnyValue nested too deeply');
  let value: AttrValue = null;
  while (r.pos < limit) {
    const tag = r.uint32();
    switch (tag >>> 3) {
      case 1: expectWire(tag, WIRE_LEN); value = r.string(limit); break;
      case 2: expectWire(tag, WIRE_VARINT); value = r.int64() !== 0; break;
      case 3: expectWire(tag, WIRE_VARINT); value = r.int64(); break;
      case 4: expectWire(tag, WIRE_I64); value = r.double(); break;
      case 5: {
        expectWire(tag, WIRE_LEN);
        const end = r.lenEnd(limit);
        const arr: AttrValue[] = [];
        while (r.pos < end) {
          const t = r.uint32();
          if (t >>> 3 === 1) {
            expectWire(t, WIRE_LEN);
            const e = r.lenEnd(end);
            arr.push(readAnyValue(r, e, depth + 1));
            r.pos = e;
          } else {
            r.skip(t & 7, end);
          }
        }
        checkEnd(r, end);
        value = arr;
        break;
      }
      case 6: {
        expectWire(tag, WIRE_LEN);
        const end = r.lenEnd(limit);
        const obj: Attributes = {};
        while (r.pos < end) {
          const t = r.uint32();
          if (t >>> 3 === 1) {
            expectWire(t, WIRE_LEN);
            readKeyValueInto(r, r.lenEnd(end), obj, depth + 1);
          } else {
            r.skip(t & 7, end);
          }
        }
        checkEnd(r, end);
        value = obj;
        break;
      }
      case 7: expectWire(tag, WIRE_LEN); value = r.base64(limit); break;
      default: r.skip(tag & 7, limit);
    }
  }
  checkEnd(r, limit);
  // JSON cannot hold NaN/Infinity; keep them readable rather than silently null.
  if (typeof value === 'number' && !Number.isFinite(value)) value = String(value);
  return value;
}
