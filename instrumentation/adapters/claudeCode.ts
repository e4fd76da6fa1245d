import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { openStore } from '../../store/DuckDbStore.js';
import { isStoreLocked } from '../../store/errors.js';
import { spoolDirFor, writeSpoolSegment } from '../../store/spool.js';
import type { Attributes, SpanRecord } from '../../store/types.js';
import { fillCost } from './AdapterSpanProcessor.js';
import { priceTable } from '../pricing.js';

/** One Claude Code hook payload (the fields every event shares, plus the event's own). */
export interface HookEvent {
  hook_event_name: string;
  session_id: string;
  transcript_path?: string;
  cwd?: string;
  [key: string]: unknown;
}

/** What one hook invocation leaves for the next: hook runs are separate processes. */
export interface HookState {
  sessionStartNs?: string;
  turns: number;
  turn?: { id: string; startNs: string; prompt?: string };
  tools: Record<string, { startNs: string; parent: string }>;
  /** Subagents started by a Task tool call and not yet stopped, oldest first. */
  agents: { toolKey: string; startNs: string; type: string }[];
  /** Recently finished tool calls: a replayed PostToolUse must not add a second span (the store dedups by id only within the same start time). */
  done?: string[];
}

/** Malformed hook input: reported as one line, exit code 1 (Claude Code treats only 2 as blocking). */
export class HookInputError extends Error {}

const AGENT = 'claude-code';
const SUBAGENT_TOOLS = new Set(['Task', 'Agent']);

export interface HookOptions {
  captureContent: boolean;
  contentMaxChars: number;
}

/** Parses and checks stdin; throws HookInputError with a message fit for one stderr line. */
export function parseHookEvent(text: string): HookEvent {
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch {
    throw new HookInputError(`hook input is not JSON (got ${text.trim() ? `${JSON.stringify(text.trim().slice(0, 40))}…` : 'nothing'}); Claude Code pipes one JSON event per call`);
  }
  const e = v as Partial<HookEvent> | null;
  if (!e || typeof e !== 'object' || Array.isArray(e)) throw new HookInputError('hook input must be a JSON object');
  if (typeof e.hook_event_name !== 'string' || !e.hook_event_name) throw new HookInputError('hook input has no "hook_event_name"');
  if (typeof e.session_id !== 'string' || !e.session_id) throw new HookInputError('hook input has no "session_id"');
  return e as HookEvent;
}

function hash(...parts: string[]): string {
  return createHash('sha256').update(parts.join('\u0000')).digest('hex');
}

/** The trace id of a session: the same for every hook call of that session. */
export function sessionTraceId(sessionId: string): string {
  return hash('agentpulse.claude-code', sessionId).slice(0, 32);
}

function spanId(sessionId: string, ...parts: string[]): string {
  return hash(sessionId, ...parts).slice(0, 16);
}

function toolKey(e: HookEvent): string {
  if (typeof e.tool_use_id === 'string' && e.tool_use_id) return e.tool_use_id;
  return `${String(e.tool_name)}:${hash(JSON.stringify(e.tool_input ?? null)).slice(0, 16)}`;
}

function content(value: unknown, o: HookOptions): string | undefined {
  if (!o.captureContent || value === undefined || value === null) return undefined;
  const s = typeof value === 'string' ? value : JSON.stringify(value);
  return s.length > o.contentMaxChars ? `${s.slice(0, o.contentMaxChars)}…[truncated ${s.length - o.contentMaxChars} chars]` : s;
}

function attrs(a: Record<string, unknown>): Attributes {
  const out: Attributes = {};
  for (const [k, v] of Object.entries(a)) if (v !== undefined && v !== null) out[k] = v as Attributes[string];
  return out;
}

/** Usage of each assistant message in the transcript since `sinceNs` (Claude Code writes one JSON line per message part). */
function transcriptMessages(path: string | undefined, sinceNs: bigint): { id: string; model: string; timeNs: bigint; usage: Record<string, number> }[] {
  if (!path) return [];
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    return [];
  }
  const byId = new Map<string, { id: string; model: string; timeNs: bigint; usage: Record<string, number> }>();
  for (const line of text.split('\n')) {
    if (!line.includes('"usage"')) continue;
    try {
      const o = JSON.parse(line) as { type?: string; timestamp?: string; message?: { id?: string; model?: string; usage?: Record<string, number> } };
      const m = o.message;
      if (o.type !== 'assistant' || !m?.id || !m.usage || !o.timestamp) continue;
      const timeNs = BigInt(Date.parse(o.timestamp)) * 1_000_000n;
      if (timeNs < sinceNs) continue;
      byId.set(m.id, { id: m.id, model: m.model ?? 'unknown', timeNs, usage: m.usage });
    } catch {
      // a torn or foreign line: skip it
    }
  }
  return [...byId.values()];
}

