/**
 * Claude Code hook events → spans. Hooks run as separate processes (or HTTP calls), each seeing
 * one event, so the spans are built where the events are ingested, in arrival order, from a small
 * per-session state kept with the store (store/hooks/hookIngest.ts). A session is one trace (the
 * same trace as the spans derived from its OTel events); a prompt opens a turn
 * (`invoke_agent claude-code`) closed by Stop or StopFailure; a tool call is an `execute_tool`
 * span from PreToolUse to PostToolUse / PostToolUseFailure / PermissionDenied, with the time spent
 * waiting for the user's permission as a `permission_wait` child; a subagent is an
 * `invoke_agent <type>` span from SubagentStart to SubagentStop, and every tool call made inside
 * it (its events carry `agent_id`) is its child — exactly, however many run in parallel. Events
 * from before `agent_id` existed fall back to "the most recently started subagent". Model calls
 * come from the transcripts at Stop / SubagentStop. Span ids are deterministic, so a replay
 * derives the same spans.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { fillCost, priceTable } from '../pricing.js';
import type { Attributes, SpanRecord } from '../types.js';
import { HOOK_SCOPE, type HookEvent } from './hookEvent.js';

/** What one session's hook events leave for the next ones. */
export interface HookState {
  sessionStartNs?: string;
  turns: number;
  turn?: { id: string; startNs: string; promptId?: string; prompt?: string };
  /** Open tool calls by key (tool_use_id, else name + input hash). */
  tools: Record<string, { startNs: string; parent: string; agent: string; name: string; inputSha?: string }>;
  /** Subagent launches (Task / Agent tool calls) not yet matched to a SubagentStart, oldest first. */
  launches: { toolKey: string; startNs: string; type: string }[];
  /** Subagents by agent_id, from SubagentStart. */
  subagents: Record<string, { startNs: string; type: string; parent: string }>;
  /** True once the session sent an agent_id or a prompt_id (versions that send agent_id): attribution is exact from then on. */
  exact?: boolean;
  /** Permission requests waiting for their outcome. */
  permissions: { tool: string; inputSha?: string; startNs: string }[];
  tasks: Record<string, { startNs: string; subject?: string; team?: string; teammate?: string }>;
  compactStartNs?: string;
  /** Recently finished tool calls: a replayed PostToolUse adds no second span. */
  done: string[];
}

export const emptyHookState = (): HookState => ({ turns: 0, tools: {}, launches: [], subagents: {}, permissions: [], tasks: {}, done: [] });

const AGENT = 'claude-code';
const SUBAGENT_TOOLS = new Set(['Task', 'Agent']);
const SERVICE = 'claude-code';

function hash(...parts: string[]): string {
  const h = createHash('sha256').update(parts.join('\u0000')).digest('hex');
  return /^0+$/.test(h.slice(0, 32)) ? `${h.slice(0, 31)}1` : h;
}

/** A session's trace id: the same as the trace of the spans derived from the session's OTel events (collector/events/shared.ts). */
export function sessionTraceId(sessionId: string): string {
  return hash('session', SERVICE, sessionId).slice(0, 32);
}

const idOf = (sid: string, ...parts: string[]): string => hash('agentpulse.hooks', sid, ...parts).slice(0, 16);
const str = (v: unknown): string | undefined => (typeof v === 'string' && v.length > 0 ? v : undefined);
const num = (v: unknown): number | undefined => {
  const n = typeof v === 'number' ? v : typeof v === 'string' && v.trim() !== '' ? Number(v) : NaN;
  return Number.isFinite(n) && n >= 0 ? n : undefined;
};

function toolKey(e: HookEvent): string {
  return str(e.tool_use_id) ?? `${String(e.tool_name)}:${str(e.tool_input_sha) ?? ''}`;
}

function text(v: unknown): string | undefined {
  if (v === undefined || v === null) return undefined;
  return typeof v === 'string' ? v : JSON.stringify(v);
}

interface TranscriptMessage {
  id: string;
  requestId?: string;
  model: string;
  timeNs: bigint;
  usage: Record<string, number>;
}

