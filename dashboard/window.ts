import { z } from 'zod';
import { HttpError } from '../http/HttpError.js';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

/** Ranges the UI offers; `all` spans everything stored. */
export const RANGES: Record<string, number> = { '15m': 15 * MINUTE, '1h': HOUR, '6h': 6 * HOUR, '24h': DAY, '7d': 7 * DAY, '30d': 30 * DAY };
/** Bucket widths the time series can use; `auto` picks the smallest giving ≤ MAX_POINTS points. */
export const BUCKETS: Record<string, number> = { '1m': MINUTE, '5m': 5 * MINUTE, '15m': 15 * MINUTE, '1h': HOUR, '6h': 6 * HOUR, '1d': DAY };
const MAX_POINTS = 240;

const WindowQuery = z.object({
  range: z.union([z.enum(Object.keys(RANGES) as [string, ...string[]]), z.literal('all')]).default('24h'),
  from: z.coerce.number().int().nonnegative().optional(),
  to: z.coerce.number().int().positive().optional(),
  bucket: z.union([z.enum(Object.keys(BUCKETS) as [string, ...string[]]), z.literal('auto')]).default('auto'),
});

export interface TimeWindow {
  /** Inclusive, epoch ms, minute-aligned. */
  fromMs: number;
  /** Exclusive, epoch ms, minute-aligned. */
  toMs: number;
  bucketMs: number;
  range: string;
  /** True when the window was moved back to the newest stored data (nothing in the live window). */
  anchoredToData: boolean;
}

/** Stored data extent from the rollups, in epoch ms (null when empty). */
export interface DataExtent {
  firstMinuteMs: number | null;
  lastMinuteMs: number | null;
}

/** Parses `range`, `from`, `to` (epoch ms) and `bucket` query parameters; 400 on bad values. */
export function parseWindowQuery(params: URLSearchParams | Record<string, string | undefined>): z.infer<typeof WindowQuery> {
  const o = params instanceof URLSearchParams ? Object.fromEntries(params) : params;
  const parsed = WindowQuery.safeParse(o);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new HttpError(400, `bad query parameter ${issue.path.join('.')}: ${issue.message} (range: ${Object.keys(RANGES).join('|')}|all; bucket: ${Object.keys(BUCKETS).join('|')}|auto; from/to: epoch ms)`);
  }
  return parsed.data;
}

const MAX_EXPLICIT_POINTS = 5_000;

/**
 * Smallest bucket width giving at most MAX_POINTS points over `spanMs`: one of `BUCKETS`, or past
 * 240 days a whole number of days (years of history still draw as ≤ 240 points).
 */
export function autoBucket(spanMs: number): number {
  for (const b of Object.values(BUCKETS)) if (spanMs / b <= MAX_POINTS) return b;
  return Math.ceil(spanMs / MAX_POINTS / DAY) * DAY;
}

/**
 * Resolves the window. Explicit from/to win. Otherwise the window ends now; when nothing was
 * stored inside it but older data exists (a replayed demo, a paused fleet) it ends at the
 * newest stored minute instead, so a panel never opens empty on a store with data.
 */
export function resolveWindow(q: z.infer<typeof WindowQuery>, extent: DataExtent, nowMs = Date.now()): TimeWindow {
  const ceilMin = (ms: number): number => Math.ceil(ms / MINUTE) * MINUTE;
  const floorMin = (ms: number): number => Math.floor(ms / MINUTE) * MINUTE;
  let toMs = q.to !== undefined ? ceilMin(q.to) : ceilMin(nowMs + 1);
  let anchoredToData = false;
  let fromMs: number;
  if (q.from !== undefined) {
    fromMs = floorMin(q.from);
  } else if (q.range === 'all') {
    fromMs = extent.firstMinuteMs ?? toMs - DAY;
    if (q.to === undefined && extent.lastMinuteMs !== null) toMs = Math.max(extent.lastMinuteMs + MINUTE, fromMs + MINUTE);
  } else {
    const len = RANGES[q.range]!;
    if (q.to === undefined && extent.lastMinuteMs !== null && extent.lastMinuteMs < toMs - len) {
      toMs = extent.lastMinuteMs + MINUTE;
      anchoredToData = true;
    }
    fromMs = toMs - len;
  }
  if (fromMs >= toMs) throw new HttpError(400, 'from must be before to');
  const span = toMs - fromMs;
  let bucketMs = q.bucket === 'auto' ? autoBucket(span) : BUCKETS[q.bucket]!;
  if (span / bucketMs > MAX_EXPLICIT_POINTS) {
    // With `all` the caller did not choose the span (old or stray data decides it): widen instead of failing.
    if (q.range === 'all' && q.from === undefined) bucketMs = autoBucket(span);
    else throw new HttpError(400, `bucket ${q.bucket} gives ${Math.ceil(span / bucketMs)} points over this range; pick a wider bucket`);
  }
  return { fromMs, toMs, bucketMs, range: q.from !== undefined ? 'custom' : q.range, anchoredToData };
}
