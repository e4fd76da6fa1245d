import type { Attributes } from '../../store/types.js';
import { ProtoReader, WIRE_LEN } from './ProtoReader.js';
import { checkEnd, expectWire, readKeyValueInto } from './protoAnyValue.js';
import type { Steps } from './slices.js';

// Every OTLP export request has the same envelope (collector/*/v1/*_service.proto and the signal
// protos): Export…ServiceRequest{1 repeated Resource…}, Resource…{1 resource, 2 repeated Scope…,
// 3 schema_url}, Scope…{1 scope, 2 repeated item, 3 schema_url}; resource/v1/resource.proto:
// Resource{1 attributes}; common/v1/common.proto: InstrumentationScope{1 name, 2 version}.

/** What the envelope gives every decoded record. */
export interface Scoped {
  resource: Attributes;
  scopeName: string | null;
  scopeVersion: string | null;
}

/**
 * Reads one item message (a span, a log record, a metric) that ends at `limit` and pushes what may
 * be stored into `out` (rejections are the reader's to count); r.pos may be anywhere up to `limit`.
 * The walk pauses after every item; a reader pauses inside only where one item may be large.
 */
export type ItemReader<T> = (r: ProtoReader, limit: number, out: T[]) => Steps<void>;

/**
 * Walks an OTLP export request in binary protobuf, calling `readItem` for every item of every
 * scope, and gives each record its resource and scope once their messages are complete (proto
 * fields may arrive in any order). Wire damage throws `ProtoDecodeError`. Run it with `runToEnd`
 * or `runSliced` directly: every generator between the runner and a pause costs on every pause.
 */
export function* readExportRequest<T extends Scoped>(body: Buffer, readItem: ItemReader<T>): Steps<T[]> {
  const r = new ProtoReader(body);
  const out: T[] = [];
  const limit = body.length;
  while (r.pos < limit) {
    const tag = r.uint32();
    if (tag === ((1 << 3) | WIRE_LEN)) {
      const end = r.lenEnd(limit);
      yield* readResourceGroup(r, end, out, readItem);
      r.pos = end;
    } else {
      r.skip(tag & 7, limit);
    }
  }
  checkEnd(r, limit);
  return out;
}

function* readResourceGroup<T extends Scoped>(r: ProtoReader, limit: number, out: T[], readItem: ItemReader<T>): Steps<void> {
  let resource: Attributes = {};
  const first = out.length;
  while (r.pos < limit) {
    const tag = r.uint32();
    switch (tag >>> 3) {
      case 1: {
        expectWire(tag, WIRE_LEN);
        const end = r.lenEnd(limit);
        resource = readResource(r, end);
        r.pos = end;
        break;
      }
      case 2: {
        expectWire(tag, WIRE_LEN);
        const end = r.lenEnd(limit);
        yield* readScopeGroup(r, end, out, readItem);
        r.pos = end;
        break;
      }
      default:
        r.skip(tag & 7, limit);
    }
  }
  checkEnd(r, limit);
  for (let i = first; i < out.length; i++) out[i]!.resource = resource;
}

function* readScopeGroup<T extends Scoped>(r: ProtoReader, limit: number, out: T[], readItem: ItemReader<T>): Steps<void> {
  let scope: InstrumentationScope = { name: null, version: null };
  const first = out.length;
  while (r.pos < limit) {
    const tag = r.uint32();
    switch (tag >>> 3) {
      case 1: {
        expectWire(tag, WIRE_LEN);
        scope = readScope(r, r.lenEnd(limit));
        break;
      }
      case 2: {
        expectWire(tag, WIRE_LEN);
        const end = r.lenEnd(limit);
        yield* readItem(r, end, out);
        r.pos = end;
        // Pausing here rather than in the reader keeps one generator level off every pause.
        yield;
        break;
      }
      default:
        r.skip(tag & 7, limit);
    }
  }
  checkEnd(r, limit);
  for (let i = first; i < out.length; i++) {
    const rec = out[i]!;
    rec.scopeName = scope.name;
    rec.scopeVersion = scope.version;
  }
}

/** Reads a Resource message ending at `limit` into its attributes. */
export function readResource(r: ProtoReader, limit: number): Attributes {
  const attrs: Attributes = {};
  while (r.pos < limit) {
    const tag = r.uint32();
    if (tag >>> 3 === 1) {
      expectWire(tag, WIRE_LEN);
      readKeyValueInto(r, r.lenEnd(limit), attrs, 0);
    } else {
      r.skip(tag & 7, limit);
    }
  }
  checkEnd(r, limit);
  return attrs;
}

/** An InstrumentationScope's name and version, null when empty. */
export interface InstrumentationScope {
  name: string | null;
  version: string | null;
}

/** Reads an InstrumentationScope message ending at `limit`; leaves r.pos at limit. */
export function readScope(r: ProtoReader, limit: number): InstrumentationScope {
  let name = '';
  let version = '';
  while (r.pos < limit) {
    const t = r.uint32();
    if (t >>> 3 === 1) {
      expectWire(t, WIRE_LEN);
      name = r.string(limit);
    } else if (t >>> 3 === 2) {
      expectWire(t, WIRE_LEN);
      version = r.string(limit);
    } else {
      r.skip(t & 7, limit);
    }
  }
  checkEnd(r, limit);
  return { name: name === '' ? null : name, version: version === '' ? null : version };
}
