import type { LogRecordIn } from '../../store/signals.js';
import type { SpanRecord } from '../../store/types.js';
import { chatSpan, durationMs, numberOf, succeeded, text, tokens, toolSpan } from './shared.js';

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
      return chatSpan(log, eventName, {
        model,
        provider: 'gcp.gemini',
        identity: null,
        durationMs: durationMs(a.duration_ms),
        failed,
        errorType: failed ? String(status) : null,
        tokens: {
          input: tokens(a.input_token_count, 'input_token_count'),
          output: tokens(a.output_token_count, 'output_token_count'),
          cacheRead: tokens(a.cached_content_token_count, 'cached_content_token_count'),
          reasoning: tokens(a.thoughts_token_count, 'thoughts_token_count'),
        },
      });
    }
    case 'gemini_cli.api_error':
      return chatSpan(log, eventName, {
        model,
        provider: 'gcp.gemini',
        identity: null,
        durationMs: durationMs(a.duration_ms),
        failed: true,
        errorType: text(a.status_code) ?? text(a.error_type) ?? 'api_error',
        statusMessage: text(a.error),
      });
    case 'gemini_cli.tool_call':
      return toolSpan(log, eventName, {
        tool: text(a.function_name),
        callId: null,
        durationMs: durationMs(a.duration_ms),
        success: succeeded(a.success),
        errorType: text(a.error_type) ?? 'tool_error',
        attributes: { 'gen_ai.tool.type': text(a.tool_type) ?? undefined },
      });
    default:
      return null;
  }
}