/**
 * Turns one hook event into finished spans, updating `state`. A session is one trace; a prompt
 * opens a turn (`invoke_agent claude-code`) closed by Stop; tools are `execute_tool` spans
 * spanning PreToolUse→PostToolUse; a Task tool's subagent is an `invoke_agent {type}` span
 * closed by SubagentStop; the session root is written at SessionEnd.
 */
export function hookEventToSpans(e: HookEvent, state: HookState, nowNs: bigint, o: HookOptions): SpanRecord[] {
  const sid = e.session_id;
  const traceId = sessionTraceId(sid);
  const rootId = spanId(sid, 'session');
  const out: SpanRecord[] = [];
  const span = (p: { id: string; parent: string | null; name: string; startNs: bigint; endNs?: bigint; attributes: Record<string, unknown>; error?: string }): void => {
    const a = attrs({ 'agentpulse.claude_code.session_id': sid, ...p.attributes });
    out.push({
      traceId,
      spanId: p.id,
      parentSpanId: p.parent,
      name: p.name,
      kind: 'internal',
      startNs: p.startNs,
      endNs: p.endNs ?? nowNs,
      statusCode: p.error ? 'ERROR' : 'UNSET',
      statusMessage: p.error ?? null,
      attributes: a,
      resource: { 'service.name': AGENT },
      scopeName: 'agentpulse.adapters.claude-code',
      scopeVersion: null,
      events: [],
      links: [],
    });
  };
  state.sessionStartNs ??= nowNs.toString();
  const currentAgent = (): { name: string; parent: string } => {
    const sub = state.agents[state.agents.length - 1];
    if (sub) return { name: sub.type, parent: spanId(sid, 'agent', sub.toolKey) };
    return { name: AGENT, parent: state.turn?.id ?? rootId };
  };

  switch (e.hook_event_name) {
    case 'SessionStart':
      state.sessionStartNs = nowNs.toString();
      break;
    case 'UserPromptSubmit':
      state.turns++;
      state.turn = { id: spanId(sid, 'turn', String(state.turns)), startNs: nowNs.toString(), prompt: content(e.prompt, o) };
      break;
    case 'PreToolUse': {
      const key = toolKey(e);
      state.tools[key] = { startNs: nowNs.toString(), parent: currentAgent().parent };
      if (SUBAGENT_TOOLS.has(String(e.tool_name))) {
        const input = (e.tool_input ?? {}) as Record<string, unknown>;
        state.agents.push({ toolKey: key, startNs: nowNs.toString(), type: typeof input.subagent_type === 'string' ? input.subagent_type : 'subagent' });
      }
      break;
    }
    case 'PostToolUse':
    case 'PostToolUseFailure': {
      const key = toolKey(e);
      const started = state.tools[key];
      delete state.tools[key];
      if (!started && state.done?.includes(key)) break;
      state.done = [...(state.done ?? []), key].slice(-256);
      const isSub = SUBAGENT_TOOLS.has(String(e.tool_name));
      // A subagent that never reported SubagentStop ends with its Task call.
      if (isSub) state.agents = state.agents.filter((a) => a.toolKey !== key);
      const resp = e.tool_response as Record<string, unknown> | undefined;
      const failed = e.hook_event_name === 'PostToolUseFailure' || resp?.is_error === true || resp?.success === false;
      const agent = currentAgent();
      span({
        id: spanId(sid, 'tool', key),
        parent: started?.parent ?? agent.parent,
        name: `execute_tool ${String(e.tool_name)}`,
        startNs: started ? BigInt(started.startNs) : nowNs,
        attributes: {
          'gen_ai.operation.name': 'execute_tool',
          'gen_ai.tool.name': String(e.tool_name),
          'gen_ai.tool.call.id': typeof e.tool_use_id === 'string' ? e.tool_use_id : undefined,
          'gen_ai.agent.name': agent.name,
          'error.type': failed ? 'tool_error' : undefined,
          'gen_ai.tool.call.arguments': content(e.tool_input, o),
          'gen_ai.tool.call.result': content(e.tool_response ?? e.error, o),
        },
        error: failed ? (typeof e.error === 'string' ? e.error : 'tool failed') : undefined,
      });
      break;
    }
    case 'SubagentStop': {
      const sub = state.agents.pop();
      if (!sub) break;
      span({
        id: spanId(sid, 'agent', sub.toolKey),
        parent: spanId(sid, 'tool', sub.toolKey),
        name: `invoke_agent ${sub.type}`,
        startNs: BigInt(sub.startNs),
        attributes: { 'gen_ai.operation.name': 'invoke_agent', 'gen_ai.agent.name': sub.type, 'gen_ai.agent.id': typeof e.agent_id === 'string' ? e.agent_id : undefined },
      });
      break;
    }
    case 'Stop': {
      const turn: NonNullable<HookState['turn']> = state.turn ?? { id: spanId(sid, 'turn', String(++state.turns)), startNs: state.sessionStartNs };
      state.turn = undefined;
      span({
        id: turn.id,
        parent: rootId,
        name: `invoke_agent ${AGENT}`,
        startNs: BigInt(turn.startNs),
        attributes: { 'gen_ai.operation.name': 'invoke_agent', 'gen_ai.agent.name': AGENT, 'agentpulse.claude_code.turn': state.turns, 'gen_ai.input.messages': turn.prompt },
      });
      for (const m of transcriptMessages(e.transcript_path, BigInt(turn.startNs))) {
        const a: Record<string, unknown> = {
          'gen_ai.operation.name': 'chat',
          'gen_ai.provider.name': 'anthropic',
          'gen_ai.request.model': m.model,
          'gen_ai.response.id': m.id,
          'gen_ai.agent.name': AGENT,
          'gen_ai.usage.input_tokens': m.usage.input_tokens,
          'gen_ai.usage.output_tokens': m.usage.output_tokens,
          'gen_ai.usage.cache_read.input_tokens': m.usage.cache_read_input_tokens,
          'gen_ai.usage.cache_creation.input_tokens': m.usage.cache_creation_input_tokens,
        };
        fillCost(a, priceTable());
        span({ id: spanId(sid, 'message', m.id), parent: turn.id, name: `chat ${m.model}`, startNs: m.timeNs, endNs: m.timeNs, attributes: a });
      }
      break;
    }
    case 'SessionEnd':
      span({
        id: rootId,
        parent: null,
        name: `session ${AGENT}`,
        startNs: BigInt(state.sessionStartNs),
        attributes: { 'agentpulse.operation': 'session', 'gen_ai.agent.name': AGENT, 'agentpulse.claude_code.end_reason': e.reason },
      });
      break;
    default: {
      // Notification, PreCompact and future events: a point-in-time span under the current agent.
      const agent = currentAgent();
      span({
        id: spanId(sid, 'event', e.hook_event_name, nowNs.toString()),
        parent: agent.parent,
        name: e.hook_event_name,
        startNs: nowNs,
        attributes: {
          'agentpulse.operation': e.hook_event_name.toLowerCase(),
          'gen_ai.agent.name': agent.name,
          'agentpulse.claude_code.message': content(e.message, o),
          'agentpulse.claude_code.trigger': typeof e.trigger === 'string' ? e.trigger : undefined,
        },
      });
    }
  }
  return out;
}

