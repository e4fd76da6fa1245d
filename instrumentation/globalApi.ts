/**
 * Registering the tracer provider so that every copy of `@opentelemetry/api` in the process sees it.
 *
 * All 1.x copies share one registry (`globalThis[Symbol.for('opentelemetry.js.api.1')]`) that
 * records the version of the copy that registered first. A copy accepts it only when its own
 * minor version is ≤ the registered one (and a prerelease only its exact version), and a copy
 * may only register when the versions are equal. An app that pins its own API (say 1.10.0, with
 * ours at 1.9.1) therefore reads nothing if we register through ours: its spans go to the no-op
 * tracer, silently. Registering through the newest copy present satisfies every older 1.x copy.
 */
import { realpathSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type * as OtelApi from '@opentelemetry/api';
import type { ContextManager, TextMapPropagator, TracerProvider } from '@opentelemetry/api';

type Api = typeof OtelApi;

/** One loaded copy of `@opentelemetry/api`: who uses it, where it is, its version. */
export interface ApiCopy {
  role: 'agentpulse' | 'sdk' | 'app';
  dir: string;
  version: string;
  api: Api;
}

export interface GlobalRegistration {
  /** The copy the provider, context manager and propagator were registered through. */
  via: ApiCopy;
  /** Copies that still do not see the provider (their spans are not recorded). */
  blind: ApiCopy[];
}

function packageDir(entry: string): string | null {
  for (let dir = dirname(entry); dirname(dir) !== dir; dir = dirname(dir)) {
    try {
      const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { name?: string };
      if (pkg.name === '@opentelemetry/api') return dir;
    } catch {
      /* keep walking up */
    }
  }
  return null;
}

/** The copy `@opentelemetry/api` resolves to from `fromFile`'s folder, or null if there is none. */
function loadCopy(role: ApiCopy['role'], fromFile: string): ApiCopy | null {
  try {
    const req = createRequire(fromFile);
    const entry = req.resolve('@opentelemetry/api');
    const dir = packageDir(entry);
    if (!dir) return null;
    const { version } = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { version: string };
    return { role, dir: realpathSync(dir), version, api: req(entry) as Api };
  } catch {
    return null;
  }
}

/** Where the app resolves its packages from: its entry script, else the working directory. */
function appAnchor(): string {
  const main = process.argv[1];
  return main ? main : join(process.cwd(), 'index.js');
}

/** The distinct API copies of this process: ours, the SDK's, the app's (deduplicated by folder). */
export function findApiCopies(): ApiCopy[] {
  const ownRequire = createRequire(import.meta.url);
  let sdkAnchor: string | null = null;
  try {
    sdkAnchor = ownRequire.resolve('@opentelemetry/sdk-trace-base');
  } catch {
    /* no separate SDK copy to consider */
  }
  const found = [loadCopy('agentpulse', fileURLToPath(import.meta.url)), sdkAnchor ? loadCopy('sdk', sdkAnchor) : null, loadCopy('app', appAnchor())];
  const byDir = new Map<string, ApiCopy>();
  for (const c of found) if (c && !byDir.has(c.dir)) byDir.set(c.dir, c);
  return [...byDir.values()];
}

const VERSION = /^(\d+)\.(\d+)\.(\d+)(-.+)?$/;

/** The copy whose version every other 1.x release copy accepts (the highest), or null if none is 1.x. */
export function newestCopy(copies: ApiCopy[]): ApiCopy | null {
  let best: ApiCopy | null = null;
  let bestKey = -1;
  for (const c of copies) {
    const m = VERSION.exec(c.version);
    if (!m || m[1] !== '1' || m[4]) continue;
    const key = Number(m[2]) * 1e6 + Number(m[3]);
    if (key > bestKey) [best, bestKey] = [c, key];
  }
  return best;
}

/**
 * Registers `provider`, `contextManager` and `propagator` globally through the newest 1.x API
 * copy in the process, then checks which copies can see the provider.
 */
export function registerGlobally(provider: TracerProvider, contextManager: ContextManager, propagator: TextMapPropagator, copies = findApiCopies()): GlobalRegistration | null {
  const via = newestCopy(copies);
  if (!via) return null;
  via.api.trace.setGlobalTracerProvider(provider);
  via.api.context.setGlobalContextManager(contextManager);
  via.api.propagation.setGlobalPropagator(propagator);
  return { via, blind: copies.filter((c) => !sees(c, provider)) };
}

/** Whether `copy` hands out `provider` (registered providers sit behind the registering copy's proxy). */
function sees(copy: ApiCopy, provider: TracerProvider): boolean {
  const current = copy.api.trace.getTracerProvider() as TracerProvider & { getDelegate?: () => TracerProvider };
  return current === provider || current.getDelegate?.() === provider;
}

/** One stderr line for copies that cannot see the provider, with the fix; null when all can. */
export function blindCopiesNotice(reg: GlobalRegistration): string | null {
  if (reg.blind.length === 0) return null;
  const list = reg.blind.map((c) => `${c.version} (${c.dir})`).join(', ');
  return (
    `agentpulse: spans made through @opentelemetry/api ${list} will not be recorded: that copy does not accept the tracer ` +
    `provider agentpulse registered through @opentelemetry/api ${reg.via.version}. Fix: use one 1.x release of @opentelemetry/api ` +
    `in the app (npm install @opentelemetry/api@^1 and npm dedupe), not a prerelease or another major version.`
  );
}
