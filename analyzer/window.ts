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

/** The units a duration may use, in nanoseconds. */
export const DURATION_UNITS: Readonly<Record<string, bigint>> = UNIT_NS;

const TERM = /(\d+)(?:\.(\d+))?(ms|s|m|h|d|w)/y;

/** The one wording for a duration nobody can read, wherever it was given (flag, rules file, API). */
export function durationError(text: string, label?: string, why = 'is not a duration'): WindowSpecError {
  return new WindowSpecError(`${label ? `${label}: ` : ''}"${text}" ${why}; use a number and a unit (ms, s, m, h, d, w), e.g. 90s, 30m, 24h, 7d or 1d12h`);
}

/**
 * The one duration grammar of agentpulse (CLI flags, rules files, the library): one or more
 * `<number><unit>` terms with no spaces between, units `ms s m h d w`, a number may have a
 * decimal fraction (`1.5h`); terms add up (`1d12h`). Surrounding blanks are ignored. Zero is
 * refused unless `allowZero` (a rule's `for: 0`). Returns nanoseconds, truncated to whole ns.
 * @example parseDuration('24h') // 86_400_000_000_000n
 * @example parseDuration('soon', { label: '--since' }) // throws: --since: "soon" is not a duration; use …
 */
export function parseDuration(text: string, options: { allowZero?: boolean; label?: string } = {}): bigint {
  const s = text.trim();
  let total = 0n;
  let at = 0;
  TERM.lastIndex = 0;
  for (let m = TERM.exec(s); m; m = TERM.exec(s)) {
    const unit = UNIT_NS[m[3]];
    const frac = m[2] ?? '';
    total += BigInt(m[1]) * unit + (frac ? (BigInt(frac) * unit) / 10n ** BigInt(frac.length) : 0n);
    at = TERM.lastIndex;
  }
  if (s.length === 0 || at !== s.length) throw durationError(text, options.label);
  if (total === 0n && !options.allowZero) throw durationError(text, options.label, 'is not a duration longer than zero');
  return total;
}

/** `parseDuration` in whole milliseconds (what timers and `Date` arithmetic want). */
export function parseDurationMs(text: string, options: { allowZero?: boolean; label?: string } = {}): number {
  return Number(parseDuration(text, options) / 1_000_000n);
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
