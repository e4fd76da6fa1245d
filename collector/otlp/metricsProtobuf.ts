import type { AttrValue, Attributes } from '../../store/types.js';
import type { MetricKind, MetricPointIn } from '../../store/signals.js';
import { type ProtoReader, WIRE_I64, WIRE_LEN, WIRE_VARINT } from './ProtoReader.js';
import { checkEnd, expectWire, readKeyValueInto } from './protoAnyValue.js';
import { RejectionLog, type SignalDecodeResult } from './decodeResult.js';
import { readExportRequest } from './protoEnvelope.js';
import { blankPoint, bucketsOf, extraNumber, finiteOrNull, keepMetricPoints, type MetricFields } from './signalRecords.js';
import { runSliced, runToEnd, type Steps } from './slices.js';

// Field numbers from opentelemetry-proto: collector/metrics/v1/metrics_service.proto
// ExportMetricsServiceRequest{1 resource_metrics}; metrics/v1/metrics.proto:
// Metric{1 name, 2 description, 3 unit, 5 gauge, 7 sum, 9 histogram, 10 exponential_histogram,
// 11 summary, 12 metadata}; Gauge{1 data_points}, Sum{1, 2 aggregation_temporality,
// 3 is_monotonic}, Histogram and ExponentialHistogram{1, 2 aggregation_temporality}, Summary{1}.
// Every data point: 2 start_time_unix_nano fixed64, 3 time_unix_nano fixed64; attributes and
// flags differ by type (see the readers). Repeated numbers are read packed or not, as proto allows.

/**
 * Decodes an OTLP `ExportMetricsServiceRequest` (binary protobuf) into data points. Wire damage
 * throws `ProtoDecodeError` (answer 400); invalid points are dropped and counted (OTLP partial success).
 * @example
 * const { records, rejected, errorMessage } = decodeMetricsRequestProtobuf(body);
 */
export function decodeMetricsRequestProtobuf(body: Buffer): SignalDecodeResult<MetricPointIn> {
  const rej = new RejectionLog('data point(s)');
  return rej.result(runToEnd(readExportRequest<MetricPointIn>(body, (r, limit, out) => readMetric(r, limit, out, rej))));
}

/** {@link decodeMetricsRequestProtobuf} in slices of about `sliceMs` of CPU, yielding to the event loop between them. */
export async function decodeMetricsRequestProtobufSliced(body: Buffer, sliceMs = 10): Promise<SignalDecodeResult<MetricPointIn>> {
  const rej = new RejectionLog('data point(s)');
  return rej.result(await runSliced(readExportRequest<MetricPointIn>(body, (r, limit, out) => readMetric(r, limit, out, rej)), sliceMs));
}

const KIND_BY_FIELD: Partial<Record<number, MetricKind>> = { 5: 'gauge', 7: 'sum', 9: 'histogram', 10: 'exponential_histogram', 11: 'summary' };

function* readMetric(r: ProtoReader, limit: number, out: MetricPointIn[], rej: RejectionLog): Steps<void> {
  const m: MetricFields = { name: '', description: '', unit: '', kind: 'gauge', temporality: 0, monotonic: false };
  let points: MetricPointIn[] = [];
  let flags: number[] = [];
  while (r.pos < limit) {
    const tag = r.uint32();
    const kind = KIND_BY_FIELD[tag >>> 3];
    if (kind !== undefined) {
      expectWire(tag, WIRE_LEN);
      const end = r.lenEnd(limit);
      // `data` is a oneof: the last one on the wire wins.
      m.kind = kind;
      m.temporality = 0;
      m.monotonic = false;
      points = [];
      flags = [];
      yield* readData(r, end, m, points, flags);
      r.pos = end;
      continue;
    }
    switch (tag >>> 3) {
      case 1: expectWire(tag, WIRE_LEN); m.name = r.string(limit); break;
      case 2: expectWire(tag, WIRE_LEN); m.description = r.string(limit); break;
      case 3: expectWire(tag, WIRE_LEN); m.unit = r.string(limit); break;
      default: r.skip(tag & 7, limit);
    }
  }
  checkEnd(r, limit);
  keepMetricPoints(m, points, flags, rej, out);
}

