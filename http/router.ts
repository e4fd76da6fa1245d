/** Exact-path and `:param` route matching for a handful of routes; no framework needed. */
export interface CompiledRoute<H> {
  method: string;
  segments: string[];
  handler: H;
}

export function compileRoutes<H>(routes: Record<string, H>): CompiledRoute<H>[] {
  return Object.entries(routes).map(([key, handler]) => {
    const m = /^(GET|POST|PUT|DELETE|PATCH|HEAD)\s+(\/\S*)$/.exec(key.trim());
    if (!m) throw new Error(`route key ${JSON.stringify(key)} must look like "GET /api/path/:param"`);
    return { method: m[1]!, segments: m[2]!.split('/').filter(Boolean), handler };
  });
}

/** Finds the route for a path; `methodMismatch` is true when only the method differs (405). */
export function matchRoute<H>(routes: CompiledRoute<H>[], method: string, path: string): { route: CompiledRoute<H>; params: Record<string, string> } | { methodMismatch: boolean } {
  const parts = path.split('/').filter(Boolean);
  let methodMismatch = false;
  for (const route of routes) {
    if (route.segments.length !== parts.length) continue;
    const params: Record<string, string> = {};
    let ok = true;
    for (let i = 0; i < parts.length; i++) {
      const seg = route.segments[i]!;
      if (seg.startsWith(':')) {
        try {
          params[seg.slice(1)] = decodeURIComponent(parts[i]!);
        } catch {
          ok = false;
          break;
        }
      } else if (seg !== parts[i]) {
        ok = false;
        break;
      }
    }
    if (!ok) continue;
    if (route.method === method || (method === 'HEAD' && route.method === 'GET')) return { route, params };
    methodMismatch = true;
  }
  return { methodMismatch };
}
