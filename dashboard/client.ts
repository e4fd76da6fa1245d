import { HttpError } from '../http/HttpError.js';
import type { ApiHandler } from '../http/route.js';
import { compileRoutes, matchRoute } from '../http/router.js';
import { CollectorClient } from '../http/CollectorClient.js';

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

/** Fetches from a running collector (`--url`) through the one collector client. */
export function httpFetch(base: string, token?: string, timeoutMs = 10_000): DashboardFetch {
  const client = new CollectorClient(base, { token, timeoutMs });
  return (p) => client.get(p);
}
