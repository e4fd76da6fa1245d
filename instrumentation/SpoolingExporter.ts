import { mkdir, readdir, readFile, rename, stat, unlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ExportResultCode } from '@opentelemetry/core';
import type { ExportResult } from '@opentelemetry/core';
import { JsonTraceSerializer } from '@opentelemetry/otlp-transformer';
import type { ReadableSpan, SpanExporter } from '@opentelemetry/sdk-trace-base';

export interface SpoolingExporterOptions {
  /** Folder for batches the collector did not take. Shared by every process using it. */
  dir: string;
  /** Full OTLP/HTTP traces URL (…/v1/traces) spooled batches are re-sent to, as OTLP JSON. */
  url: string;
  headers?: Record<string, string>;
  /** Spool budget; beyond it batches are dropped (and counted), so a long outage cannot fill the disk. */
  maxBytes?: number;
  retryMs?: number;
  onNotice?: (message: string) => void;
}

let fileSeq = 0;

/**
 * Wraps an OTLP exporter: a batch the collector does not acknowledge (collector down,
 * overloaded past the exporter's own retries) is written to disk as an OTLP JSON request
 * and re-sent later, by this process or the next one that starts with the same folder.
 * The host never sees an error; memory stays bounded by the batch processor's queue.
 */
export class SpoolingExporter implements SpanExporter {
  private timer: NodeJS.Timeout | null = null;
  private replaying = false;
  private noticed = false;
  private spooledBytes = -1;
  private collectorUp = false;
  dropped = 0;
  spooled = 0;
  /** Spans the collector acknowledged (durable there), for load tests that count loss. */
  acked = 0;

  constructor(
    private readonly inner: SpanExporter,
    private readonly options: SpoolingExporterOptions,
  ) {
    // Batches left by an earlier run go out as soon as the collector answers.
    this.schedule(1000);
  }

  export(spans: ReadableSpan[], resultCallback: (result: ExportResult) => void): void {
    this.inner.export(spans, (result) => {
      this.collectorUp = result.code === ExportResultCode.SUCCESS;
      if (this.collectorUp) {
        this.acked += spans.length;
        resultCallback(result);
        return;
      }
      this.spool(spans)
        .then(() => resultCallback({ code: ExportResultCode.SUCCESS }))
        .catch((err: unknown) => resultCallback({ code: ExportResultCode.FAILED, error: err instanceof Error ? err : new Error(String(err)) }));
    });
  }

  private notice(message: string): void {
    if (this.noticed) return;
    this.noticed = true;
    try {
      (this.options.onNotice ?? ((m: string) => process.stderr.write(m + '\n')))(message);
    } catch {
      /* never into the host */
    }
  }

  private async currentBytes(): Promise<number> {
    if (this.spooledBytes >= 0) return this.spooledBytes;
    let total = 0;
    for (const f of await readdir(this.options.dir).catch(() => [] as string[])) {
      total += (await stat(join(this.options.dir, f)).catch(() => ({ size: 0 }))).size;
    }
    return (this.spooledBytes = total);
  }

  private async spool(spans: ReadableSpan[]): Promise<void> {
    const body = JsonTraceSerializer.serializeRequest(spans);
    if (!body) return;
    const max = this.options.maxBytes ?? 256 * 1024 * 1024;
    if ((await this.currentBytes()) + body.byteLength > max) {
      this.dropped += spans.length;
      this.notice(`agentpulse: OTLP spool ${this.options.dir} is full (${max} bytes); dropping spans until the collector at ${this.options.url} is back`);
      return;
    }
    await mkdir(this.options.dir, { recursive: true });
    const name = `${process.pid}-${Date.now()}-${fileSeq++}`;
    await writeFile(join(this.options.dir, `${name}.tmp`), body);
    await rename(join(this.options.dir, `${name}.tmp`), join(this.options.dir, `${name}.json`));
    this.spooledBytes = (await this.currentBytes()) + body.byteLength;
    this.spooled += spans.length;
    this.notice(`agentpulse: the collector at ${this.options.url} did not accept spans; spooling them to ${this.options.dir}/ and re-sending when it is back`);
    this.schedule(this.options.retryMs ?? 5000);
  }

  private schedule(ms: number): void {
    if (this.timer) return;
    this.timer = setTimeout(() => {
      this.timer = null;
      void this.replay();
    }, ms);
    this.timer.unref();
  }

  /** Re-sends spooled batches oldest first; stops at the first failure and tries again later. */
  async replay(): Promise<number> {
    if (this.replaying) return 0;
    this.replaying = true;
    let sent = 0;
    try {
      const files = (await readdir(this.options.dir).catch(() => [] as string[])).filter((f) => f.endsWith('.json')).sort();
      for (const f of files) {
        const claimed = join(this.options.dir, `${f}.sending-${process.pid}`);
        // Claim by rename so two processes do not send the same file (a duplicate would be harmless anyway).
        if (!(await rename(join(this.options.dir, f), claimed).then(() => true, () => false))) continue;
        const body = await readFile(claimed);
        let ok = false;
        try {
          const res = await fetch(this.options.url, {
            method: 'POST',
            headers: { 'content-type': 'application/json', ...this.options.headers },
            body,
            signal: AbortSignal.timeout(10_000),
          });
          ok = res.ok;
        } catch {
          ok = false;
        }
        if (!ok) {
          await rename(claimed, join(this.options.dir, f)).catch(() => undefined);
          this.schedule(this.options.retryMs ?? 5000);
          break;
        }
        await unlink(claimed).catch(() => undefined);
        this.spooledBytes = -1;
        sent++;
      }
    } finally {
      this.replaying = false;
    }
    return sent;
  }

  /** Flushes the inner exporter; when the collector is answering, also sends what is spooled. */
  async forceFlush(): Promise<void> {
    await this.inner.forceFlush?.();
    if (this.collectorUp) await this.replay();
  }

  shutdown(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    return this.inner.shutdown();
  }
}