/** Model calls in a transcript between `fromNs` and `toNs` (Claude Code writes one JSON line per message part). */
function transcriptMessages(path: string | undefined, fromNs: bigint, toNs: bigint): TranscriptMessage[] {
  if (!path) return [];
  let body: string;
  try {
    body = readFileSync(path, 'utf8');
  } catch {
    return [];
  }
  const byId = new Map<string, TranscriptMessage>();
  for (const line of body.split('\n')) {
    if (!line.includes('"usage"')) continue;
    try {
      const o = JSON.parse(line) as { type?: string; timestamp?: string; requestId?: string; message?: { id?: string; model?: string; usage?: Record<string, number> } };
      const m = o.message;
      if (o.type !== 'assistant' || !m?.id || !m.usage || !o.timestamp) continue;
      const timeNs = BigInt(Date.parse(o.timestamp)) * 1_000_000n;
      if (timeNs < fromNs || timeNs > toNs) continue;
      byId.set(m.id, { id: m.id, requestId: str(o.requestId), model: m.model ?? 'unknown', timeNs, usage: m.usage });
    } catch {
      // a torn or foreign line: skip it
    }
  }
  return [...byId.values()];
}

/** One event's spans, for {@link hookEventToSpans}. */
class SpanSink {
  readonly out: SpanRecord[] = [];
  constructor(
    private readonly e: HookEvent,
    private readonly nowNs: bigint,
  ) {}

  add(p: { id: string; parent: string | null; name: string; startNs: bigint; endNs?: bigint; attributes: Record<string, unknown>; error?: string }): void {
    const a: Attributes = { 'gen_ai.conversation.id': this.e.session_id };
    for (const [k, v] of Object.entries(p.attributes)) if (v !== undefined && v !== null) a[k] = v as Attributes[string];
    const endNs = p.endNs ?? this.nowNs;
    this.out.push({
      traceId: sessionTraceId(this.e.session_id),
      spanId: p.id,
      parentSpanId: p.parent,
      name: p.name,
      kind: 'internal',
      startNs: p.startNs < endNs ? p.startNs : endNs,
      endNs,
      statusCode: p.error !== undefined ? 'ERROR' : 'UNSET',
      statusMessage: p.error ?? null,
      attributes: a,
      resource: { 'service.name': SERVICE },
      scopeName: HOOK_SCOPE,
      scopeVersion: null,
      events: [],
      links: [],
    });
  }

  /** Chat spans for the model calls of a transcript, under `parent`, for `agent`. */
  chats(path: string | undefined, fromNs: bigint, parent: string, agent: string): void {
    // A second of slack: the transcript line can be stamped just after the hook fired.
    for (const m of transcriptMessages(path, fromNs, this.nowNs + 1_000_000_000n)) {
      const a: Record<string, unknown> = {
        'gen_ai.operation.name': 'chat',
        'gen_ai.provider.name': 'anthropic',
        'gen_ai.request.model': m.model,
        // The request id is what Claude Code's api_request event and beta llm_request span carry: the join key.
        'gen_ai.response.id': m.requestId ?? m.id,
        'agentpulse.claude_code.message_id': m.id,
        'gen_ai.agent.name': agent,
        'gen_ai.usage.input_tokens': m.usage.input_tokens,
        'gen_ai.usage.output_tokens': m.usage.output_tokens,
        'gen_ai.usage.cache_read.input_tokens': m.usage.cache_read_input_tokens,
        'gen_ai.usage.cache_creation.input_tokens': m.usage.cache_creation_input_tokens,
      };
      fillCost(a, priceTable());
      this.add({ id: idOf(this.e.session_id, 'message', m.id), parent, name: `chat ${m.model}`, startNs: m.timeNs, endNs: m.timeNs, attributes: a });
    }
  }
}

/**
 * Turns one hook event, received at `nowNs`, into finished spans, updating `state`. Unknown
 * events become point-in-time spans under the agent they happened in, so nothing is dropped.
 */
