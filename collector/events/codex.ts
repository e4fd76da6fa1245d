import type { LogRecordIn } from '../../store/signals.js';
import type { SpanRecord } from '../../store/types.js';
import { deriveSpan, durationMs, numberOf, succeeded, text, tokens } from './shared.js';

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
    case 'codex.sse_event': {
      if (text(a['event.kind']) !== 'response.completed') return null;
      return deriveSpan(log, eventName, {
        name: `chat ${model ?? ''}`.trim(),
        operation: 'chat',
        identity: null,
        durationMs: 0,
        failed: false,
        attributes: {
          'gen_ai.provider.name': provider,
          'gen_ai.request.model': model ?? undefined,
          'gen_ai.usage.input_tokens': tokens(a.input_token_count, 'input_token_count') ?? undefined,
          'gen_ai.usage.output_tokens': tokens(a.output_token_count, 'output_token_count') ?? undefined,
          'gen_ai.usage.cache_read.input_tokens': tokens(a.cached_token_count, 'cached_token_count') ?? undefined,
          'gen_ai.usage.reasoning.output_tokens': tokens(a.reasoning_token_count, 'reasoning_token_count') ?? undefined,
        },
      });
    }
    case 'codex.api_request': {
      const status = numberOf(a['http.response.status_code'], 'http.response.status_code');
      const error = text(a['error.message']);
      if (error === null && (status === null || status < 400)) return null;
      return deriveSpan(log, eventName, {
        name: `chat ${model ?? ''}`.trim(),
        operation: 'chat',
        identity: null,
        durationMs: durationMs(a.duration_ms),
        failed: true,
        errorType: status !== null ? String(status) : 'api_error',
        statusMessage: error,
        attributes: { 'gen_ai.provider.name': provider, 'gen_ai.request.model': model ?? undefined },
      });
    }
    case 'codex.tool_result': {
      const tool = text(a.tool_name) ?? 'unknown';
      const id = text(a.call_id);
      const ok = succeeded(a.success);
      return deriveSpan(log, eventName, {
        name: `execute_tool ${tool}`,
        operation: 'execute_tool',
        identity: id ? ['tool', id] : null,
        durationMs: durationMs(a.duration_ms),
        failed: !ok,
        errorType: 'tool_error',
        attributes: { 'gen_ai.tool.name': tool, 'gen_ai.tool.call.id': id ?? undefined, 'gen_ai.tool.type': text(a.mcp_server) ? 'mcp' : undefined },
      });
    }
    default:
      return null;
  }
}
