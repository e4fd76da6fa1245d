import type { Alert, AlertStateName, Severity } from '../reportSchema.js';
import type { ActiveCondition } from './conditions.js';
import type { AlertEventRecord, AlertStateRecord } from '../../store/records/types.js';

/**
 * One alert_state row as the analyzer reads and writes it (times as epoch ms; the stored shape is
 * store/records/types.ts): `sinceMs` is when the current episode started (became pending, or
 * resolved), `updatedMs` when the state last changed.
 */
export interface StoredAlert extends AlertStateRecord {
  severity: Severity;
  state: AlertStateName;
  summary?: string;
}

/** One state change, as stored in alert_events. */
export interface AlertTransition extends AlertEventRecord {
  severity: Severity;
  from: AlertStateName | null;
  to: AlertStateName;
}

export interface AdvanceResult {
  /** Every alert after this run, changed or not. */
  states: StoredAlert[];
  /** Rows that differ from before (to upsert). */
  changed: StoredAlert[];
  transitions: AlertTransition[];
}

/**
 * The alert state machine, one step per analyzer run:
 * absent/resolved + condition → pending (→ firing at once when `for` is 0);
 * pending + condition held for ≥ `for` → firing; pending/firing without condition → resolved.
 * Pure: the caller persists `changed` and `transitions`.
 */
export function advanceAlerts(previous: readonly StoredAlert[], active: readonly ActiveCondition[], nowMs: number): AdvanceResult {
  const prev = new Map(previous.map((a) => [a.fingerprint, a]));
  const states: StoredAlert[] = [];
  const changed: StoredAlert[] = [];
  const transitions: AlertTransition[] = [];
  const seen = new Set<string>();
  const move = (a: StoredAlert, from: AlertStateName | null, to: AlertStateName): StoredAlert => {
    transitions.push({ fingerprint: a.fingerprint, rule: a.rule, severity: a.severity, from, to, value: a.value, threshold: a.threshold, scope: a.scope, atMs: nowMs });
    return { ...a, state: to, updatedMs: nowMs };
  };

  for (const c of active) {
    if (seen.has(c.fingerprint)) continue;
    seen.add(c.fingerprint);
    const p = prev.get(c.fingerprint);
    const fresh: StoredAlert = {
      fingerprint: c.fingerprint, rule: c.rule, severity: c.severity, state: 'pending', scope: c.scope, value: c.value, threshold: c.threshold,
      sinceMs: nowMs, updatedMs: nowMs, lastNotifiedMs: p?.lastNotifiedMs ?? null, summary: c.summary,
    };
    let next: StoredAlert;
    if (!p || p.state === 'resolved') {
      next = move(fresh, p ? 'resolved' : null, 'pending');
      if (c.forMs <= 0) next = move(next, 'pending', 'firing');
    } else {
      next = { ...p, severity: c.severity, value: c.value, threshold: c.threshold, summary: c.summary };
      if (p.state === 'pending' && nowMs - p.sinceMs >= c.forMs) next = move(next, 'pending', 'firing');
    }
    states.push(next);
    if (!p || !sameRow(p, next)) changed.push(next);
  }
  for (const p of previous) {
    if (seen.has(p.fingerprint)) continue;
    if (p.state === 'resolved') {
      states.push(p);
      continue;
    }
    const next = { ...move(p, p.state, 'resolved'), sinceMs: nowMs };
    states.push(next);
    changed.push(next);
  }
  return { states, changed, transitions };
}

function sameRow(a: StoredAlert, b: StoredAlert): boolean {
  return a.state === b.state && a.severity === b.severity && a.value === b.value && a.threshold === b.threshold && a.updatedMs === b.updatedMs;
}

/** Alerts owed a notification: firing or resolved, and not notified since the last state change. */
export function pendingNotifications(states: readonly StoredAlert[]): StoredAlert[] {
  return states.filter((a) => (a.state === 'firing' || a.state === 'resolved') && (a.lastNotifiedMs === null || a.lastNotifiedMs < a.updatedMs));
}

/** The report's view of an alert. */
export function toReportAlert(a: StoredAlert): Alert {
  return {
    rule: a.rule,
    severity: a.severity,
    state: a.state,
    value: a.value,
    threshold: a.threshold,
    scope: a.scope,
    since: new Date(a.sinceMs).toISOString(),
    fingerprint: a.fingerprint,
  };
}
