import type { IncomingMessage, ServerResponse } from 'node:http';
import { HttpError } from '../../http/HttpError.js';
import { readBody } from '../../http/readBody.js';
import { checkHookEvent, decodeHookEntry, encodeHookEntry, HookInputError, hookLogRecord, keptHookEvent, newEntryId, wallClockNs, type HookEntry } from '../../store/hooks/hookEvent.js';
import type { TelemetryBatch } from '../../store/signals.js';
import { ingestErrorToHttp, type OtlpRouteDeps } from './otlpRoute.js';

/** The path Claude Code's `"type": "http"` hooks post to. */
export const CLAUDE_CODE_HOOK_PATH = '/hooks/claude-code';
/** Spool and write-ahead-log frame kind of a hook entry (after the OTLP signals' 1–6). */
export const HOOK_SPOOL_KIND = 7;

export interface HookRouteDeps extends Pick<OtlpRouteDeps, 'queue' | 'metrics' | 'body'> {
  /** Whether the store turns hook events into spans (the DuckDB store); else 501. */
  derivesHookSpans: boolean;
  content: { captureContent: boolean; maxChars: number };
}

/** What a journalled or logged hook entry stores: the event as a log record (the store derives its spans). */
export function hookBatch(entry: HookEntry): TelemetryBatch {
  return { spans: [], logs: [hookLogRecord(entry)], points: [] };
}

/** A spooled hook entry, decoded again at replay: the same entry id and time, so it is stored once. */
export function decodeSpooledHook(payload: Buffer): TelemetryBatch {
  return hookBatch(decodeHookEntry(payload));
}

/**
 * `POST /hooks/claude-code`: one Claude Code hook event (the JSON a command hook reads on stdin).
 * Answers 200 with an empty body once the event is durable in the write-ahead log — never a
 * decision, so it never blocks or steers the agent; bad input is a 400 Claude Code reports as a
 * non-blocking error. Auth, host and size rules are those of `/v1/*`.
 */
export async function handleClaudeCodeHook(req: IncomingMessage, res: ServerResponse, deps: HookRouteDeps): Promise<number> {
  const started = performance.now();
  if (req.method !== 'POST') throw new HttpError(405, 'use POST', { headers: { allow: 'POST' } });
  if (!deps.derivesHookSpans) throw new HttpError(501, `${CLAUDE_CODE_HOOK_PATH} needs the DuckDB store (hook sessions are kept there); with this store use Claude Code's OTel events on /v1/logs`);
  const ce = (req.headers['content-encoding'] ?? 'identity').trim().toLowerCase();
  if (ce !== 'gzip' && ce !== 'identity') throw new HttpError(415, `Content-Encoding ${ce} is not supported (use gzip or none)`);
  if (!deps.queue.canAdmit(Number(req.headers['content-length'] ?? 0) || 0)) throw new HttpError(503, 'the collector cannot take more right now; retry later', { headers: { 'retry-after': '1' } });
  const { body, held } = await readBody(req, ce, deps.body);
  try {
    let entry: HookEntry;
    try {
      const event = keptHookEvent(checkHookEvent(JSON.parse(body.toString('utf8'))), deps.content);
      entry = { timeNs: wallClockNs(), id: newEntryId(), event };
    } catch (err) {
      if (err instanceof SyntaxError || err instanceof HookInputError) throw new HttpError(400, `not a Claude Code hook event: ${err.message}`, { cause: err });
      throw err;
    }
    try {
      await deps.queue.submit(hookBatch(entry), { kind: HOOK_SPOOL_KIND, payload: encodeHookEntry(entry) });
    } catch (err) {
      throw ingestErrorToHttp(err);
    }
    res.writeHead(200, { 'content-length': '0' });
    res.end();
    deps.metrics.observeAck((performance.now() - started) / 1000);
    return 200;
  } finally {
    deps.body.budget.release(held);
  }
}
