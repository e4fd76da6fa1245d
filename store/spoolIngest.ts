import { isEnoent } from './errors.js';
import { listSpoolSegments, quarantineSpoolSegment, readSpoolSegment, removeSpoolSegment, type SpoolSegmentProblem } from './spool.js';
import type { SpanRecord } from './types.js';

export interface SpoolIngestResult {
  segments: number;
  spans: number;
  inserted: number;
  quarantined: SpoolSegmentProblem[];
}

/**
 * Ingests complete spool segments other processes left while this file was locked.
 * Each segment is deleted only after its spans are committed (replays are idempotent).
 */
export async function ingestSpoolSegments(store: { writeBatch(spans: readonly SpanRecord[]): Promise<{ inserted: number }> }, dir: string): Promise<SpoolIngestResult> {
  let segments = 0;
  let total = 0;
  let inserted = 0;
  const quarantined: SpoolSegmentProblem[] = [];
  const setAside = (seg: string, reason: string): void => {
    const movedTo = quarantineSpoolSegment(seg, dir);
    quarantined.push({ path: seg, movedTo, reason });
    // Rare and needs a person: said once per segment, where the operator looks.
    process.stderr.write(`agentpulse: spool segment ${seg}: ${reason}; ${movedTo ? `moved to ${movedTo}` : 'could not move it, skipped'} (see docs/operations.md, "Spool quarantine")\n`);
  };
  for (const seg of listSpoolSegments(dir)) {
    let read: { spans: SpanRecord[]; skipped: number };
    try {
      read = readSpoolSegment(seg);
    } catch (err) {
      // One unreadable entry (a directory, a permission problem) must not stop the others or the open.
      if (isEnoent(err)) continue; // another ingester finished it
      setAside(seg, `unreadable (${err instanceof Error ? err.message : String(err)})`);
      continue;
    }
    const { spans, skipped } = read;
    for (let i = 0; i < spans.length; i += 10_000) {
      const r = await store.writeBatch(spans.slice(i, i + 10_000));
      inserted += r.inserted;
    }
    if (skipped > 0) setAside(seg, `${skipped} damaged line(s) skipped, ${spans.length} span(s) ingested`);
    else removeSpoolSegment(seg);
    segments++;
    total += spans.length;
  }
  return { segments, spans: total, inserted, quarantined };
}
