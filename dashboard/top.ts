/** One agent row as `GET /api/agents` returns it (the fields `top` shows). */
export interface TopAgent {
  agent: string;
  status: string;
  rate_per_min: number;
  p95_ms: number | null;
  errors: number;
  recent_errors: number;
  error_rate: number;
  breaker: string | null;
  spans: number;
}

export interface TopRenderOptions {
  color?: boolean;
  /** Terminal width; rows are cut to it. */
  width?: number;
  title?: string;
}

const COLORS: Record<string, string> = { healthy: '\x1b[32m', degraded: '\x1b[33m', failing: '\x1b[31m', idle: '\x1b[90m', open: '\x1b[31m', half_open: '\x1b[33m', closed: '\x1b[32m' };
const RESET = '\x1b[0m';

const fmtMs = (v: number | null): string => (v === null ? '–' : v >= 10_000 ? `${(v / 1000).toFixed(1)} s` : `${v.toFixed(v < 10 ? 1 : 0)} ms`);

/** The `agentpulse top` table: agent, status, rate, p95, errors, breaker. Plain text unless `color`. */
export function renderTop(agents: readonly TopAgent[], opts: TopRenderOptions = {}): string {
  const head = ['AGENT', 'STATUS', 'RATE/MIN', 'P95', 'ERRORS (5m)', 'ERR %', 'SPANS', 'BREAKER'];
  const rows = agents.map((a) => [
    a.agent,
    a.status,
    a.rate_per_min.toFixed(1),
    fmtMs(a.p95_ms),
    String(a.recent_errors),
    `${(a.error_rate * 100).toFixed(1)}`,
    String(a.spans),
    a.breaker ?? '–',
  ]);
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const right = [false, false, true, true, true, true, true, false];
  const cell = (v: string, i: number, colorKey?: string): string => {
    const padded = right[i] ? v.padStart(widths[i]!) : v.padEnd(widths[i]!);
    const c = opts.color && colorKey ? COLORS[colorKey] : undefined;
    return c ? `${c}${padded}${RESET}` : padded;
  };
  const cut = (s: string): string => (opts.width && !opts.color && s.length > opts.width ? s.slice(0, opts.width) : s);
  const lines: string[] = [];
  if (opts.title) lines.push(cut(opts.title));
  lines.push(cut(head.map((h, i) => cell(h, i)).join('  ')));
  for (const r of rows) lines.push(cut(r.map((v, i) => cell(v, i, i === 1 || i === 7 ? v : undefined)).join('  ')));
  if (rows.length === 0) lines.push('(no agents in this window)');
  return lines.join('\n');
}
