import type { LogRecordIn } from '../../store/signals.js';
import type { SpanRecord } from '../../store/types.js';
import { chatSpan, durationMs, numberOf, succeeded, text, tokens, toolSpan } from './shared.js';

/**
 * Codex CLI events as spans: `codex.sse_event` of kind `response.completed` → chat (tokens; Codex
 * sends no cost), a failed `codex.api_request` → a failed chat, `codex.tool_result` → execute_tool.
 * The session is `conversation.id`.
 */
export function codexSpan(log: LogRecordIn, eventName: string): SpanRecord | null {
  const a = log.attributes;
  const model = text(a.model);
  const provider = text(a.provider_name) ?? 'openai';
  switch (eventName) {
    case 'codex.sse_event':
      if (text(a['event.kind']) !== 'response.completed') return null;
      return chatSpan(log, eventName, {
        model,
        provider,
        identity: null,
        durationMs: 0,
        tokens: {
          input: tokens(a.input_token_count, 'input_token_count'),
          output: tokens(a.output_token_count, 'output_token_count'),
          cacheRead: tokens(a.cached_token_count, 'cached_token_count'),
          reasoning: tokens(a.reasoning_token_count, 'reasoning_token_count'),
        },
      });
    case 'codex.api_request': {
      const status = numberOf(a['http.response.status_code'], 'http.response.status_code');
      const error = text(a['error.message']);
      if (error === null && (status === null || status < 400)) return null;
      return chatSpan(log, eventName, {
        model,
        provider,
        identity: null,
        durationMs: durationMs(a.duration_ms),
        failed: true,
        errorType: status !== null ? String(status) : 'api_error',
        statusMessage: error,
      });
    }
    case 'codex.tool_result':
      return toolSpan(log, eventName, {
        tool: text(a.tool_name),
        callId: text(a.call_id),
        durationMs: durationMs(a.duration_ms),
        success: succeeded(a.success),
        errorType: 'tool_error',
        attributes: { 'gen_ai.tool.type': text(a.mcp_server) ? 'mcp' : undefined },
      });
    default:
      return null;
  }
}