function* readData(r: ProtoReader, limit: number, m: MetricFields, points: MetricPointIn[], flags: number[]): Steps<void> {
  const typed = m.kind !== 'gauge' && m.kind !== 'summary';
  while (r.pos < limit) {
    const tag = r.uint32();
    const f = tag >>> 3;
    if (f === 1) {
      expectWire(tag, WIRE_LEN);
      const end = r.lenEnd(limit);
      points.push(readPoint(r, end, m.kind, flags));
      r.pos = end;
      yield;
    } else if (f === 2 && typed) {
      expectWire(tag, WIRE_VARINT);
      // An enum is an int32: an undefined one is a bad metric, not bad wire.
      const n = r.int64();
      m.temporality = typeof n === 'number' ? n : -1;
    } else if (f === 3 && m.kind === 'sum') {
      expectWire(tag, WIRE_VARINT);
      m.monotonic = r.int64() !== 0;
    } else {
      r.skip(tag & 7, limit);
    }
  }
  checkEnd(r, limit);
}

/** Where each data point type keeps its attributes and flags. */
const ATTRIBUTES_FIELD: Record<MetricKind, number> = { gauge: 7, sum: 7, histogram: 9, exponential_histogram: 1, summary: 7 };
const FLAGS_FIELD: Record<MetricKind, number> = { gauge: 8, sum: 8, histogram: 10, exponential_histogram: 10, summary: 8 };

const NO_EXTRA: Attributes = Object.freeze({}) as Attributes;

/** Reads one data point message ending at `limit`; pushes its flags to `flags`. */
function readPoint(r: ProtoReader, limit: number, kind: MetricKind, flags: number[]): MetricPointIn {
  const p = blankPoint(kind);
  const attrField = ATTRIBUTES_FIELD[kind];
  const flagsField = FLAGS_FIELD[kind];
  const readField = kind === 'gauge' || kind === 'sum' ? numberField : kind === 'histogram' ? histogramField : kind === 'summary' ? summaryField : exponentialField;
  if (kind !== 'gauge' && kind !== 'sum') p.count = 0;
  // Only the summary's sum is a plain proto3 double (0 when absent); the histograms' are optional.
  if (kind === 'summary') p.sum = 0;
  if (kind === 'histogram') {
    p.bounds = [];
    p.bucketCounts = [];
  }
  const extra: Attributes = kind === 'exponential_histogram' ? { scale: 0, zero_count: 0, zero_threshold: 0, positive: bucketsOf(), negative: bucketsOf() } : kind === 'summary' ? { quantiles: [] } : NO_EXTRA;
  let pointFlags = 0;
  while (r.pos < limit) {
    const tag = r.uint32();
    const f = tag >>> 3;
    if (f === attrField) {
      expectWire(tag, WIRE_LEN);
      readKeyValueInto(r, r.lenEnd(limit), p.attributes, 0);
    } else if (f === 2) {
      expectWire(tag, WIRE_I64);
      p.startNs = r.fixed64();
    } else if (f === 3) {
      expectWire(tag, WIRE_I64);
      p.timeNs = r.fixed64();
    } else if (f === flagsField) {
      expectWire(tag, WIRE_VARINT);
      pointFlags = r.uint32();
    } else if (!readField(r, tag, limit, p, extra)) {
      r.skip(tag & 7, limit);
    }
  }
  checkEnd(r, limit);
  p.min = finiteOrNull(p.min);
  p.max = finiteOrNull(p.max);
  if (kind === 'exponential_histogram' || kind === 'summary') p.extra = extra;
  flags.push(pointFlags);
  return p;
}

/** Reads one field special to a point type into `p` or `extra`; false when the field is not one of them. */
type FieldReader = (r: ProtoReader, tag: number, limit: number, p: MetricPointIn, extra: Attributes) => boolean;

const numberField: FieldReader = (r, tag, _limit, p) => {
  switch (tag >>> 3) {
    case 4: expectWire(tag, WIRE_I64); p.value = r.double(); return true;
    case 6: expectWire(tag, WIRE_I64); p.value = Number(r.sfixed64()); return true;
    default: return false;
  }
};

