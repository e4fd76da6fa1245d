import type { SpanRecord } from '../../store/types.js';
import type { SignalRecords } from '../../store/signals.js';

/** `logged`: fsynced to the write-ahead log, spans held in memory and committed shortly after. */
export type IngestOutcome = 'committed' | 'spooled' | 'logged';

/** A request body as received, kept for the spool fallback: frame kind and payload. */
export interface RawRequest {
  kind: number;
  payload: Buffer;
}

/** One admitted request waiting for (or being handled by) a writer. */
export interface PendingRequest {
  spans: SpanRecord[];
  /** Log records and metric points (from `/v1/logs`, `/v1/metrics`), or null. */
  signals: SignalRecords | null;
  /** Records held: spans, log records and metric points (what the queue bounds count). */
  size: number;
  bytes: number;
  /** Raw request body for the spool fallback; null for spans that came from the spool. */
  raw: RawRequest | null;
  /** Write-ahead log file holding this request's frame (already acknowledged), or null. */
  walSeq: number | null;
  resolve: (o: IngestOutcome) => void;
  reject: (e: unknown) => void;
}

/**
 * The requests admitted and not yet taken by a writer, oldest first, with the spans and bytes
 * they hold. Writers release a request's room when they are done with it (see `release`), so the
 * totals also count requests a writer is still working on, and room held for a request in flight.
 */
export class PendingRequests {
  private items: PendingRequest[] = [];
  private heldSpans = 0;
  private heldBytes = 0;
  /** Requests ever pushed, and requests taken out: the read barrier's clock. */
  private pushedCount = 0;
  private takenCount = 0;

  /** Spans held: queued, being written, or reserved by `hold`. */
  get spans(): number {
    return this.heldSpans;
  }

  get bytes(): number {
    return this.heldBytes;
  }

  /** Requests waiting for a writer. */
  get length(): number {
    return this.items.length;
  }

  get pushed(): number {
    return this.pushedCount;
  }

  get taken(): number {
    return this.takenCount;
  }

  /** Holds room for a request not yet pushed (undo with `unhold`). */
  hold(spans: number, bytes: number): void {
    this.heldSpans += spans;
    this.heldBytes += bytes;
  }

  unhold(spans: number, bytes: number): void {
    this.heldSpans -= spans;
    this.heldBytes -= bytes;
  }

  push(item: PendingRequest): void {
    this.pushedCount++;
    this.items.push(item);
    this.hold(item.size, item.bytes);
  }

  /**
   * Takes requests, oldest first, up to `maxRecords` records (always at least one request). Their
   * room stays held until `release`.
   */
  takeBatch(maxRecords: number): { batch: PendingRequest[]; spans: SpanRecord[]; signals: SignalRecords | null } {
    const batch: PendingRequest[] = [];
    let n = 0;
    let withSignals = false;
    while (this.items.length > 0 && (batch.length === 0 || n + this.items[0]!.size <= maxRecords)) {
      const it = this.items.shift()!;
      batch.push(it);
      n += it.size;
      if (it.signals !== null) withSignals = true;
    }
    this.takenCount += batch.length;
    const spans = batch.length === 1 ? batch[0]!.spans : batch.flatMap((it) => it.spans);
    if (!withSignals) return { batch, spans, signals: null };
    const signals: SignalRecords = { logs: [], points: [] };
    for (const it of batch) {
      if (it.signals === null) continue;
      for (const l of it.signals.logs) signals.logs.push(l);
      for (const p of it.signals.points) signals.points.push(p);
    }
    return { batch, spans, signals };
  }

  /** Takes every waiting request (their room stays held until `release`). */
  takeAll(): PendingRequest[] {
    const all = this.items.splice(0);
    this.takenCount += all.length;
    return all;
  }

  /** Gives back the room of requests taken out. */
  release(items: readonly PendingRequest[]): void {
    for (const it of items) this.unhold(it.size, it.bytes);
  }
}
