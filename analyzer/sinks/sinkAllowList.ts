import { resolve, sep } from 'node:path';
import { AgentpulseError } from '../../store/errors.js';

/** A sink named by a remote caller that the operator has not allow-listed. */
export class SinkNotAllowedError extends AgentpulseError {
  constructor(spec: string) {
    super(
      'SINK_NOT_ALLOWED',
      `sink "${spec.slice(0, 300)}" is not allow-listed on this collector; its operator can allow it with ` +
        '`agentpulse collect --allow-sink SPEC` or AGENTPULSE_ALLOWED_SINKS (file sinks by path or folder/, URL sinks by origin)',
    );
  }
}

const FILE_KINDS = new Set(['ndjson']);
const URL_KINDS = new Set(['webhook', 'slack', 'alertmanager']);

/**
 * Decides which sinks a request may name: `stdout` always; a file sink only at an allow-listed
 * path (an entry ending in `/` allows the files inside that folder); a URL sink only at an
 * allow-listed origin (scheme, host and port) for the same kind. Entries are sink specs, from
 * `allowed` or else the comma-separated `AGENTPULSE_ALLOWED_SINKS`.
 * @example
 * const allow = sinkAllowList(['ndjson:/var/log/agentpulse/', 'webhook:https://hooks.example.com']);
 * allow('webhook:https://hooks.example.com/T1'); // ok
 * allow('ndjson:/etc/cron.d/x');                   // throws SinkNotAllowedError
 */
export function sinkAllowList(allowed?: readonly string[], env: NodeJS.ProcessEnv = process.env): (spec: string) => void {
  const entries = (allowed ?? (env.AGENTPULSE_ALLOWED_SINKS ?? '').split(',')).map((e) => e.trim()).filter(Boolean).map(split);
  return (spec) => {
    const want = split(spec);
    if (want.kind === 'stdout') return;
    for (const e of entries) {
      if (e.kind !== want.kind || !e.target || !want.target) continue;
      if (FILE_KINDS.has(e.kind)) {
        const path = resolve(want.target);
        if (e.target.endsWith('/') || e.target.endsWith(sep) ? path.startsWith(resolve(e.target) + sep) : path === resolve(e.target)) return;
      } else if (URL_KINDS.has(e.kind) && sameOrigin(e.target, want.target)) {
        return;
      }
    }
    throw new SinkNotAllowedError(spec);
  };
}

function split(spec: string): { kind: string; target: string } {
  const i = spec.indexOf(':');
  return { kind: (i < 0 ? spec : spec.slice(0, i)).trim(), target: i < 0 ? '' : spec.slice(i + 1).trim() };
}

function sameOrigin(a: string, b: string): boolean {
  try {
    const x = new URL(a);
    const y = new URL(b);
    return x.origin !== 'null' && x.origin === y.origin;
  } catch {
    return false;
  }
}
