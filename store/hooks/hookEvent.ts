/**
 * A Claude Code hook event as it arrives (JSON on a command hook's stdin, or the body of an HTTP
 * hook) and as it is kept: a log record `claude_code.hook.<Event>` whose body is the event's JSON.
 * This module is on the hook's fast path (bin/agentpulse-hook.js): it imports node built-ins only.
 */
import { crc32 } from 'node:zlib';
import type { LogRecordIn } from '../signals.js';

/** One Claude Code hook payload (the fields every event shares, plus the event's own). */
export interface HookEvent {
  hook_event_name: string;
  session_id: string;
  [key: string]: unknown;
}

/** Malformed hook input: reported as one line, exit code 1 (Claude Code treats only 2 as blocking). */
export class HookInputError extends Error {}

/** Event name prefix of hook events kept as log records. */
export const HOOK_EVENT_PREFIX = 'claude_code.hook.';
/** Instrumentation scope of hook events and of the spans derived from them. */
export const HOOK_SCOPE = 'agentpulse.hooks.claude-code';
/** The largest hook event kept whole; bigger ones lose their content fields first. */
export const MAX_HOOK_EVENT_BYTES = 256 * 1024;

/** Parses and checks one hook event; throws HookInputError with a message fit for one stderr line. */
export function parseHookEvent(text: string): HookEvent {
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch {
    throw new HookInputError(`hook input is not JSON (got ${text.trim() ? `${JSON.stringify(text.trim().slice(0, 40))}…` : 'nothing'}); Claude Code sends one JSON event per call`);
  }
  return checkHookEvent(v);
}

/** Checks an already parsed hook event (an HTTP hook's body). */
export function checkHookEvent(v: unknown): HookEvent {
  const e = v as Partial<HookEvent> | null;
  if (!e || typeof e !== 'object' || Array.isArray(e)) throw new HookInputError('hook input must be a JSON object');
  if (typeof e.hook_event_name !== 'string' || !/^[A-Za-z][A-Za-z0-9_]{0,63}$/.test(e.hook_event_name)) throw new HookInputError('hook input has no "hook_event_name" (or not a valid event name)');
  if (typeof e.session_id !== 'string' || !e.session_id || e.session_id.length > 256) throw new HookInputError('hook input has no "session_id" (or not a valid one)');
  return e as HookEvent;
}

/** Fields that carry what the user or the model wrote: kept only with content capture on. */
const CONTENT_FIELDS = ['tool_input', 'tool_response', 'prompt', 'last_assistant_message', 'message', 'custom_instructions'] as const;

/** A short hash of a tool input, to pair a permission request with its tool call (not a security boundary: node:crypto is not loaded on the fast path). */
export const sha16 = (s: string): string => crc32(s).toString(16).padStart(8, '0') + crc32(s, 0x9e3779b9).toString(16).padStart(8, '0');

/**
 * What of an event is kept. Content fields (tool input and output, prompts, messages) only with
 * `captureContent`, each cut at `maxChars`; without it a tool input leaves its hash (to pair a
 * permission request with its tool call) and, for a subagent launch, the subagent type.
 */
export function keptHookEvent(e: HookEvent, o: { captureContent: boolean; maxChars: number }): HookEvent {
  const out: HookEvent = { ...e };
  if (e.tool_input !== undefined) {
    out.tool_input_sha = sha16(JSON.stringify(e.tool_input));
    const input = e.tool_input as Record<string, unknown> | null;
    if (input && typeof input === 'object' && typeof input.subagent_type === 'string') out.subagent_type = input.subagent_type.slice(0, 200);
  }
  for (const f of CONTENT_FIELDS) {
    if (out[f] === undefined) continue;
    if (!o.captureContent) {
      delete out[f];
      continue;
    }
    const s = typeof out[f] === 'string' ? (out[f] as string) : JSON.stringify(out[f]);
    if (s.length > o.maxChars) out[f] = `${s.slice(0, o.maxChars)}…[truncated ${s.length - o.maxChars} chars]`;
  }
  if (typeof out.error === 'string' && out.error.length > 2000) out.error = `${out.error.slice(0, 2000)}…`;
  // Fields nobody documented yet are kept, within reason: a huge one leaves a marker of its size.
  if (JSON.stringify(out).length > MAX_HOOK_EVENT_BYTES) {
    for (const [k, v] of Object.entries(out)) {
      const n = JSON.stringify(v)?.length ?? 0;
      if (n > 4096 && k !== 'hook_event_name' && k !== 'session_id') out[k] = { agentpulse_truncated_chars: n };
    }
  }
  return out;
}

/** A fresh id for one received hook event (time and randomness): resends of the same entry keep it. */
export function newEntryId(): string {
  const rand = (): string => Math.floor(Math.random() * 2 ** 32).toString(36).padStart(7, '0');
  return `${Date.now().toString(36)}-${process.pid.toString(36)}-${rand()}${rand()}`;
}

/** The wall clock in epoch nanoseconds, to the microsecond (hooks of one session run in separate processes). */
export function wallClockNs(): bigint {
  return BigInt(Math.round((performance.timeOrigin + performance.now()) * 1000)) * 1000n;
}

/** A received hook event, as journalled or logged: when it arrived, its entry id and the event. */
export interface HookEntry {
  timeNs: bigint;
  id: string;
  event: HookEvent;
}

/** The journal / write-ahead-log form of an entry (JSON). */
export function encodeHookEntry(x: HookEntry): Buffer {
  return Buffer.from(JSON.stringify({ v: 1, t: String(x.timeNs), id: x.id, event: x.event }), 'utf8');
}

/** Reads {@link encodeHookEntry}'s form back; throws HookInputError when it is not one. */
export function decodeHookEntry(payload: Buffer): HookEntry {
  let o: { v?: unknown; t?: unknown; id?: unknown; event?: unknown };
  try {
    o = JSON.parse(payload.toString('utf8')) as typeof o;
  } catch {
    throw new HookInputError('journal entry is not JSON');
  }
  if (o.v !== 1 || typeof o.t !== 'string' || !/^\d{1,20}$/.test(o.t) || typeof o.id !== 'string') throw new HookInputError('journal entry has no version, time or id');
  return { timeNs: BigInt(o.t), id: o.id, event: checkHookEvent(o.event) };
}

/**
 * The log record an entry is stored as: event name `claude_code.hook.<Event>`, body the event's
 * JSON, session and join keys (`tool_use_id`, `prompt.id`, `agent_id`) as attributes. The entry id
 * makes the record unique, so a resent entry is stored (and turned into spans) once.
 */
export function hookLogRecord(x: HookEntry): LogRecordIn {
  const e = x.event;
  const attributes: LogRecordIn['attributes'] = { 'session.id': e.session_id, 'agentpulse.hook.entry_id': x.id, 'hook.event_name': e.hook_event_name };
  for (const [from, to] of [['tool_use_id', 'tool_use_id'], ['tool_name', 'tool_name'], ['prompt_id', 'prompt.id'], ['agent_id', 'agent_id'], ['agent_type', 'agent_type']] as const) {
    if (typeof e[from] === 'string') attributes[to] = e[from] as string;
  }
  return {
    timeNs: x.timeNs,
    observedNs: x.timeNs,
    traceId: null,
    spanId: null,
    severityNumber: 9,
    severityText: 'INFO',
    body: JSON.stringify(e),
    eventName: HOOK_EVENT_PREFIX + e.hook_event_name,
    attributes,
    resource: { 'service.name': 'claude-code' },
    scopeName: HOOK_SCOPE,
    scopeVersion: null,
  };
}
