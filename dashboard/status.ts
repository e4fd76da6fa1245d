/**
 * Display thresholds for an agent's status. They only colour the dashboard and `top`; alerting
 * is the analyzer's job (tested rules with pending periods). Defaults: an error rate at 5 %
 * is well above the low-single-digit baseline a healthy LLM fleet shows (provider 5xx and rate
 * limits), and 25 % means most retries are failing too.
 */
export interface StatusThresholds {
  degradedErrorRate: number;
  failingErrorRate: number;
  /** Fewer recent spans than this: judge by the whole window's error rate instead of the noisy recent one. */
  minRecentSpans: number;
}

export const DEFAULT_STATUS_THRESHOLDS: StatusThresholds = { degradedErrorRate: 0.05, failingErrorRate: 0.25, minRecentSpans: 20 };

/** How far back the fallback error rate looks when the recent minutes hold too few spans. */
export const STATUS_CONTEXT_MS = 3_600_000;

/**
 * The minutes a status is judged on: they end now, whatever range the page shows, so a badge
 * means the same thing at 15 min and at 7 days (a window anchored to old data would otherwise
 * colour agents by what they did hours ago). `recentMs` is the "now" part (rate, recent errors);
 * the whole status window backs the error rate when the recent part is too thin.
 */
export function statusWindow(nowMs: number, recentMs: number): { fromMs: number; toMs: number; recentMs: number } {
  const toMs = Math.ceil((nowMs + 1) / 60_000) * 60_000;
  return { fromMs: toMs - Math.max(STATUS_CONTEXT_MS, recentMs), toMs, recentMs };
}

export type AgentStatus = 'healthy' | 'degraded' | 'failing' | 'idle';

export interface StatusInput {
  spans: number;
  errors: number;
  recentSpans: number;
  recentErrors: number;
  breaker: string | null;
}

/** healthy | degraded | failing | idle: breaker state first, then the recent error rate. */
export function agentStatus(s: StatusInput, t: StatusThresholds = DEFAULT_STATUS_THRESHOLDS): AgentStatus {
  if (s.breaker === 'open') return 'failing';
  if (s.recentSpans === 0 && s.breaker !== 'half_open') return 'idle';
  const useRecent = s.recentSpans >= t.minRecentSpans;
  const errRate = useRecent ? s.recentErrors / s.recentSpans : s.spans > 0 ? s.errors / s.spans : 0;
  if (errRate >= t.failingErrorRate) return 'failing';
  if (errRate >= t.degradedErrorRate || s.breaker === 'half_open') return 'degraded';
  return 'healthy';
}
