import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { KIND_NAMES, STATUS_NAMES } from '../store/types.js';
import { SpanBatchEncoder, decodeSpanBatch, encodeSpanBatch } from './spanCodec.js';

/** What JSON would have carried: the host-to-writer format must store exactly this. */
const viaJson = (v: unknown): unknown => (v === undefined ? {} : JSON.parse(JSON.stringify(v)));
const ns = (t: [number, number]): bigint => BigInt(t[0]) * 1_000_000_000n + BigInt(t[1]);

// Small pools so strings repeat within a batch (the intern table) next to one-off ones.
const key = fc.oneof(fc.constantFrom('gen_ai.agent.name', 'gen_ai.request.model', '', '__proto__', 'κλειδί'), fc.string({ unit: 'grapheme', maxLength: 80 }));
const text = fc.oneof(
  fc.constantFrom('planner', 'gpt-4o', 'x'.repeat(64), 'y'.repeat(65), 'émoji 🚀'),
  fc.string({ unit: 'grapheme', maxLength: 120 }),
  fc.string({ unit: 'grapheme-ascii', maxLength: 70 }),
);
const scalar = fc.oneof(
  text,
  fc.integer(),
  fc.constantFrom(0, -0, 2 ** 31, -(2 ** 32), 0xffff_ffff, 2 ** 40, Number.MAX_SAFE_INTEGER, -Number.MAX_SAFE_INTEGER, 2 ** 60),
  fc.double(), // includes NaN, ±Infinity, -0
  fc.boolean(),
);
const attrValue = fc.oneof(scalar, fc.array(fc.oneof(scalar, fc.constant(null), fc.constant(undefined)), { maxLength: 5 }), fc.constant(undefined));
const attrs = fc.dictionary(key, attrValue, { maxKeys: 8 });
const hex = (n: number) => fc.string({ unit: fc.constantFrom(...'0123456789abcdef'), minLength: n, maxLength: n });
const hr = fc.tuple(fc.integer({ min: 1_600_000_000, max: 1_900_000_000 }), fc.integer({ min: 0, max: 999_999_999 })) as fc.Arbitrary<[number, number]>;

const resources = [{ attributes: { 'service.name': 'svc', 'service.version': '1.0.0' } }, { attributes: { 'service.name': 'другой', n: 3 } }];
const scopes = [{ name: 'agentpulse', version: '0.1.0' }, { name: 'other' }];

const span = fc.record({
  traceId: fc.oneof(fc.constantFrom('0af7651916cd43dd8448eb211c80319c'), hex(32)),
  spanId: hex(16),
  parent: fc.option(hex(16), { nil: undefined }),
  name: text,
  kind: fc.integer({ min: 0, max: 4 }),
  start: hr,
  durNs: fc.integer({ min: 0, max: 5_000_000_000 }),
  status: fc.integer({ min: 0, max: 2 }),
  message: fc.option(text, { nil: undefined }),
  attributes: attrs,
  resource: fc.integer({ min: 0, max: 1 }),
  scope: fc.integer({ min: 0, max: 1 }),
  events: fc.array(fc.record({ name: text, time: hr, attributes: fc.option(attrs, { nil: undefined }) }), { maxLength: 3 }),
  links: fc.array(fc.record({ traceId: hex(32), spanId: hex(16), attributes: fc.option(attrs, { nil: undefined }) }), { maxLength: 2 }),
});
type Gen = typeof span extends fc.Arbitrary<infer T> ? T : never;

function toReadable(g: Gen): ReadableSpan {
  const endNs = ns(g.start) + BigInt(g.durNs);
  const end: [number, number] = [Number(endNs / 1_000_000_000n), Number(endNs % 1_000_000_000n)];
  return {
    spanContext: () => ({ traceId: g.traceId, spanId: g.spanId, traceFlags: 1 }),
    parentSpanContext: g.parent ? { traceId: g.traceId, spanId: g.parent, traceFlags: 1 } : undefined,
    name: g.name,
    kind: g.kind,
    startTime: g.start,
    endTime: end,
    status: { code: g.status, message: g.message },
    attributes: g.attributes,
    resource: resources[g.resource],
    instrumentationScope: scopes[g.scope],
    events: g.events,
    links: g.links.map((l) => ({ context: { traceId: l.traceId, spanId: l.spanId, traceFlags: 1 }, attributes: l.attributes })),
  } as unknown as ReadableSpan;
}

