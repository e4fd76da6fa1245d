import { createHash } from 'node:crypto';

/**
 * Stable identity of one alert: the rule name, the metric and the scope, canonicalised
 * (sorted keys), hashed. The same condition on the same scope dedups across runs.
 */
export function alertFingerprint(rule: string, metric: string, scope: Record<string, string | null>): string {
  const canonical = JSON.stringify([rule, metric, Object.keys(scope).sort().map((k) => [k, scope[k]])]);
  return createHash('sha256').update(canonical).digest('hex').slice(0, 16);
}
