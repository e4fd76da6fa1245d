/**
 * `agentpulse init codex`: the `[otel]` table of Codex's `config.toml` pointed at the collector
 * (logs always; metrics too, which Codex otherwise sends to its vendor; traces on request), and
 * taken out again. No TOML library: lines are edited in place, every line agentpulse writes ends
 * in `# agentpulse`, and every other line is left byte for byte.
 */
import type { Edit } from './settingsJson.js';

export const MARKER = '# agentpulse';
const HEADER = /^\s*\[otel\]\s*(#.*)?$/;
const SUBTABLE = /^\s*\[\[?\s*otel\./;
const TABLE = /^\s*\[/;

export class CodexConfigError extends Error {}

function wantedLines(endpoint: string, traces: boolean): [string, string][] {
  const base = endpoint.replace(/\/+$/, '');
  const exporter = (signal: string): string => `{ otlp-http = { endpoint = "${base}/v1/${signal}", protocol = "binary" } }`;
  return [
    ['exporter', exporter('logs')],
    ['metrics_exporter', exporter('metrics')],
    ...(traces ? ([['trace_exporter', exporter('traces')]] as [string, string][]) : []),
  ];
}

const keyOf = (line: string): string | null => /^\s*([A-Za-z0-9_-]+)\s*=/.exec(line)?.[1] ?? null;
const ours = (line: string): boolean => line.trimEnd().endsWith(MARKER);

/** The [otel] table's line range [start, end) (start = its header), or null. */
function otelTable(lines: string[]): { start: number; end: number } | null {
  const start = lines.findIndex((l) => HEADER.test(l));
  if (start < 0) return null;
  let end = start + 1;
  while (end < lines.length && !TABLE.test(lines[end]!)) end++;
  return { start, end };
}

export function applyCodex(text: string | null, file: string, o: { endpoint: string; traces?: boolean; force?: boolean }): Edit {
  const src = text ?? '';
  const edit: Edit = { text: src, changes: [], warnings: [] };
  if (src.split('\n').some((l) => SUBTABLE.test(l))) {
    throw new CodexConfigError(`${file} configures [otel.…] as separate tables; agentpulse edits only the inline form (exporter = { otlp-http = { … } }): set it by hand (docs/coding-agents.md) or merge those tables into [otel]`);
  }
  let lines = src.split('\n');
  if (!otelTable(lines)) {
    // A table of our own at the end, after one blank line.
    // (A file that does not end in a newline gets one: it stays after --remove.)
    lines = `${src === '' ? '' : src.endsWith('\n') ? `${src}\n` : `${src}\n\n`}[otel] ${MARKER}\n`.split('\n');
    edit.changes.push('added the [otel] table');
  }
  const table = otelTable(lines)!;
  for (const [key, value] of wantedLines(o.endpoint, o.traces === true)) {
    const line = `${key} = ${value} ${MARKER}`;
    const at = lines.slice(table.start + 1, table.end).findIndex((l) => keyOf(l) === key);
    if (at < 0) {
      // After the table's last non-blank line.
      let pos = table.end;
      while (pos - 1 > table.start && lines[pos - 1]!.trim() === '') pos--;
      lines.splice(pos, 0, line);
      table.end++;
      edit.changes.push(`[otel] ${key} = ${value}`);
      continue;
    }
    const i = table.start + 1 + at;
    if (lines[i] === line) continue;
    if (ours(lines[i]!) || o.force) {
      edit.changes.push(`[otel] ${key}: ${lines[i]!.trim()} → ${value}`);
      lines[i] = line;
    } else {
      edit.warnings.push(`kept your [otel] ${lines[i]!.trim()} (agentpulse would set ${value}; --force replaces it)`);
    }
  }
  if (edit.changes.length > 0) edit.text = lines.join('\n');
  return edit;
}

export function removeCodex(text: string | null): Edit {
  const src = text ?? '';
  const edit: Edit = { text: src, changes: [], warnings: [] };
  const lines = src.split('\n');
  const table = otelTable(lines);
  if (!table) return edit;
  const body = lines.slice(table.start + 1, table.end);
  const isOurKey = (l: string): boolean => keyOf(l) !== null && ours(l);
  for (const l of body) if (isOurKey(l)) edit.changes.push(`removed [otel] ${keyOf(l)}`);
  const kept = body.filter((l) => !isOurKey(l));
  if (ours(lines[table.start]!) && kept.every((l) => l.trim() === '')) {
    // The table was ours and holds nothing else: it goes, with the blank line put before it.
    const from = table.start > 0 && lines[table.start - 1]!.trim() === '' ? table.start - 1 : table.start;
    const rest = lines.slice(table.end);
    lines.splice(from, lines.length - from, ...(rest.length > 0 && rest.some((l) => l !== '') ? rest : ['']));
    edit.changes.push('removed the [otel] table');
  } else {
    lines.splice(table.start + 1, body.length, ...kept);
  }
  if (edit.changes.length > 0) edit.text = lines.join('\n');
  return edit;
}
