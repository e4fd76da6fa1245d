import type { LogRecordIn } from '../../store/signals.js';
import type { SpanRecord } from '../../store/types.js';
import { deriveSpan, durationMs, numberOf, succeeded, text, tokens } from './shared.js';

/**
 * Gemini CLI events as spans: `gemini_cli.api_response` → chat, `gemini_cli.api_error` → a failed
 * chat, `gemini_cli.tool_call` → execute_tool. An event emitted inside a span (its record carries
 * that span's context) becomes that span's child; store/reconcile.ts then folds a chat or tool
 * span derived inside a trace span of the same operation into that trace span.
 */
export function geminiCliSpan(log: LogRecordIn, eventName: string): SpanRecord | null {
  const a = log.attributes;
  const model = text(a.model);
  switch (eventName) {
    case 'gemini_cli.api_response': {
      const status = numberOf(a.status_code, 'status_code');
      const failed = status !== null && status >= 400;
      return deriveSpan(log, eventName, {
        name: `chat ${model ?? ''}`.trim(),
        operation: 'chat',
        identity: null,
        durationMs: durationMs(a.duration_ms),
        failed,
        errorType: failed ? String(status) : null,
        attributes: {
          'gen_ai.provider.name': 'gcp.gemini',
          'gen_ai.request.model': model ?? undefined,
          'gen_ai.usage.input_tokens': tokens(a.input_token_count, 'input_token_count') ?? undefined,
          'gen_ai.usage.output_tokens': tokens(a.output_token_count, 'output_token_count') ?? undefined,
          'gen_ai.usage.cache_read.input_tokens': tokens(a.cached_content_token_count, 'cached_content_token_count') ?? undefined,
          'gen_ai.usage.reasoning.output_tokens': tokens(a.thoughts_token_count, 'thoughts_token_count') ?? undefined,
        },
      });
    }
    case 'gemini_cli.api_error':
      return deriveSpan(log, eventName, {
        name: `chat ${model ?? ''}`.trim(),
        operation: 'chat',
        identity: null,
        durationMs: durationMs(a.duration_ms),
        failed: true,
        errorType: text(a.status_code) ?? text(a.error_type) ?? 'api_error',
        statusMessage: text(a.error),
        attributes: { 'gen_ai.provider.name': 'gcp.gemini', 'gen_ai.request.model': model ?? undefined },
      });
    case 'gemini_cli.tool_call': {
      const tool = text(a.function_name) ?? 'unknown';
      const ok = succeeded(a.success);
      return deriveSpan(log, eventName, {
        name: `execute_tool ${tool}`,
        operation: 'execute_tool',
        identity: null,
        durationMs: durationMs(a.duration_ms),
        failed: !ok,
        errorType: text(a.error_type) ?? 'tool_error',
        attributes: { 'gen_ai.tool.name': tool, 'gen_ai.tool.type': text(a.tool_type) ?? undefined },
      });
    }
    default:
      return null;
  }
}
