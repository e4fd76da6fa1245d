/** The span dialects ingest recognises; `dialectOf` names one per span. */
export const DIALECTS = ['genai', 'openinference', 'openllmetry', 'vercel-ai', 'claude-code', 'gemini-cli', 'agentpulse', 'unknown'] as const;
export type Dialect = (typeof DIALECTS)[number];

/**
 * The promoted columns a dialect may fill: a structural slice of `NormalizedSpan` (declared here,
 * not imported, so normalize.ts can call the dialects without an import cycle). Dialects fill
 * only what is still null: GenAI names, read first, win over a dialect's own spelling.
 */
export interface Promoted {
  statusCode: string;
  operation: string | null;
  agentName: string | null;
  provider: string | null;
  model: string | null;
  toolName: string | null;
  errorType: string | null;
  inputTokens: number | null;
  outputTokens: number | null;
  costUsd: number | null;
  sessionId: string | null;
  callId: string | null;
}
