/**
 * Hook events into the store. Whatever way they came — a command hook's journal entry
 * (hookJournal.ts) or an HTTP hook through the collector's write-ahead log — they arrive as log
 * records `claude_code.hook.<Event>`; the store keeps each once (by entry id) and, in the same
 * transaction, turns the fresh ones into spans with the per-session state kept in `kv`
 * (namespace 'hook_session'). So a replayed entry neither repeats a span nor advances the state
 * twice, and spans, state and the record commit or roll back together.
 */
import type { DuckDBConnection } from '@duckdb/node-api';
import { isEnoent } from '../errors.js';
import { appendFreshLogs } from '../signalAppend.js';
import type { LogRow } from '../signalRows.js';
import type { SignalRecords } from '../signals.js';
import type { SpanRecord } from '../types.js';
import { decodeHookEntry, HOOK_EVENT_PREFIX, hookLogRecord, HookInputError, type HookEvent } from './hookEvent.js';
import { journalDirFor, listJournalEntries, readJournalEntry, removeJournalEntry, removeStaleTemps, setAsideJournalEntry } from './hookJournal.js';
import { emptyHookState, hookEventToSpans, type HookState } from './hookSpans.js';

const NAMESPACE = 'hook_session';
/** Sessions not heard from for this long lose their state (an unfinished tool call there stays unrecorded). */
const STATE_TTL_DAYS = 30;
const CHUNK = 2000;

/**
 * Appends the log rows not stored yet (inside the writer's transaction) and returns how many, with
 * the spans of the hook events among them: a hook event becomes spans once, when first stored.
 */
export async function appendLogsDerivingHooks(conn: DuckDBConnection, rows: readonly LogRow[]): Promise<{ logs: number; spans: SpanRecord[] }> {
  if (rows.length === 0) return { logs: 0, spans: [] };
  const fresh = await appendFreshLogs(conn, rows);
  const hooks = fresh.filter(isHookRow);
  return { logs: fresh.length, spans: hooks.length > 0 ? await deriveHookSpans(conn, hooks) : [] };
}

/** True for a stored log row that is a hook event. */
export const isHookRow = (r: Pick<LogRow, 'eventName'>): boolean => r.eventName !== null && r.eventName.startsWith(HOOK_EVENT_PREFIX);

/**
 * The spans of freshly stored hook events (inside the writer's transaction): loads the state of
 * their sessions, applies the events in arrival order and saves the state back.
 */
export async function deriveHookSpans(conn: DuckDBConnection, rows: readonly LogRow[]): Promise<SpanRecord[]> {
  const bySession = new Map<string, { timeNs: bigint; id: string; event: HookEvent }[]>();
  for (const r of rows) {
    let event: HookEvent;
    try {
      event = JSON.parse(r.body ?? '') as HookEvent;
    } catch {
      continue; // kept as a log record; nothing to derive
    }
    if (typeof event?.session_id !== 'string') continue;
    const list = bySession.get(event.session_id) ?? [];
    list.push({ timeNs: r.timeNs, id: r.recordId, event });
    bySession.set(event.session_id, list);
  }
  if (bySession.size === 0) return [];
  const states = await loadStates(conn, [...bySession.keys()]);
  const spans: SpanRecord[] = [];
  for (const [session, events] of bySession) {
    const state = states.get(session) ?? emptyHookState();
    events.sort((a, b) => (a.timeNs < b.timeNs ? -1 : a.timeNs > b.timeNs ? 1 : a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
    for (const x of events) spans.push(...hookEventToSpans(x.event, state, x.timeNs));
    const ended = events[events.length - 1]!.event.hook_event_name === 'SessionEnd' && Object.keys(state.tools).length === 0;
    await saveState(conn, session, ended ? null : state);
  }
  return spans;
}

async function loadStates(conn: DuckDBConnection, sessions: string[]): Promise<Map<string, HookState>> {
  const out = new Map<string, HookState>();
  const params: Record<string, string> = { ns: NAMESPACE };
  sessions.forEach((s, i) => (params[`k${i}`] = s));
  const res = await conn.runAndReadAll(`SELECT key, value FROM kv WHERE namespace = $ns AND key IN (${sessions.map((_, i) => `$k${i}`).join(', ')})`, params);
  for (const [k, v] of res.getRows()) {
    try {
      out.set(String(k), { ...emptyHookState(), ...(JSON.parse(String(v)) as Partial<HookState>) });
    } catch {
      // unreadable state: the session starts over
    }
  }
  return out;
}

async function saveState(conn: DuckDBConnection, session: string, state: HookState | null): Promise<void> {
  if (state === null) {
    await conn.run('DELETE FROM kv WHERE namespace = $ns AND key = $key', { ns: NAMESPACE, key: session });
    return;
  }
  await conn.run(
    `INSERT INTO kv (namespace, key, value, updated_at) VALUES ($ns, $key, $value, current_timestamp)
     ON CONFLICT (namespace, key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at`,
    { ns: NAMESPACE, key: session, value: JSON.stringify(state) },
  );
}

export interface HookIngestResult {
  /** Journal entries ingested (and deleted). */
  entries: number;
  /** Damaged entries moved aside to `<journal>/corrupt/`. */
  setAside: number;
}

/** The writer a journal is ingested into. */
export interface HookSink {
  writeBatch(spans: readonly SpanRecord[], signals?: SignalRecords): Promise<unknown>;
  query(sql: string): Promise<unknown>;
}

/**
 * Ingests the command hooks' journal of the store at `db`: entries in arrival order, committed
 * in chunks, each file deleted once its chunk is committed (a crash in between re-reads it, and
 * the store keeps it once). A damaged entry is moved aside and reported on stderr.
 */
export async function ingestHookJournal(sink: HookSink, db: string): Promise<HookIngestResult> {
  const dir = journalDirFor(db);
  const paths = listJournalEntries(dir);
  const result: HookIngestResult = { entries: 0, setAside: 0 };
  if (paths.length === 0) return result;
  removeStaleTemps(dir);
  for (let i = 0; i < paths.length; i += CHUNK) {
    const chunk = paths.slice(i, i + CHUNK);
    const done: string[] = [];
    const logs = [];
    for (const p of chunk) {
      try {
        logs.push(hookLogRecord(decodeHookEntry(readJournalEntry(p))));
        done.push(p);
      } catch (err) {
        if (isEnoent(err)) continue; // another ingester took it
        const to = setAsideJournalEntry(p, dir);
        result.setAside++;
        const why = err instanceof HookInputError || err instanceof Error ? err.message : String(err);
        process.stderr.write(`agentpulse: hook journal entry ${p}: ${why}; ${to ? `moved to ${to}` : 'could not move it, skipped'}\n`);
      }
    }
    if (logs.length > 0) await sink.writeBatch([], { logs, points: [] });
    for (const p of done) removeJournalEntry(p);
    result.entries += done.length;
  }
  await sink.query(`DELETE FROM kv WHERE namespace = '${NAMESPACE}' AND updated_at < current_timestamp - INTERVAL ${STATE_TTL_DAYS} DAY`);
  return result;
}
