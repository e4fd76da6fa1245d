import { HttpError } from '../http/HttpError.js';
import type { ApiHandler } from '../http/route.js';
import { compileRoutes, matchRoute } from '../http/router.js';
import { AgentpulseError } from '../store/errors.js';

/** GETs a dashboard API path (`/api/agents?range=1h`) and returns its JSON. */
export type DashboardFetch = (pathAndQuery: string) => Promise<unknown>;

/** Calls the route handlers in-process (for `--db`), exactly as the HTTP server would. */
export function localFetch(routes: Record<string, ApiHandler>): DashboardFetch {
  const table = compileRoutes(routes);
  return async (p) => {
    const url = new URL(p, 'http://local');
    const m = matchRoute(table, 'GET', url.pathname);
    if (!('route' in m)) throw new HttpError(404, `no route ${url.pathname}`);
    return m.route.handler({
      req: undefined as never, res: undefined as never, url, params: m.params,
      json: () => Promise.reject(new HttpError(405, 'no body')),
    });
  };
}

export class DashboardFetchError extends AgentpulseError {
  constructor(message: string, readonly status: number | null, options?: { cause?: unknown }) {
    super('DASHBOARD_FETCH', message, options);
  }
}

/** Fetches from a running collector (`--url`). */
export function httpFetch(base: string, token?: string, timeoutMs = 10_000): DashboardFetch {
  return async (p) => {
    let res: Response;
    try {
      res = await fetch(new URL(p, base), { headers: token ? { authorization: `Bearer ${token}` } : {}, signal: AbortSignal.timeout(timeoutMs) });
    } catch (err) {
      throw new DashboardFetchError(`cannot reach the collector at ${base} (${err instanceof Error ? err.message : String(err)}); is \`agentpulse collect\` running?`, null, { cause: err });
    }
    const body = (await res.json().catch(() => null)) as { error?: string } | null;
    if (!res.ok) {
      const hint = res.status === 404 ? ' (this collector does not serve the dashboard API; upgrade it or use --db)' : '';
      throw new DashboardFetchError(`collector answered ${res.status} for ${p}: ${body?.error ?? res.statusText}${hint}`, res.status);
    }
    return body;
  };
}
