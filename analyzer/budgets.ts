import { ns } from './AnalyzerSource.js';
import type { AnalyzerSource } from './AnalyzerSource.js';
import type { BudgetRule } from './alerts/rules.js';
import type { BudgetStatus } from './reportSchema.js';
import { num, round } from './rows.js';
import { parseDuration } from './window.js';

const NS_PER_HOUR = 3_600_000_000_000;

/** `*` wildcards as in alert scopes; omitted = every value. */
function matches(pattern: string | undefined, value: string): boolean {
  if (pattern === undefined) return true;
  return new RegExp(`^${pattern.split('*').map((p) => p.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('.*')}$`).test(value);
}

/**
 * Spend against each budget rule's limit over the rule's own window (ending at `toNs`), one entry
 * per scope value that spent anything: over or not, the burn rate (spend per hour since the
 * scope's first priced span in the window) and, while under budget, when the budget runs out at
 * that rate (null when it will not within the window's length from now).
 */
export async function computeBudgets(source: AnalyzerSource, rules: readonly BudgetRule[], toNs: bigint): Promise<BudgetStatus[]> {
  const out: BudgetStatus[] = [];
  for (const rule of rules) {
    const windowNs = parseDuration(rule.window);
    const rows = await source.named('budget_spend', { from_ns: ns(toNs - windowNs), to_ns: ns(toNs), dim: rule.scope });
    for (const r of rows) {
      const key = String(r.key);
      if (!matches(rule.match, key)) continue;
      const spent = num(r.usd);
      const elapsedNs = Number(toNs - BigInt(String(r.first_ns)));
      const burn = elapsedNs > 0 ? (spent / elapsedNs) * NS_PER_HOUR : null;
      let runsOut: string | null = null;
      if (spent <= rule.usd && burn !== null && burn > 0) {
        const leftNs = ((rule.usd - spent) / burn) * NS_PER_HOUR;
        if (leftNs <= Number(windowNs)) runsOut = new Date(Number(toNs / 1_000_000n) + leftNs / 1e6).toISOString();
      }
      out.push({
        rule: rule.name, scope: rule.scope, key, usd: round(spent, 9), budget_usd: rule.usd, window: rule.window,
        over: spent > rule.usd, burn_usd_per_hour: burn === null ? null : round(burn, 9), runs_out_at: runsOut,
      });
    }
  }
  return out;
}
