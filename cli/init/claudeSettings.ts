/**
 * `agentpulse init claude-code`: Claude Code's OTel environment and agentpulse's hooks merged into
 * `.claude/settings.json`, and taken out again. Pure: text in, text out.
 */
import { formatSettings, isObject, mergeKeys, parseSettings, unmergeKeys, type Edit, type JsonObject } from './settingsJson.js';

/** Every hook event agentpulse records (docs/adapters.md); tool events take a matcher. */
export const CLAUDE_HOOK_EVENTS = [
  'SessionStart', 'UserPromptSubmit', 'PreToolUse', 'PostToolUse', 'PostToolUseFailure', 'PermissionRequest', 'PermissionDenied', 'PostToolBatch',
  'SubagentStart', 'SubagentStop', 'TaskCreated', 'TaskCompleted', 'Stop', 'StopFailure', 'PreCompact', 'PostCompact', 'Notification', 'SessionEnd',
] as const;
const TOOL_EVENTS = new Set(['PreToolUse', 'PostToolUse', 'PostToolUseFailure', 'PermissionRequest', 'PermissionDenied']);
/** Claude Code runs only command hooks on these. */
const COMMAND_ONLY = new Set(['SessionStart', 'Setup']);

export interface ClaudeInitOptions {
  /** The hook command (`node /abs/bin/agentpulse-hook.js --db /abs/file.duckdb`). */
  command: string;
  /** Collector base URL for the OTel exporters and HTTP hooks. */
  endpoint: string;
  /** HTTP hooks (`POST <endpoint>/hooks/claude-code`) wherever Claude Code allows them. */
  http?: boolean;
  /** HTTP hooks send `Authorization: Bearer $AGENTPULSE_TOKEN`. */
  tokenEnv?: boolean;
  /** Claude Code's beta traces too. */
  traces?: boolean;
  force?: boolean;
}

/** The environment init sets (OTel logs and metrics to the collector; traces with `traces`). */
export function claudeEnv(o: Pick<ClaudeInitOptions, 'endpoint' | 'traces'>): JsonObject {
  return {
    CLAUDE_CODE_ENABLE_TELEMETRY: '1',
    OTEL_LOGS_EXPORTER: 'otlp',
    OTEL_METRICS_EXPORTER: 'otlp',
    OTEL_EXPORTER_OTLP_PROTOCOL: 'http/protobuf',
    OTEL_EXPORTER_OTLP_ENDPOINT: o.endpoint,
    ...(o.traces ? { CLAUDE_CODE_ENHANCED_TELEMETRY_BETA: '1', OTEL_TRACES_EXPORTER: 'otlp' } : {}),
  };
}

/** True for a hook handler agentpulse wrote (any version: the bin, `agentpulse hook`, or the HTTP route). */
export function isAgentpulseHandler(h: unknown): boolean {
  if (!isObject(h)) return false;
  if (typeof h.command === 'string') return /agentpulse-hook|agentpulse(\.js)?['"]?\s+(.*\s)?hook\b/.test(h.command);
  return typeof h.url === 'string' && /\/hooks\/claude-code\/?$/.test(h.url);
}

function handlerFor(event: string, o: ClaudeInitOptions): JsonObject {
  if (!o.http || COMMAND_ONLY.has(event)) return { type: 'command', command: o.command };
  return {
    type: 'http',
    url: `${o.endpoint.replace(/\/+$/, '')}/hooks/claude-code`,
    ...(o.tokenEnv ? { headers: { Authorization: 'Bearer $AGENTPULSE_TOKEN' }, allowedEnvVars: ['AGENTPULSE_TOKEN'] } : {}),
  };
}

const groups = (v: unknown): JsonObject[] => (Array.isArray(v) ? v.filter(isObject) : []);

/** Adds what is missing (or out of date) and keeps everything else; a second run changes nothing. */
export function applyClaude(text: string | null, file: string, o: ClaudeInitOptions): Edit {
  const settings = parseSettings(text, file);
  const edit: Edit = { text: '', changes: [], warnings: [] };
  const env = isObject(settings.env) ? settings.env : (settings.env = {});
  mergeKeys(env, claudeEnv(o), 'env', o.force === true, edit);
  const hooks = isObject(settings.hooks) ? settings.hooks : (settings.hooks = {});
  for (const event of CLAUDE_HOOK_EVENTS) {
    const wanted = handlerFor(event, o);
    const list = Array.isArray(hooks[event]) ? (hooks[event] as unknown[]) : (hooks[event] = []);
    const ours = groups(list).flatMap((g) => (Array.isArray(g.hooks) ? g.hooks.filter(isAgentpulseHandler) : []));
    if (ours.length === 1 && JSON.stringify(ours[0]) === JSON.stringify(wanted)) continue;
    if (ours.length > 0) stripOurs(hooks, event);
    const fresh = Array.isArray(hooks[event]) ? (hooks[event] as unknown[]) : (hooks[event] = []);
    fresh.push(TOOL_EVENTS.has(event) ? { matcher: '*', hooks: [wanted] } : { hooks: [wanted] });
    edit.changes.push(`${ours.length > 0 ? 'updated' : 'added'} hooks.${event}: ${wanted.type === 'http' ? `POST ${String(wanted.url)}` : String(wanted.command)}`);
  }
  edit.text = edit.changes.length === 0 && text !== null ? text : formatSettings(settings);
  return edit;
}

/** Takes our handlers out of one event's groups, dropping what that leaves empty; true when something went. */
function stripOurs(hooks: JsonObject, event: string): boolean {
  const list = hooks[event];
  if (!Array.isArray(list)) return false;
  let removed = false;
  const kept: unknown[] = [];
  for (const g of list) {
    if (!isObject(g) || !Array.isArray(g.hooks)) {
      kept.push(g);
      continue;
    }
    const rest = g.hooks.filter((h) => !isAgentpulseHandler(h));
    if (rest.length === g.hooks.length) kept.push(g);
    else {
      removed = true;
      if (rest.length > 0) kept.push({ ...g, hooks: rest });
    }
  }
  if (kept.length > 0) hooks[event] = kept;
  else delete hooks[event];
  return removed;
}

/** Removes our hooks and the environment init set (where it still holds our values); keeps the rest. */
export function removeClaude(text: string | null, file: string, o: Pick<ClaudeInitOptions, 'endpoint' | 'traces'>): Edit {
  const settings = parseSettings(text, file);
  const edit: Edit = { text: text ?? '', changes: [], warnings: [] };
  if (isObject(settings.hooks)) {
    for (const event of Object.keys(settings.hooks)) if (stripOurs(settings.hooks, event)) edit.changes.push(`removed the agentpulse hook from hooks.${event}`);
    if (Object.keys(settings.hooks).length === 0) delete settings.hooks;
  }
  if (isObject(settings.env) && unmergeKeys(settings.env, claudeEnv({ endpoint: o.endpoint, traces: true }), 'env', edit.changes)) delete settings.env;
  if (edit.changes.length > 0) edit.text = formatSettings(settings);
  return edit;
}
