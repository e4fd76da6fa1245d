import { AgentpulseError } from '../store/errors.js';

const UNIT_NS: Record<string, bigint> = {
  ms: 1_000_000n,
  s: 1_000_000_000n,
  m: 60_000_000_000n,
  h: 3_600_000_000_000n,
  d: 86_400_000_000_000n,
  w: 604_800_000_000_000n,
};

/** A half-open time range [fromNs, toNs) in epoch nanoseconds. */
export interface TimeRange {
  fromNs: bigint;
  toNs: bigint;
}

/** Thrown for an unreadable duration or range; the CLI prints its message as is. */
export class WindowSpecError extends AgentpulseError {
  constructor(message: string) {
    super('BAD_WINDOW', message);
  }
}

/**
 * Parses a duration such as `90s`, `15m`, `24h`, `7d`, `2w` (or a sum such as `1d12h`) into nanoseconds.
 * @example parseDuration('24h') // 86_400_000_000_000n
 */
export function parseDuration(text: string, options: { allowZero?: boolean } = {}): bigint {
  const s = text.trim();
  const re = /(\d+)(ms|s|m|h|d|w)/gy;
  let total = 0n;
  let matched = 0;
  for (let m = re.exec(s); m; m = re.exec(s)) {
    total += BigInt(m[1]) * UNIT_NS[m[2]];
    matched = re.lastIndex;
  }
  if (s.length === 0 || matched !== s.length || total < 0n || (total === 0n && !options.allowZero)) {
    throw new WindowSpecError(`cannot read duration "${text}"; use a number with a unit, e.g. 30m, 24h, 7d`);
  }
  return total;
}

/** Formats nanoseconds as the shortest exact duration string (`24h`, `90m`, `7d`). */
export function formatDuration(ns: bigint): string {
  for (const u of ['w', 'd', 'h', 'm', 's', 'ms'] as const) {
    if (ns % UNIT_NS[u] === 0n) return `${ns / UNIT_NS[u]}${u}`;
  }
  return `${ns}ns`;
}

export const msToNs = (ms: number): bigint => BigInt(Math.round(ms)) * 1_000_000n;
export const nsToIso = (ns: bigint): string => new Date(Number(ns / 1_000_000n)).toISOString();

function parseInstant(text: string): bigint {
  const ms = Date.parse(text.trim());
  if (Number.isNaN(ms)) throw new WindowSpecError(`cannot read time "${text}"; use ISO-8601, e.g. 2025-01-31T00:00Z`);
  return msToNs(ms);
}

/**
 * The current window and the baseline it is compared with.
 * `since` is a duration back from `now`; `baseline` is a duration immediately before the window
 * (`7d`), or an explicit `<from>..<to>` range of ISO timestamps.
 */
export function resolveWindows(opts: { now: Date; since: string; baseline: string }): { window: TimeRange; baseline: TimeRange } {
  const toNs = msToNs(opts.now.getTime());
  const window = { fromNs: toNs - parseDuration(opts.since), toNs };
  const b = opts.baseline.trim();
  let baseline: TimeRange;
  if (b.includes('..')) {
    const [from, to] = b.split('..');
    baseline = { fromNs: parseInstant(from), toNs: parseInstant(to) };
    if (baseline.fromNs >= baseline.toNs) throw new WindowSpecError(`baseline "${b}" is empty: its start must come before its end`);
  } else {
    baseline = { fromNs: window.fromNs - parseDuration(b), toNs: window.fromNs };
  }
  return { window, baseline };
}
