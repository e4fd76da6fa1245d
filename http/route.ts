import type { IncomingMessage, ServerResponse } from 'node:http';

/** What a route handler gets: the request, the response, the matched parameters and a JSON body reader. */
export interface ApiContext {
  req: IncomingMessage;
  res: ServerResponse;
  url: URL;
  /** `:name` segments of the route pattern. */
  params: Record<string, string>;
  /** Reads and parses a JSON body (1 MiB limit). */
  json(): Promise<unknown>;
}

/**
 * A route handler. A returned value is sent as JSON 200; throw `HttpError` for failures;
 * return `undefined` after writing to `ctx.res` yourself (e.g. SSE). Handlers get what they
 * read or write (a store, a runner) when they are built, never from the context.
 * @example
 * const routes: Record<string, ApiHandler> = { 'GET /api/ping': () => ({ ok: true }) };
 */
export type ApiHandler = (ctx: ApiContext) => unknown | Promise<unknown>;
