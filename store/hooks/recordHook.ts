/**
 * One hook call, the fast way: parse and check the event, keep what may be kept, journal it
 * durably and return. No store, no SDK: the spans are built when the journal is ingested.
 * On the hook's fast path (node built-ins only).
 */
import { appendJournalEntry, journalDirFor } from './hookJournal.js';
import { encodeHookEntry, keptHookEvent, newEntryId, parseHookEvent, wallClockNs } from './hookEvent.js';

export interface RecordHookOptions {
  /** The store file the entry is for; the journal is `<db>.hooks/`. */
  db: string;
  captureContent: boolean;
  contentMaxChars: number;
  /** Arrival time (epoch ns); the wall clock by default. */
  nowNs?: bigint;
}

/** Journals one hook event read from `input`; throws HookInputError for bad input, a file-system error when the journal cannot take it. */
export function recordHookEvent(input: string, o: RecordHookOptions): { event: string; path: string } {
  const e = keptHookEvent(parseHookEvent(input), { captureContent: o.captureContent, maxChars: o.contentMaxChars });
  const timeNs = o.nowNs ?? wallClockNs();
  const path = appendJournalEntry(journalDirFor(o.db), timeNs, encodeHookEntry({ timeNs, id: newEntryId(), event: e }));
  return { event: e.hook_event_name, path };
}
