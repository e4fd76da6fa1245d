import { count, isFalse, str } from '../attrValue.js';
import type { SpanRecord } from '../types.js';
import type { Promoted } from './types.js';

/** Span name prefix of Claude Code's beta traces (`CLAUDE_CODE_ENHANCED_TELEMETRY_BETA=1`). */
export const CLAUDE_CODE_SPAN_PREFIX = 'claude_code.';

/** True for Claude Code's own `service.name` (the CLI, and the desktop app). */
export function isClaudeCodeService(service: string | null): boolean {
  return service === 'claude-code' || service === 'claude-code-desktop';
}

/** The agent name Claude Code's work is stored under, the same as the hook adapter's. */
const AGENT = 'claude-code';

/**
 * Fills the promoted columns of Claude Code's beta trace spans. `claude_code.interaction` (one
 * user prompt and all the work it caused) is an `invoke_agent` run of agent 'claude-code', as the
 * hook adapter writes a turn, so both sources read alike; `claude_code.llm_request` is a `chat`,
 * `claude_code.tool` an `execute_tool`. The tool's children (`….blocked_on_user`, `….execution`)
 * stay without an operation so a tool call is counted once. `success` "false" marks the span ERROR.
 */
export function promoteClaudeCode(span: SpanRecord, row: Promoted): void {
  const a = span.attributes;
  const name = span.name;
  if (name === 'claude_code.llm_request') {
    row.operation ??= 'chat';
    row.provider ??= 'anthropic';
    row.model ??= str(a['model']);
    row.inputTokens ??= count(a['input_tokens']);
    row.outputTokens ??= count(a['output_tokens']);
    row.callId ??= str(a['request_id']);
    row.agentName ??= AGENT;
  } else if (name === 'claude_code.tool') {
    row.operation ??= 'execute_tool';
    row.toolName ??= str(a['tool_name']);
    row.callId ??= str(a['tool_use_id']);
    row.agentName ??= AGENT;
  } else if (name === 'claude_code.interaction') {
    row.operation ??= 'invoke_agent';
    row.agentName ??= AGENT;
  }
  if (isFalse(a['success']) && row.statusCode !== 'ERROR') {
    row.statusCode = 'ERROR';
    // An HTTP status of a failed model request is the GenAI convention's error.type; else the catch-all.
    row.errorType ??= str(a['error_type']) ?? str(a['status_code']) ?? '_OTHER';
  }
}