describe('span codec (host → writer thread)', () => {
  it('round-trips every field exactly as JSON would have carried it', () => {
    fc.assert(
      fc.property(fc.array(span, { minLength: 1, maxLength: 40 }), fc.nat(5), (gens, cut) => {
        const spans = gens.map(toReadable);
        const from = Math.min(cut, spans.length - 1);
        const decoded = decodeSpanBatch(encodeSpanBatch(spans, from));
        expect(decoded).toHaveLength(spans.length - from);
        decoded.forEach((d, i) => {
          const g = gens[from + i];
          const s = spans[from + i];
          expect(d).toEqual({
            traceId: g.traceId,
            spanId: g.spanId,
            parentSpanId: g.parent ?? null,
            name: g.name,
            kind: KIND_NAMES[g.kind + 1],
            startNs: ns(g.start),
            endNs: ns(s.endTime),
            statusCode: STATUS_NAMES[g.status],
            statusMessage: g.message || null,
            attributes: viaJson(g.attributes),
            resource: viaJson(resources[g.resource].attributes),
            scopeName: scopes[g.scope].name,
            scopeVersion: scopes[g.scope].version ?? null,
            events: g.events.map((e) => ({ name: e.name, timeNs: ns(e.time), attributes: viaJson(e.attributes) })),
            links: g.links.map((l) => ({ traceId: l.traceId, spanId: l.spanId, attributes: viaJson(l.attributes) })),
          });
          // '__proto__' must come back as an own key, never as the prototype.
          expect(Object.getPrototypeOf(d.attributes)).toBe(Object.prototype);
        });
      }),
      { numRuns: 400 },
    );
  });

  it('stays exact while its buffer grows at any point of any value (tiny starting buffers)', () => {
    fc.assert(
      fc.property(fc.array(span, { minLength: 1, maxLength: 25 }), fc.integer({ min: 1, max: 64 }), (gens, initial) => {
        const enc = new SpanBatchEncoder(initial);
        const spans = gens.map(toReadable);
        for (const s of spans) enc.add(s);
        const viaShared = encodeSpanBatch(spans);
        expect(Buffer.from(enc.seal()!).equals(Buffer.from(viaShared))).toBe(true);
        expect(decodeSpanBatch(viaShared).map((d) => d.name)).toEqual(gens.map((g) => g.name));
      }),
      { numRuns: 300 },
    );
  });

  it('is smaller than the JSON it replaces for a typical agent batch, and reuses its buffer safely', () => {
    const attributes = { 'gen_ai.operation.name': 'chat', 'gen_ai.request.model': 'gpt-4o', 'gen_ai.agent.name': 'planner', 'gen_ai.usage.input_tokens': 1234 };
    const gens = Array.from({ length: 200 }, (_, i) => ({
      traceId: '0af7651916cd43dd8448eb211c80319c',
      spanId: i.toString(16).padStart(16, '0'),
      parent: 'b7ad6b7169203331',
      name: 'chat gpt-4o',
      kind: 2,
      start: [1_760_000_000 + i, 5] as [number, number],
      durNs: 1000,
      status: 0,
      message: undefined,
      attributes: { ...attributes, 'agentpulse.task.id': `task-${i}` },
      resource: 0,
      scope: 0,
      events: [],
      links: [],
    }));
    const a = encodeSpanBatch(gens.map(toReadable));
    const b = encodeSpanBatch(gens.slice(0, 3).map(toReadable));
    // A later encode must not change an earlier result (each call returns its own bytes).
    expect(decodeSpanBatch(a)).toHaveLength(200);
    expect(decodeSpanBatch(b)).toHaveLength(3);
    expect(a.byteLength).toBeLessThan(JSON.stringify(gens).length / 3);
  });

  it('treats values JSON cannot carry as JSON does, and a lone surrogate as UTF-8 does', () => {
    const g = fc.sample(span, { numRuns: 1, seed: 7 })[0];
    g.attributes = { big: 12n as never, nan: NaN, inf: [Infinity, undefined, 1], gone: undefined, lone: 'a\ud800b', date: new Date(0) as never };
    const [d] = decodeSpanBatch(encodeSpanBatch([toReadable(g)]));
    expect(d.attributes).toEqual({ big: '12', nan: null, inf: [null, null, 1], lone: 'a\ufffdb', date: '1970-01-01T00:00:00.000Z' });
  });

  it('never produces a batch the writer cannot decode, even from a hand-made span with odd times', () => {
    const g = fc.sample(span, { numRuns: 1, seed: 5 })[0];
    const odd = { ...toReadable(g), spanContext: () => ({ traceId: g.traceId, spanId: g.spanId, traceFlags: 1 }) } as ReadableSpan;
    Object.assign(odd, { startTime: [1_700_000_000.5, 12.7], endTime: [NaN, -3], events: [{ name: 'e', time: [Infinity, 2e9] }] });
    const [d] = decodeSpanBatch(encodeSpanBatch([odd]));
    expect(d.startNs).toBe(1_700_000_000_000_000_012n);
    expect(d.endNs).toBe(1_700_000_000_000_000_000n);
    expect(d.events[0].timeNs).toBe(1_700_000_000_000_000_000n);
  });

  it('streams spans into one batch; a span that cannot be encoded leaves the batch valid and closes it', () => {
    const [ok1, bad, ok2] = fc.sample(span, { numRuns: 3, seed: 11 });
    // The bad span shares strings with the good one, so a half-written intern table would show.
    bad.attributes = { ...ok1.attributes, [`${ok1.name}!`]: ok1.name, boom: { toJSON: () => { throw new Error('nope'); } } as never };
    const enc = new SpanBatchEncoder();
    enc.add(toReadable(ok1));
    expect(() => enc.add(toReadable(bad))).toThrow('nope');
    expect(() => enc.add(toReadable(ok2))).toThrow(/seal/);
    const bytes = enc.seal()!;
    expect(decodeSpanBatch(bytes).map((d) => d.spanId)).toEqual([ok1.spanId]);
    expect(enc.seal()).toBeNull();
    enc.add(toReadable(ok2));
    expect(decodeSpanBatch(enc.seal()!).map((d) => d.spanId)).toEqual([ok2.spanId]);
  });

  it('rejects damaged bytes with an error instead of returning wrong spans', () => {
    const bytes = encodeSpanBatch(fc.sample(span, { numRuns: 5, seed: 3 }).map(toReadable));
    for (let cut = 0; cut < bytes.length; cut += Math.max(1, bytes.length >> 5)) {
      expect(() => decodeSpanBatch(bytes.subarray(0, cut))).toThrow();
    }
    expect(() => decodeSpanBatch(Uint8Array.of(9))).toThrow(/version/);
  });
});
