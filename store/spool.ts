import { closeSync, fsyncSync, mkdirSync, openSync, readFileSync, readdirSync, renameSync, statSync, unlinkSync, writeSync } from 'node:fs';
import { basename, join } from 'node:path';
import type { SpanRecord } from './types.js';

/** Spool folder beside a database file: `<db>.spool/`. */
export function spoolDirFor(dbPath: string): string {
  return `${dbPath}.spool`;
}

let seq = 0;

/** Serialises spans one JSON line each, bigints as decimal strings. */
export function encodeSpoolLines(spans: readonly SpanRecord[]): string {
  let out = '';
  for (const s of spans) {
    out += JSON.stringify(s, (_k, v) => (typeof v === 'bigint' ? v.toString() : v)) + '\n';
  }
  return out;
}

/** Parses spool lines back into spans; unreadable lines are skipped and counted (segments are written whole, so any is damage). */
export function decodeSpoolLines(text: string): { spans: SpanRecord[]; skipped: number } {
  const spans: SpanRecord[] = [];
  let skipped = 0;
  for (const line of text.split('\n')) {
    if (line.length === 0) continue;
    try {
      const o = JSON.parse(line) as SpanRecord & { startNs: string; endNs: string; events: { timeNs: string }[] };
      spans.push({
        ...o,
        startNs: BigInt(o.startNs),
        endNs: BigInt(o.endNs),
        events: o.events.map((e) => ({ ...e, timeNs: BigInt(e.timeNs) })) as SpanRecord['events'],
      });
    } catch {
      skipped++;
    }
  }
  return { spans, skipped };
}

/**
 * Writes one complete, fsynced segment file per call. Segments appear under their final
 * name only after the data is on disk (write to .tmp, fsync, rename), so an ingester
 * never reads a half-written segment.
 */
export function writeSpoolSegment(dir: string, spans: readonly SpanRecord[]): string {
  mkdirSync(dir, { recursive: true });
  const base = `${process.pid}-${Date.now()}-${seq++}`;
  const tmp = join(dir, `${base}.tmp`);
  const final = join(dir, `${base}.ndjson`);
  const fd = openSync(tmp, 'w');
  try {
    writeSync(fd, encodeSpoolLines(spans));
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(tmp, final);
  return final;
}

/** A segment that could not be ingested in full, moved to `<spool>/quarantine/` (or left in place when that failed). */
export interface SpoolSegmentProblem {
  path: string;
  movedTo: string | null;
  reason: string;
}

/**
 * Moves a segment that cannot be read, or holds unreadable lines, to `quarantine/` beside it:
 * evidence is never deleted. Returns the new path, or null when it could not be moved.
 */
export function quarantineSpoolSegment(path: string, dir: string): string | null {
  const qdir = join(dir, 'quarantine');
  const to = join(qdir, `${basename(path)}.${new Date().toISOString().replace(/[:.]/g, '-')}.${process.pid}`);
  try {
    mkdirSync(qdir, { recursive: true });
    renameSync(path, to);
    return to;
  } catch {
    return null;
  }
}

/** Complete segments waiting to be ingested, oldest first. */
export function listSpoolSegments(dir: string): string[] {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return [];
  }
  return names
    .filter((n) => n.endsWith('.ndjson'))
    .map((n) => join(dir, n))
    .map((p) => ({ p, t: mtimeOf(p) }))
    .sort((a, b) => a.t - b.t || a.p.localeCompare(b.p))
    .map((x) => x.p);
}

function mtimeOf(path: string): number {
  try {
    return statSync(path).mtimeMs;
  } catch {
    return 0; // vanished or unreadable: the ingester finds out and reports it
  }
}

/** Reads one segment; throws for anything but a regular file (a FIFO would block the read forever). */
export function readSpoolSegment(path: string): { spans: SpanRecord[]; skipped: number } {
  if (!statSync(path).isFile()) throw new Error(`${path} is not a regular file`);
  return decodeSpoolLines(readFileSync(path, 'utf8'));
}

export function removeSpoolSegment(path: string): void {
  try {
    unlinkSync(path);
  } catch {
    /* already gone: another ingest finished it */
  }
}
