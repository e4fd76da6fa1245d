import type { IngestWriter, WriterHost } from './IngestWriter.js';
import type { SpanSink } from './sinks.js';

/**
 * The writer without a write-ahead log: group-commits several requests into one
 * `store.writeBatch` and settles each request only once that batch is committed. When the store
 * fails, the failed batch and every request still waiting go to the spool (or are rejected).
 * @example
 * const writer = new GroupCommitWriter(store, host);
 * host.pending.push(request); writer.wake();
 */
export class GroupCommitWriter implements IngestWriter {
  private running = false;
  readonly replayWindow = 1;

  constructor(
    private readonly sink: SpanSink,
    private readonly host: WriterHost,
  ) {}

  get writing(): boolean {
    return this.running;
  }

  get active(): boolean {
    return this.running;
  }

  get settled(): boolean {
    return true;
  }

  wake(): void {
    if (!this.running) void this.run();
  }

  commitSoon(): void {}

  flush(): void {}

  visible(): Promise<boolean> {
    return Promise.resolve(true);
  }

  close(): Promise<void> {
    return Promise.resolve();
  }

  private async run(): Promise<void> {
    const { pending, health, metrics } = this.host;
    this.running = true;
    try {
      while (pending.length > 0) {
        const { batch, spans, signals } = pending.takeBatch(this.host.maxBatchSpans);
        const t0 = performance.now();
        let failed: unknown = null;
        try {
          if (signals !== null) await this.sink.writeBatch(spans, signals);
          else if (spans.length > 0) await this.sink.writeBatch(spans);
        } catch (err) {
          failed = err;
        }
        pending.release(batch);
        if (failed === null) {
          metrics.observeWrite((performance.now() - t0) / 1000);
          metrics.countWritten(spans.length, signals?.logs.length ?? 0, signals?.points.length ?? 0);
          metrics.batchesWritten++;
          health.succeeded();
          for (const it of batch) it.resolve('committed');
        } else {
          metrics.writeErrors++;
          this.host.onError(failed, `store write of ${spans.length} spans failed`);
          health.failed();
          // Requests still waiting are moved along with the failed batch: the store is unhealthy.
          const waiting = pending.takeAll();
          pending.release(waiting);
          for (const it of [...batch, ...waiting]) {
            if (it.raw === null) it.reject(failed);
            else this.host.spoolOrReject(it.size, it.raw, 'store_unavailable').then(it.resolve, it.reject);
          }
          this.host.scheduleReplay(health.backoffMs);
        }
      }
    } finally {
      this.running = false;
    }
    this.host.writerStopped();
  }
}