const histogramField: FieldReader = (r, tag, limit, p) => {
  switch (tag >>> 3) {
    case 4: expectWire(tag, WIRE_I64); p.count = r.fixed64Number(); return true;
    case 5: expectWire(tag, WIRE_I64); p.sum = r.double(); return true;
    case 6: readRepeated(r, tag, limit, p.bucketCounts!, WIRE_I64, () => r.fixed64Number()); return true;
    case 7: readRepeated(r, tag, limit, p.bounds!, WIRE_I64, () => r.double()); return true;
    case 11: expectWire(tag, WIRE_I64); p.min = r.double(); return true;
    case 12: expectWire(tag, WIRE_I64); p.max = r.double(); return true;
    default: return false;
  }
};

const exponentialField: FieldReader = (r, tag, limit, p, extra) => {
  switch (tag >>> 3) {
    case 4: expectWire(tag, WIRE_I64); p.count = r.fixed64Number(); return true;
    case 5: expectWire(tag, WIRE_I64); p.sum = r.double(); return true;
    case 6: expectWire(tag, WIRE_VARINT); extra.scale = r.sint32(); return true;
    case 7: expectWire(tag, WIRE_I64); extra.zero_count = r.fixed64Number(); return true;
    case 8: expectWire(tag, WIRE_LEN); extra.positive = readBuckets(r, r.lenEnd(limit)); return true;
    case 9: expectWire(tag, WIRE_LEN); extra.negative = readBuckets(r, r.lenEnd(limit)); return true;
    case 12: expectWire(tag, WIRE_I64); p.min = r.double(); return true;
    case 13: expectWire(tag, WIRE_I64); p.max = r.double(); return true;
    case 14: expectWire(tag, WIRE_I64); extra.zero_threshold = extraNumber(r.double()); return true;
    default: return false;
  }
};

const summaryField: FieldReader = (r, tag, limit, p, extra) => {
  switch (tag >>> 3) {
    case 4: expectWire(tag, WIRE_I64); p.count = r.fixed64Number(); return true;
    case 5: expectWire(tag, WIRE_I64); p.sum = r.double(); return true;
    case 6: expectWire(tag, WIRE_LEN); (extra.quantiles as AttrValue[]).push(readQuantile(r, r.lenEnd(limit))); return true;
    default: return false;
  }
};

/** ExponentialHistogramDataPoint.Buckets{1 offset sint32, 2 bucket_counts repeated uint64}. */
function readBuckets(r: ProtoReader, limit: number): Attributes {
  let offset = 0;
  const counts: number[] = [];
  while (r.pos < limit) {
    const tag = r.uint32();
    if (tag >>> 3 === 1) {
      expectWire(tag, WIRE_VARINT);
      offset = r.sint32();
    } else if (tag >>> 3 === 2) {
      readRepeated(r, tag, limit, counts, WIRE_VARINT, () => r.uint64Number());
    } else {
      r.skip(tag & 7, limit);
    }
  }
  checkEnd(r, limit);
  return bucketsOf(offset, counts);
}

/** SummaryDataPoint.ValueAtQuantile{1 quantile double, 2 value double}. */
function readQuantile(r: ProtoReader, limit: number): Attributes {
  let quantile = 0;
  let value = 0;
  while (r.pos < limit) {
    const tag = r.uint32();
    if (tag >>> 3 === 1) {
      expectWire(tag, WIRE_I64);
      quantile = r.double();
    } else if (tag >>> 3 === 2) {
      expectWire(tag, WIRE_I64);
      value = r.double();
    } else {
      r.skip(tag & 7, limit);
    }
  }
  checkEnd(r, limit);
  return { quantile: extraNumber(quantile), value: extraNumber(value) };
}

/** A repeated scalar, packed (one length-delimited run) or not (one element per tag). */
function readRepeated(r: ProtoReader, tag: number, limit: number, out: number[], wire: number, read: () => number): void {
  if ((tag & 7) === WIRE_LEN) {
    const end = r.lenEnd(limit);
    while (r.pos < end) out.push(read());
    checkEnd(r, end);
  } else {
    expectWire(tag, wire);
    out.push(read());
  }
}
