import type { LogRecordIn } from '../../store/signals.js';
import type { SpanRecord } from '../../store/types.js';
import { claudeCodeSpan, isClaudeCode } from './claudeCode.js';
import { codexSpan } from './codex.js';
import { geminiCliSpan } from './geminiCli.js';
import { EventRejection, text } from './shared.js';

export { DERIVED_SCOPE, EventRejection } from './shared.js';

/** Spans derived from a batch of log records, and the records rejected (index into `logs`, reason). */
export interface DerivedSpans {
  spans: SpanRecord[];
  rejected: { index: number; reason: string }[];
}

/**
 * Turns coding agents' events into the spans the analyzer, dashboard and learning read: Claude
 * Code, Codex CLI and Gemini CLI model requests become `chat` spans, tool results `execute_tool`
 * spans, finished subagents `invoke_agent` spans (see docs/coding-agents.md). Pure; never throws.
 * A record with absurd values (negative tokens, a cost that is not a number) is rejected with its
 * reason; records of any other kind derive nothing and are not rejected.
 * @example
 * const { spans, rejected } = deriveSpans(decoded.records);
 */
export function deriveSpans(logs: readonly LogRecordIn[]): DerivedSpans {
  const out: DerivedSpans = { spans: [], rejected: [] };
  for (let i = 0; i < logs.length; i++) {
    const log = logs[i]!;
    const name = log.eventName ?? text(log.attributes['event.name']);
    if (name === null) continue;
    try {
      const span = name.startsWith('codex.') ? codexSpan(log, name) : name.startsWith('gemini_cli.') ? geminiCliSpan(log, name) : isClaudeCode(log, name) ? claudeCodeSpan(log, name) : null;
      if (span) out.spans.push(span);
    } catch (err) {
      out.rejected.push({ index: i, reason: err instanceof EventRejection ? err.reason : 'unreadable event' });
    }
  }
  return out;
}