function emptyState(): HookState {
  return { turns: 0, tools: {}, agents: [] };
}

function loadState(path: string): HookState {
  try {
    return { ...emptyState(), ...(JSON.parse(readFileSync(path, 'utf8')) as Partial<HookState>) };
  } catch {
    return emptyState();
  }
}

function saveState(path: string, state: HookState): void {
  const tmp = `${path}.${process.pid}.tmp`;
  writeFileSync(tmp, JSON.stringify(state));
  renameSync(tmp, path);
}

export interface RunHookOptions extends HookOptions {
  db: string;
  /** Where per-session state lives between hook calls; default `<db>.hooks/`. */
  stateDir?: string;
  nowNs?: bigint;
}

/**
 * Handles one hook call: parse stdin, update the session's state, write the finished spans
 * to the store (or to its spool when another process holds the store).
 */
export async function runHook(input: string, o: RunHookOptions): Promise<{ event: string; spans: number; spooled: boolean }> {
  const e = parseHookEvent(input);
  const dir = o.stateDir ?? `${o.db}.hooks`;
  mkdirSync(dir, { recursive: true });
  const statePath = join(dir, `${hash(e.session_id).slice(0, 24)}.json`);
  const state = loadState(statePath);
  const spans = hookEventToSpans(e, state, o.nowNs ?? BigInt(Date.now()) * 1_000_000n, o);
  saveState(statePath, state);
  if (spans.length === 0) return { event: e.hook_event_name, spans: 0, spooled: false };
  try {
    const store = await openStore(o.db, { ingestSpool: false });
    try {
      await store.writeBatch(spans);
    } finally {
      await store.close();
    }
    return { event: e.hook_event_name, spans: spans.length, spooled: false };
  } catch (err) {
    if (!isStoreLocked(err)) throw err;
    writeSpoolSegment(spoolDirFor(o.db), spans);
    return { event: e.hook_event_name, spans: spans.length, spooled: true };
  }
}
