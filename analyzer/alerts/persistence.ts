import type { AnalyzerSource } from '../AnalyzerSource.js';
import { SeveritySchema, AlertStateSchema } from '../reportSchema.js';
import { jsonObject, numOrNull } from '../rows.js';
import type { StoredAlert } from './stateMachine.js';

const msOf = (v: unknown): number | null => (v === null || v === undefined ? null : Date.parse(String(v)));

/**
 * Reads every stored alert through the `alerts` named query (works over a file, `--url` or
 * ClickHouse). Writes go through the store's records (`store/records/`).
 */
export async function readAlertStates(source: AnalyzerSource): Promise<StoredAlert[]> {
  const rows = await source.named('alerts', {});
  return rows.map((r) => ({
    fingerprint: String(r.fingerprint),
    rule: String(r.rule),
    severity: SeveritySchema.catch('warning').parse(r.severity),
    state: AlertStateSchema.catch('resolved').parse(r.state),
    scope: jsonObject(r.scope) as Record<string, string | null>,
    value: numOrNull(r.value),
    threshold: numOrNull(r.threshold),
    sinceMs: msOf(r.since) ?? 0,
    updatedMs: msOf(r.updated_at) ?? 0,
    lastNotifiedMs: msOf(r.last_notified_at),
  }));
}
