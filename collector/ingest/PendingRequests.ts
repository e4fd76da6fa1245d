import type { SpanRecord } from '../../store/types.js';

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
    this.hold(item.spans.length, item.bytes);
  }

  /**
   * Takes requests, oldest first, up to `maxSpans` spans (always at least one request). Their
   * room stays held until `release`.
   */
  takeBatch(maxSpans: number): { batch: PendingRequest[]; spans: SpanRecord[] } {
    const batch: PendingRequest[] = [];
    let n = 0;
    while (this.items.length > 0 && (batch.length === 0 || n + this.items[0]!.spans.length <= maxSpans)) {
      const it = this.items.shift()!;
      batch.push(it);
      n += it.spans.length;
    }
    this.takenCount += batch.length;
    return { batch, spans: batch.length === 1 ? batch[0]!.spans : batch.flatMap((it) => it.spans) };
  }

  /** Takes every waiting request (their room stays held until `release`). */
  takeAll(): PendingRequest[] {
    const all = this.items.splice(0);
    this.takenCount += all.length;
    return all;
  }

  /** Gives back the room of requests taken out. */
  release(items: readonly PendingRequest[]): void {
    for (const it of items) this.unhold(it.spans.length, it.bytes);
  }
}