export function hookEventToSpans(e: HookEvent, state: HookState, nowNs: bigint): SpanRecord[] {
  const sid = e.session_id;
  const rootId = idOf(sid, 'session');
  const sink = new SpanSink(e, nowNs);
  const now = nowNs.toString();
  state.sessionStartNs ??= now;
  const promptId = str(e.prompt_id);
  // Claude Code versions that send prompt_id also send agent_id inside subagents: no guessing then.
  if (promptId || str(e.agent_id)) state.exact = true;
  const mainParent = (): string => (promptId && promptId !== state.turn?.promptId ? idOf(sid, 'prompt', promptId) : (state.turn?.id ?? rootId));
  /** The agent an event happened in, and the span its work hangs under. */
  const where = (): { agent: string; parent: string } => {
    const agentId = str(e.agent_id);
    if (agentId) return { agent: str(e.agent_type) ?? state.subagents[agentId]?.type ?? 'subagent', parent: idOf(sid, 'subagent', agentId) };
    const legacy = state.exact ? undefined : state.launches[state.launches.length - 1];
    if (legacy) return { agent: legacy.type, parent: idOf(sid, 'agent', legacy.toolKey) };
    return { agent: AGENT, parent: mainParent() };
  };
  const base = (): Record<string, unknown> => ({ 'prompt.id': promptId, 'agentpulse.hook.event': e.hook_event_name });

  switch (e.hook_event_name) {
    case 'SessionStart':
      state.sessionStartNs = now;
      break;
    case 'UserPromptSubmit':
      state.turns++;
      state.turn = { id: promptId ? idOf(sid, 'prompt', promptId) : idOf(sid, 'turn', String(state.turns)), startNs: now, promptId, prompt: text(e.prompt) };
      break;
    case 'PreToolUse': {
      const key = toolKey(e);
      const w = where();
      state.tools[key] = { startNs: now, parent: w.parent, agent: w.agent, name: String(e.tool_name), inputSha: str(e.tool_input_sha) };
      // Bounded: tool calls that never finished (a killed session) are dropped oldest first.
      const open = Object.keys(state.tools);
      for (const k of open.slice(0, Math.max(0, open.length - 512))) delete state.tools[k];
      if (SUBAGENT_TOOLS.has(String(e.tool_name))) state.launches = [...state.launches, { toolKey: key, startNs: now, type: str(e.subagent_type) ?? 'subagent' }].slice(-64);
      break;
    }
    case 'PermissionRequest':
      // Bounded: a request whose tool call never reported back is forgotten after 64 newer ones.
      state.permissions = [...state.permissions, { tool: String(e.tool_name), inputSha: str(e.tool_input_sha), startNs: now }].slice(-64);
      break;
    case 'PostToolUse':
    case 'PostToolUseFailure':
    case 'PermissionDenied': {
      const key = toolKey(e);
      const started = state.tools[key] ?? findTool(state, e);
      const openKey = started ? (Object.keys(state.tools).find((k) => state.tools[k] === started) ?? key) : key;
      delete state.tools[openKey];
      if (!started && state.done.includes(openKey)) break;
      state.done = [...state.done, openKey].slice(-256);
      state.launches = state.launches.filter((l) => l.toolKey !== openKey);
      const denied = e.hook_event_name === 'PermissionDenied';
      const failed = denied || e.hook_event_name === 'PostToolUseFailure' || (e.tool_response as { is_error?: unknown } | undefined)?.is_error === true;
      const durMs = num(e.duration_ms);
      const ranFromNs = durMs !== undefined ? nowNs - BigInt(Math.round(durMs * 1e6)) : undefined;
      const w = started ? { agent: started.agent, parent: started.parent } : where();
      const toolSpan = idOf(sid, 'tool', openKey);
      const startNs = started ? BigInt(started.startNs) : (ranFromNs ?? nowNs);
      const perm = takePermission(state, String(e.tool_name), str(e.tool_input_sha) ?? started?.inputSha, started ? BigInt(started.startNs) : 0n);
      if (perm) {
        const waitEnd = denied ? nowNs : ranFromNs !== undefined && ranFromNs > BigInt(perm.startNs) ? ranFromNs : nowNs;
        sink.add({
          id: idOf(sid, 'permission', openKey),
          parent: toolSpan,
          name: `permission_wait ${String(e.tool_name)}`,
          startNs: BigInt(perm.startNs),
          endNs: waitEnd,
          attributes: { ...base(), 'agentpulse.operation': 'permission_wait', 'gen_ai.agent.name': w.agent, 'gen_ai.tool.name': String(e.tool_name), 'agentpulse.permission.decision': denied ? 'denied' : 'allowed' },
        });
      }
      const errorType = denied ? 'permission_denied' : e.is_interrupt === true ? 'interrupted' : 'tool_error';
      sink.add({
        id: toolSpan,
        parent: w.parent,
        name: `execute_tool ${String(e.tool_name)}`,
        startNs,
        attributes: {
          ...base(),
          'gen_ai.operation.name': 'execute_tool',
          'gen_ai.tool.name': String(e.tool_name),
          'gen_ai.tool.call.id': str(e.tool_use_id),
          'gen_ai.agent.name': w.agent,
          'agentpulse.tool.duration_ms': durMs,
          'error.type': failed ? errorType : undefined,
          'gen_ai.tool.call.arguments': text(e.tool_input),
          'gen_ai.tool.call.result': text(e.tool_response),
        },
        error: failed ? (str(e.error) ?? str(e.reason) ?? (denied ? 'permission denied' : 'tool failed')) : undefined,
      });
      break;
    }
    case 'SubagentStart': {
      const agentId = str(e.agent_id);
      if (!agentId) break;
      state.exact = true;
      const type = str(e.agent_type) ?? 'subagent';
      // Its launch: the oldest unmatched Task call for this subagent type, else the oldest one.
      let i = state.launches.findIndex((l) => l.type === type);
      if (i < 0 && state.launches.length > 0) i = 0;
      const launch = i >= 0 ? state.launches.splice(i, 1)[0] : undefined;
      state.subagents[agentId] = { startNs: now, type, parent: launch ? idOf(sid, 'tool', launch.toolKey) : mainParent() };
      break;
    }
    case 'SubagentStop': {
      const agentId = str(e.agent_id);
      if (agentId) {
        const sub = state.subagents[agentId] ?? { startNs: now, type: str(e.agent_type) ?? 'subagent', parent: mainParent() };
        delete state.subagents[agentId];
        const id = idOf(sid, 'subagent', agentId);
        sink.add({ id, parent: sub.parent, name: `invoke_agent ${sub.type}`, startNs: BigInt(sub.startNs), attributes: { ...base(), 'gen_ai.operation.name': 'invoke_agent', 'gen_ai.agent.name': sub.type, 'gen_ai.agent.id': agentId } });
        sink.chats(str(e.agent_transcript_path), BigInt(sub.startNs), id, sub.type);
        break;
      }
      // Before agent_id: the most recently launched subagent.
      const legacy = state.launches.pop();
      if (!legacy) break;
      sink.add({ id: idOf(sid, 'agent', legacy.toolKey), parent: idOf(sid, 'tool', legacy.toolKey), name: `invoke_agent ${legacy.type}`, startNs: BigInt(legacy.startNs), attributes: { ...base(), 'gen_ai.operation.name': 'invoke_agent', 'gen_ai.agent.name': legacy.type } });
      break;
    }
    case 'Stop':
    case 'StopFailure': {
      const turn = state.turn ?? { id: promptId ? idOf(sid, 'prompt', promptId) : idOf(sid, 'turn', String(++state.turns)), startNs: state.sessionStartNs, promptId };
      state.turn = undefined;
      const failed = e.hook_event_name === 'StopFailure';
      sink.add({
        id: turn.id,
        parent: rootId,
        name: `invoke_agent ${AGENT}`,
        startNs: BigInt(turn.startNs),
        attributes: { ...base(), 'prompt.id': turn.promptId, 'gen_ai.operation.name': 'invoke_agent', 'gen_ai.agent.name': AGENT, 'agentpulse.claude_code.turn': state.turns, 'gen_ai.input.messages': 'prompt' in turn ? turn.prompt : undefined, 'error.type': failed ? (str(e.error_type) ?? 'stop_failure') : undefined },
        error: failed ? (str(e.error) ?? str(e.reason) ?? 'the turn failed') : undefined,
      });
      sink.chats(str(e.transcript_path), BigInt(turn.startNs), turn.id, AGENT);
      break;
    }
    case 'TaskCreated': {
      const id = str(e.task_id);
      if (id) state.tasks[id] = { startNs: now, subject: str(e.task_subject), team: str(e.team_name), teammate: str(e.teammate_name) };
      break;
    }
    case 'TaskCompleted': {
      const id = str(e.task_id);
      if (!id) break;
      const t = state.tasks[id] ?? { startNs: now, subject: str(e.task_subject), team: str(e.team_name), teammate: str(e.teammate_name) };
      delete state.tasks[id];
      sink.add({
        id: idOf(sid, 'task', id),
        parent: mainParent(),
        name: `task ${t.subject ?? id}`,
        startNs: BigInt(t.startNs),
        attributes: { ...base(), 'agentpulse.operation': 'task', 'agentpulse.task.id': id, 'agentpulse.task.subject': t.subject ?? str(e.task_subject), 'agentpulse.team.id': t.team ?? str(e.team_name), 'gen_ai.agent.name': t.teammate ?? str(e.teammate_name) ?? AGENT },
      });
      break;
    }
    case 'PostCompact': {
      const w = where();
      sink.add({ id: idOf(sid, 'compact', now), parent: w.parent, name: 'compaction', startNs: BigInt(state.compactStartNs ?? now), attributes: { ...base(), 'agentpulse.operation': 'compaction', 'gen_ai.agent.name': w.agent, 'agentpulse.claude_code.trigger': str(e.trigger) } });
      state.compactStartNs = undefined;
      break;
    }
    case 'SessionEnd':
      sink.add({ id: rootId, parent: null, name: `session ${AGENT}`, startNs: BigInt(state.sessionStartNs), attributes: { 'agentpulse.operation': 'session', 'gen_ai.agent.name': AGENT, 'agentpulse.claude_code.end_reason': str(e.reason) } });
      break;
    default: {
      // Notification, PreCompact, PostToolBatch and events added later: a point-in-time span where it happened.
      if (e.hook_event_name === 'PreCompact') state.compactStartNs = now;
      const w = where();
      sink.add({
        id: idOf(sid, 'event', e.hook_event_name, now),
        parent: w.parent,
        name: e.hook_event_name,
        startNs: nowNs,
        attributes: { ...base(), 'agentpulse.operation': e.hook_event_name.toLowerCase(), 'gen_ai.agent.name': w.agent, 'agentpulse.claude_code.message': text(e.message), 'agentpulse.claude_code.trigger': str(e.trigger) },
      });
    }
  }
  return sink.out;
}

/** An open tool call matching an event without a tool_use_id (PermissionDenied): same tool and input, latest first. */
function findTool(state: HookState, e: HookEvent): HookState['tools'][string] | undefined {
  const sha = str(e.tool_input_sha);
  const open = Object.values(state.tools).filter((t) => t.name === String(e.tool_name) && (sha === undefined || t.inputSha === sha));
  return open[open.length - 1];
}

/** The permission request of a tool call (same tool, same input, asked after the call began), removed from the state. */
function takePermission(state: HookState, tool: string, inputSha: string | undefined, notBeforeNs: bigint): HookState['permissions'][number] | undefined {
  const i = state.permissions.findIndex((p) => p.tool === tool && (inputSha === undefined || p.inputSha === undefined || p.inputSha === inputSha) && BigInt(p.startNs) >= notBeforeNs);
  return i >= 0 ? state.permissions.splice(i, 1)[0] : undefined;
}
