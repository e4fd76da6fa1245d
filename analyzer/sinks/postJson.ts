export interface RetryOptions {
  /** Attempts in total, including the first (default 4). */
  maxAttempts?: number;
  /** First backoff (default 500 ms); doubles each attempt. */
  baseDelayMs?: number;
  /** Backoff ceiling, also the cap on a server's Retry-After (default 10 s). */
  maxDelayMs?: number;
  /** Per-attempt timeout (default 10 s). */
  timeoutMs?: number;
  headers?: Record<string, string>;
}

export class DeliveryError extends Error {
  constructor(
    message: string,
    readonly attempts: number,
    readonly status?: number,
  ) {
    super(message);
    this.name = 'DeliveryError';
  }
}

// Referenced on purpose: `analyze` awaits this backoff with nothing else keeping Node alive, and an
// unreferenced timer let the process exit mid-await (code 13, no message, report never written).
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** fetch() rejects with "fetch failed"; the reason a user can act on (ECONNREFUSED, ENOTFOUND …) is its cause. */
function reasonOf(err: unknown): string {
  if (!(err instanceof Error)) return String(err);
  const cause = err.cause;
  if (cause instanceof Error) {
    const code = (cause as NodeJS.ErrnoException).code;
    return code && !cause.message.includes(code) ? `${code}: ${cause.message}` : cause.message;
  }
  return err.message;
}

/** 408, 425, 429 and 5xx are worth retrying; other 4xx mean the payload or URL is wrong. */
const retryable = (status: number): boolean => status === 408 || status === 425 || status === 429 || status >= 500;

/**
 * POSTs JSON with bounded retries: exponential backoff with jitter (base·2^(n−1), ×[0.5, 1)),
 * honouring a server's Retry-After up to `maxDelayMs`; network errors and timeouts are retried too.
 * Resolves with the attempts used; rejects with DeliveryError after the last attempt.
 * @example await postJson('http://127.0.0.1:9093/api/v2/alerts', alerts, { maxAttempts: 3 });
 */
export async function postJson(url: string, body: unknown, options: RetryOptions = {}): Promise<number> {
  const maxAttempts = Math.max(1, options.maxAttempts ?? 4);
  const base = options.baseDelayMs ?? 500;
  const cap = options.maxDelayMs ?? 10_000;
  const payload = JSON.stringify(body);
  let lastError = '';
  let lastStatus: number | undefined;
  for (let attempt = 1; attempt <= maxAttempts; attempt++) {
    let retryAfterMs: number | undefined;
    try {
      const res = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...options.headers },
        body: payload,
        signal: AbortSignal.timeout(options.timeoutMs ?? 10_000),
      });
      await res.arrayBuffer().catch(() => undefined);
      if (res.ok) return attempt;
      lastStatus = res.status;
      lastError = `HTTP ${res.status}`;
      if (!retryable(res.status)) throw new DeliveryError(`${url} answered ${res.status}; not retrying`, attempt, res.status);
      const ra = Number(res.headers.get('retry-after'));
      if (Number.isFinite(ra) && ra >= 0) retryAfterMs = ra * 1000;
    } catch (err) {
      if (err instanceof DeliveryError) throw err;
      lastError = reasonOf(err);
    }
    if (attempt < maxAttempts) {
      const backoff = Math.min(cap, base * 2 ** (attempt - 1)) * (0.5 + Math.random() / 2);
      await sleep(Math.min(cap, retryAfterMs ?? backoff));
    }
  }
  throw new DeliveryError(`${url}: gave up after ${maxAttempts} attempts (${lastError})`, maxAttempts, lastStatus);
}
