import type { Tracer } from '@opentelemetry/api';
import { ATTR_ERROR_TYPE, ATTR_RECOVERY_ATTEMPT, ATTR_RECOVERY_OUTCOME, EVENT_ATTEMPT } from '../attributes.js';
import { errorTypeOf } from '../classify/classifyError.js';
import { BudgetExceededError } from '../errors/BudgetExceededError.js';
import type { ExecuteOptions, PolicyContext, RecoveryPolicy } from '../policy/Policy.js';
import { NEVER_ABORTED } from '../policy/Policy.js';
import { recordDecision, RecoveryEpisode } from '../tracing/RecoveryEpisode.js';

export const ATTR_BUDGET_SCOPE = 'agentpulse.recovery.budget.scope';
export const ATTR_BUDGET_SPENT_USD = 'agentpulse.recovery.budget.spent_usd';
export const ATTR_BUDGET_USD = 'agentpulse.recovery.budget.usd';

export interface BudgetOptions {
  /** What the budget covers, for messages and spans: 'agent:researcher', 'session:abc'. */
  scope: string;
  /** The limit in USD. */
  usd: number;
  /** Spend counts for this long (rolling); default: for the policy's lifetime. */
  windowMs?: number;
  /** The cost of a finished call; default: its `costUsd` or `cost_usd` when a number, else 0. */
  costOf?: (result: unknown) => number | null | undefined;
  tracer?: Tracer;
  /** Clock in ms (tests). */
  now?: () => number;
}

/** Per call: cheaper ways to do the same work, tried in order once the budget is spent. */
export interface BudgetExecuteOptions<T> extends ExecuteOptions {
  cheaper?: readonly ((ctx: PolicyContext) => Promise<T> | T)[];
}

function defaultCost(result: unknown): number | null {
  if (result === null || typeof result !== 'object') return null;
  const r = result as { costUsd?: unknown; cost_usd?: unknown };
  const v = typeof r.costUsd === 'number' ? r.costUsd : r.cost_usd;
  return typeof v === 'number' && Number.isFinite(v) ? v : null;
}

/**
 * Enforces a spending budget at run time. Under budget a call runs as is and its cost is
 * charged; once the budget is spent, the call's `cheaper` alternatives run instead, in order (a
 * `recovery budget` span, outcome recovered or failed, one attempt event each), or, without
 * any, the call is refused with {@link BudgetExceededError} (outcome rejected). The check is
 * made before each call: calls already running may take spend past the limit.
 *
 * @example
 * const budget = new BudgetPolicy({ scope: 'agent:researcher', usd: 5, windowMs: 86_400_000 });
 * await budget.execute(() => ask('gpt-4o', q), { cheaper: [() => ask('gpt-4o-mini', q)] });
 */
export class BudgetPolicy implements RecoveryPolicy {
  readonly scope: string;
  readonly usd: number;
  readonly #windowMs: number | null;
  readonly #costOf: (result: unknown) => number | null | undefined;
  readonly #tracer: Tracer | undefined;
  readonly #now: () => number;
  /** [ms, usd] charges, oldest first (one running total when there is no window). */
  readonly #charges: [number, number][] = [];
  #total = 0;

  constructor(options: BudgetOptions) {
    if (!(options.usd > 0) || !Number.isFinite(options.usd)) throw new RangeError(`usd must be a positive number, got ${options.usd}`);
    if (options.windowMs !== undefined && !(options.windowMs > 0)) throw new RangeError(`windowMs must be > 0, got ${options.windowMs}`);
    this.scope = options.scope;
    this.usd = options.usd;
    this.#windowMs = options.windowMs ?? null;
    this.#costOf = options.costOf ?? defaultCost;
    this.#tracer = options.tracer;
    this.#now = options.now ?? Date.now;
  }

  /** Spent within the window now. */
  get spent(): number {
    if (this.#windowMs !== null) {
      const from = this.#now() - this.#windowMs;
      while (this.#charges.length > 0 && this.#charges[0]![0] < from) this.#total -= this.#charges.shift()![1];
      if (this.#charges.length === 0) this.#total = 0; // no float residue once the window is empty
    }
    return this.#total;
  }

  get remaining(): number {
    return Math.max(0, this.usd - this.spent);
  }

  /** Adds a cost known elsewhere (a call not made through this policy). Ignores non-positive and non-finite amounts. */
  charge(usd: number): void {
    if (!(usd > 0) || !Number.isFinite(usd)) return;
    this.#total += usd;
    if (this.#windowMs !== null) this.#charges.push([this.#now(), usd]);
  }

  async execute<T>(fn: (ctx: PolicyContext) => Promise<T> | T, options?: BudgetExecuteOptions<T>): Promise<T> {
    const ctx = { signal: options?.signal ?? NEVER_ABORTED };
    const spent = this.spent;
    if (spent < this.usd) return this.#charged(await fn(ctx));
    const attributes = { [ATTR_BUDGET_SCOPE]: this.scope, [ATTR_BUDGET_SPENT_USD]: spent, [ATTR_BUDGET_USD]: this.usd };
    const over = new BudgetExceededError(this.scope, spent, this.usd);
    const cheaper = options?.cheaper ?? [];
    if (cheaper.length === 0) {
      recordDecision({ strategy: 'budget', tracer: this.#tracer, errorClass: 'rate_limit', error: over, outcome: 'rejected', attributes });
      throw over;
    }
    const episode = new RecoveryEpisode({ strategy: 'budget', tracer: this.#tracer, errorClass: 'rate_limit', error: over, attributes });
    let last: unknown = over;
    for (const [i, alt] of cheaper.entries()) {
      if (ctx.signal.aborted) break;
      try {
        const value = this.#charged(await alt(ctx));
        episode.event(EVENT_ATTEMPT, { [ATTR_RECOVERY_ATTEMPT]: i + 1, [ATTR_RECOVERY_OUTCOME]: 'recovered' });
        episode.finish('recovered');
        return value;
      } catch (err) {
        last = err;
        episode.event(EVENT_ATTEMPT, { [ATTR_RECOVERY_ATTEMPT]: i + 1, [ATTR_RECOVERY_OUTCOME]: 'failed', [ATTR_ERROR_TYPE]: errorTypeOf(err) });
      }
    }
    episode.finish('failed', last);
    throw last;
  }

  #charged<T>(value: T): T {
    const cost = this.#costOf(value);
    if (typeof cost === 'number') this.charge(cost);
    return value;
  }
}
