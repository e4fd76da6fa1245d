/**
 * The Claude Code hook adapter, for programs: `runHook` journals one hook event (as
 * `agentpulse hook` and bin/agentpulse-hook.js do); the spans are built when the store's next
 * writer ingests the journal (store/hooks/). See docs/adapters.md.
 */
import { resolveConfig } from '../config.js';
import { recordHookEvent } from '../../store/hooks/recordHook.js';

export { HookInputError, parseHookEvent, type HookEvent } from '../../store/hooks/hookEvent.js';
export { hookEventToSpans, sessionTraceId, type HookState } from '../../store/hooks/hookSpans.js';

export interface RunHookOptions {
  db: string;
  captureContent?: boolean;
  contentMaxChars?: number;
  /** Arrival time (epoch ns); the wall clock by default. */
  nowNs?: bigint;
}

/** Journals one hook event (the JSON Claude Code sends); resolves with the event's name. */
export async function runHook(input: string, o: RunHookOptions): Promise<{ event: string; journalled: string }> {
  const c = o.captureContent === undefined || o.contentMaxChars === undefined ? resolveConfig() : null;
  const r = recordHookEvent(input, { db: o.db, captureContent: o.captureContent ?? c!.captureContent, contentMaxChars: o.contentMaxChars ?? c!.contentMaxChars, nowNs: o.nowNs });
  return { event: r.event, journalled: r.path };
}
