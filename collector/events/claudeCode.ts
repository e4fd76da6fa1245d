import type { LogRecordIn } from '../../store/signals.js';
import type { SpanRecord } from '../../store/types.js';
import { chatSpan, cost, deriveSpan, durationMs, succeeded, text, tokens, toolSpan } from './shared.js';

/** True for records Claude Code sent (its event names, logger scope or service). */
export function isClaudeCode(log: LogRecordIn, eventName: string): boolean {
  if (eventName.startsWith('claude_code.')) return true;
  const service = text(log.resource['service.name']) ?? '';
  return service.startsWith('claude-code') || (log.scopeName ?? '').startsWith('com.anthropic.claude_code');
}

/** The agent name of Claude Code's main thread: the same as its beta trace spans' and the hook adapter's. */
export const CLAUDE_CODE_AGENT = 'claude-code';

/**
 * The agent a Claude Code request ran for: its `agent.name` attribution, else by `query_source`:
 * 'claude-code' for the main thread, 'subagent' / 'auxiliary' for unnamed others. Naming the main
 * thread lets per-agent cost add up to the session's.
 */
function agentOf(log: LogRecordIn): string {
  const source = text(log.attributes['query_source']);
  return text(log.attributes['agent.name']) ?? (source === null || source === 'main' ? CLAUDE_CODE_AGENT : source);
}

/**
 * Claude Code events as spans: `api_request` → chat (cost from the event), `api_error` → a failed
 * chat, `tool_result` → execute_tool, `subagent_completed` → invoke_agent. Others: none (kept as logs).
 */
export function claudeCodeSpan(log: LogRecordIn, eventName: string): SpanRecord | null {
  const a = log.attributes;
  const name = eventName.replace(/^claude_code\./, '');
  const model = text(a.model);
  switch (name) {
    case 'api_request': {
      const requestId = text(a.request_id);
      const usd = cost(a.cost_usd, 'cost_usd') ?? (a.cost_usd_micros !== undefined ? (cost(a.cost_usd_micros, 'cost_usd_micros') ?? 0) / 1e6 : null);
      return chatSpan(log, eventName, {
        model,
        provider: 'anthropic',
        identity: requestId ? ['request', requestId] : null,
        durationMs: durationMs(a.duration_ms),
        tokens: {
          input: tokens(a.input_tokens, 'input_tokens'),
          output: tokens(a.output_tokens, 'output_tokens'),
          cacheRead: tokens(a.cache_read_tokens, 'cache_read_tokens'),
          cacheCreation: tokens(a.cache_creation_tokens, 'cache_creation_tokens'),
        },
        attributes: { 'agentpulse.cost.usd': usd ?? undefined, 'gen_ai.response.id': requestId ?? undefined, 'gen_ai.agent.name': agentOf(log) },
      });
    }
    case 'api_error': {
      const requestId = text(a.request_id);
      return chatSpan(log, eventName, {
        model,
        provider: 'anthropic',
        // Not the request's own id: the retry that succeeds reports the same request.
        identity: requestId ? ['request-error', requestId, text(a.attempt) ?? ''] : null,
        durationMs: durationMs(a.duration_ms),
        failed: true,
        errorType: text(a.status_code) ?? text(a.error) ?? 'api_error',
        statusMessage: text(a.error),
        attributes: { 'gen_ai.agent.name': agentOf(log) },
      });
    }
    case 'tool_result':
      return toolSpan(log, eventName, {
        tool: text(a.tool_name),
        callId: text(a.tool_use_id),
        durationMs: durationMs(a.duration_ms),
        success: succeeded(a.success),
        errorType: text(a.error_type) ?? 'tool_error',
        statusMessage: text(a.error),
        attributes: { 'gen_ai.agent.name': text(a['agent.name']) ?? undefined },
      });
    case 'subagent_completed': {
      const agent = text(a.agent_type) ?? text(a['agent.name']) ?? 'subagent';
      tokens(a.total_tokens, 'total_tokens');
      return deriveSpan(log, eventName, {
        name: `invoke_agent ${agent}`,
        operation: 'invoke_agent',
        identity: null,
        durationMs: durationMs(a.duration_ms),
        failed: false,
        attributes: { 'gen_ai.agent.name': agent, 'gen_ai.request.model': model ?? undefined },
      });
    }
    default:
      return null;
  }
}
