/**
 * Span dialects: the attribute sets other SDKs and agents emit, recognised at ingest so their
 * spans fill the same promoted columns as GenAI ones (docs/semconv.md, "Dialects"). normalize.ts
 * reads the GenAI names itself; a dialect only fills what those left null (two exceptions: the
 * Vercel AI SDK's provider id, and Claude Code's `success: false` making a span ERROR) and never
 * touches the stored attributes.
 */

import { str } from './attrValue.js';
import { CLAUDE_CODE_SPAN_PREFIX, isClaudeCodeService, promoteClaudeCode } from './dialects/claudeCode.js';
import { operationFromName, promoteFromName, promoteGeminiCli } from './dialects/genAi.js';
import { OPENINFERENCE_KIND, promoteOpenInference } from './dialects/openInference.js';
import { hasOpenLlmetryMarker, promoteOpenLlmetry } from './dialects/openLlmetry.js';
import type { Dialect, Promoted } from './dialects/types.js';
import { isVercelAiSpan, promoteVercelAi } from './dialects/vercelAi.js';
import type { SpanRecord } from './types.js';

export { DIALECTS } from './dialects/types.js';
export type { Dialect, Promoted } from './dialects/types.js';

function isAgentpulseScope(scope: string | null): boolean {
  return scope !== null && (scope === 'agentpulse' || scope.startsWith('agentpulse.'));
}

function hasGenAiKey(span: SpanRecord): boolean {
  for (const k in span.attributes) if (k.startsWith('gen_ai.')) return true;
  return operationFromName(span.name) !== null;
}

/**
 * The dialect of a span, given its resource's `service.name`. Our own tracer scopes decide first
 * (the hot path: one comparison); then the agents, recognised by service or span name; then the
 * SDKs by their marker attributes; plain GenAI last, since the others often carry some gen_ai.* too.
 */
export function detectDialect(span: SpanRecord, serviceName: string | null): Dialect {
  const scope = span.scopeName;
  if (isAgentpulseScope(scope)) return 'agentpulse';
  const name = span.name;
  if (name.startsWith(CLAUDE_CODE_SPAN_PREFIX) || isClaudeCodeService(serviceName) || (scope !== null && scope.startsWith('com.anthropic.claude_code'))) {
    return 'claude-code';
  }
  if (serviceName === 'gemini-cli' || scope === 'gemini-cli') return 'gemini-cli';
  const a = span.attributes;
  if (a[OPENINFERENCE_KIND] !== undefined || (scope !== null && scope.startsWith('openinference.'))) return 'openinference';
  if (hasOpenLlmetryMarker(a)) return 'openllmetry';
  if (isVercelAiSpan(name, a)) return 'vercel-ai';
  if (a['agentpulse.operation'] !== undefined) return 'agentpulse';
  if (a['gen_ai.operation.name'] !== undefined || hasGenAiKey(span)) return 'genai';
  return 'unknown';
}

/**
 * Names the dialect a span speaks: 'genai' | 'openinference' | 'openllmetry' | 'vercel-ai' |
 * 'claude-code' | 'gemini-cli' | 'agentpulse' | 'unknown'.
 * @example
 * dialectOf({ ...span, name: 'claude_code.llm_request' }) // 'claude-code'
 */
export function dialectOf(span: SpanRecord): Dialect {
  return detectDialect(span, str(span.resource['service.name']));
}

/**
 * Fills the promoted columns `row` still has null from the span's dialect, then, for a span no
 * attribute gave an operation, from a GenAI-style span name ('chat gpt-4o').
 */
export function promoteDialect(dialect: Dialect, span: SpanRecord, row: Promoted): void {
  switch (dialect) {
    case 'openinference':
      promoteOpenInference(span, row);
      break;
    case 'openllmetry':
      promoteOpenLlmetry(span, row);
      break;
    case 'vercel-ai':
      promoteVercelAi(span, row);
      break;
    case 'claude-code':
      promoteClaudeCode(span, row);
      break;
    case 'gemini-cli':
      promoteGeminiCli(span, row);
      break;
    default:
      break;
  }
  if (row.operation === null) promoteFromName(span, row);
}
