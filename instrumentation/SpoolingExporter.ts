import { createHash } from 'node:crypto';
import { lstatSync, mkdirSync, readdirSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { mkdir, readdir, readFile, rename, rmdir, stat, unlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ExportResultCode } from '@opentelemetry/core';
import type { ExportResult } from '@opentelemetry/core';
import { JsonTraceSerializer } from '@opentelemetry/otlp-transformer';
import type { ReadableSpan, SpanExporter } from '@opentelemetry/sdk-trace-base';

export interface SpoolingExporterOptions {
  /**
   * Base folder for batches the collector did not take. Each destination gets its own
   * subfolder (a hash of `url`), so a batch is only ever re-sent to the endpoint it was meant for.
   */
  dir: string;
  /** Full OTLP/HTTP traces URL (…/v1/traces) spooled batches are re-sent to, as OTLP JSON. */
  url: string;
  headers?: Record<string, string>;
  /** Spool budget; beyond it batches are dropped (and counted), so a long outage cannot fill the disk. */
  maxBytes?: number;
  retryMs?: number;
  onNotice?: (message: string) => void;
}

/** The spool folder for one destination: `<base>/<first 16 hex of sha256(normalised url)>`. */
export function spoolDirForEndpoint(base: string, url: string): string {
  let normalised = url;
  try {
    normalised = new URL(url).href;
  } catch {
    /* not a URL: hash it as given */
  }
  return join(base, createHash('sha256').update(normalised).digest('hex').slice(0, 16));
}

const isErrno = (err: unknown, code: string): boolean => (err as NodeJS.ErrnoException | null)?.code === code;

/**
 * Wraps an OTLP exporter: a batch the collector does not acknowledge (collector down,
 * overloaded past the exporter's own retries) is written to disk as an OTLP JSON request
 * and re-sent later, by this process or the next one that starts with the same endpoint.
 * Batches still inside the exporter (sending or between retries) when the process exits are
 * spooled synchronously by `spoolPendingSync`, which the exit and signal hooks call.
 * The host never sees an error; memory stays bounded by the batch processor's queue.
 */
export class SpoolingExporter implements SpanExporter {
  /** This endpoint's spool folder. */
  readonly dir: string;
  private timer: NodeJS.Timeout | null = null;
  private replaying = false;
  private noticed = false;
  private spooledBytes = -1;
  private collectorUp = false;
  /** Batches handed to the exporter and neither acknowledged nor on disk yet, by file name. */
  private readonly pending = new Map<string, ReadableSpan[]>();
  private readonly writes = new Set<Promise<void>>();
  private readonly runId = `${process.pid}-${Date.now()}`;
  private seq = 0;
  dropped = 0;
  spooled = 0;
  /** Spans the collector acknowledged (durable there), for load tests that count loss. */
  acked = 0;

  constructor(
    private readonly inner: SpanExporter,
    private readonly options: SpoolingExporterOptions,
  ) {
    this.dir = spoolDirForEndpoint(options.dir, options.url);
    // Batches left by an earlier run go out as soon as the collector answers.
    this.schedule(1000);
  }

  export(spans: ReadableSpan[], resultCallback: (result: ExportResult) => void): void {
    // Zero-padded so that file names sort in the order batches were made.
    const name = `${this.runId}-${String(this.seq++).padStart(8, '0')}`;
    this.pending.set(name, spans);
    this.inner.export(spans, (result) => {
      this.collectorUp = result.code === ExportResultCode.SUCCESS;
      if (!this.pending.has(name)) {
        // Already spooled at exit; the collector may have it too (stores deduplicate).
        resultCallback({ code: ExportResultCode.SUCCESS });
        return;
      }
      if (this.collectorUp) {
        this.pending.delete(name);
        this.acked += spans.length;
        resultCallback(result);
        return;
      }
      const write = this.spool(name, spans)
        .then(() => resultCallback({ code: ExportResultCode.SUCCESS }))
        .catch((err: unknown) => {
          this.dropped += spans.length;
          this.notice(`agentpulse: the collector at ${this.options.url} did not accept spans and they could not be spooled: ${err instanceof Error ? err.message : String(err)}`);
          resultCallback({ code: ExportResultCode.FAILED, error: err instanceof Error ? err : new Error(String(err)) });
        })
        .finally(() => {
          this.pending.delete(name);
          this.writes.delete(write);
        });
      this.writes.add(write);
    });
  }

  /** Spans the exporter holds that are neither acknowledged nor spooled. */
  get pendingSpans(): number {
    let n = 0;
    for (const spans of this.pending.values()) n += spans.length;
    return n;
  }

  /** Whether the last answer from the collector was an acknowledgement. */
  get lastExportSucceeded(): boolean {
    return this.collectorUp;
  }

  private notice(message: string, always = false): void {
    if (this.noticed && !always) return;
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
    for (const f of await readdir(this.dir).catch(() => [] as string[])) {
      total += (await stat(join(this.dir, f)).catch(() => ({ size: 0 }))).size;
    }
    return (this.spooledBytes = total);
  }

  private currentBytesSync(): number {
    if (this.spooledBytes >= 0) return this.spooledBytes;
    let total = 0;
    try {
      for (const f of readdirSync(this.dir)) {
        try {
          total += statSync(join(this.dir, f)).size;
        } catch {
          /* claimed or removed meanwhile */
        }
      }
    } catch {
      /* no folder yet */
    }
    return (this.spooledBytes = total);
  }

  /** The endpoint's folder, private to this user; refuses one someone else made (shared temp dirs). */
  private ensureDirSync(): void {
    mkdirSync(this.dir, { recursive: true, mode: 0o700 });
    const uid = process.getuid?.();
    const st = lstatSync(this.dir);
    if (!st.isDirectory() || (uid !== undefined && st.uid !== uid)) throw new Error(`spool folder ${this.dir} is not a folder of this user`);
  }

  private async spool(name: string, spans: ReadableSpan[]): Promise<void> {
    const body = JsonTraceSerializer.serializeRequest(spans);
    if (!body) return;
    const max = this.options.maxBytes ?? 256 * 1024 * 1024;
    if ((await this.currentBytes()) + body.byteLength > max) {
      this.dropped += spans.length;
      this.notice(`agentpulse: OTLP spool ${this.dir} is full (${max} bytes); dropping spans until the collector at ${this.options.url} is back`);
      return;
    }
    const write = async (): Promise<void> => {
      await mkdir(this.dir, { recursive: true, mode: 0o700 });
      await writeFile(join(this.dir, `${name}.tmp`), body);
      await rename(join(this.dir, `${name}.tmp`), join(this.dir, `${name}.json`));
    };
    if (!this.pending.has(name)) return; // spooled at exit meanwhile
    this.ensureDirSync();
    // A replay in another process removes the folder once it is empty: make it again.
    await write().catch((err: unknown) => (isErrno(err, 'ENOENT') ? write() : Promise.reject(err)));
    this.spooledBytes = (await this.currentBytes()) + body.byteLength;
    this.spooled += spans.length;
    this.notice(`agentpulse: the collector at ${this.options.url} did not accept spans; spooling them to ${this.dir}/ and re-sending when it is back`);
    this.schedule(this.options.retryMs ?? 5000);
  }

  /**
   * Writes every batch still inside the exporter (sending, or waiting between retries) to the
   * spool, synchronously: for exit paths, where nothing asynchronous will run again. A batch
   * whose asynchronous spooling was under way gets the same file name, so it is on disk once.
   * Returns the number of spans written.
   */
  spoolPendingSync(): number {
    if (this.pending.size === 0) return 0;
    let written = 0;
    let failed: unknown = null;
    const max = this.options.maxBytes ?? 256 * 1024 * 1024;
    for (const [name, spans] of [...this.pending]) {
      this.pending.delete(name);
      try {
        const body = JsonTraceSerializer.serializeRequest(spans);
        if (!body) continue;
        if (this.currentBytesSync() + body.byteLength > max) {
          this.dropped += spans.length;
          continue;
        }
        this.ensureDirSync();
        writeFileSync(join(this.dir, `${name}.exit.tmp`), body);
        renameSync(join(this.dir, `${name}.exit.tmp`), join(this.dir, `${name}.json`));
        this.spooledBytes = this.currentBytesSync() + body.byteLength;
        this.spooled += spans.length;
        written += spans.length;
      } catch (err) {
        this.dropped += spans.length;
        failed = err;
      }
    }
    if (written > 0) {
      this.notice(`agentpulse: exiting before the collector at ${this.options.url} accepted ${written} spans; spooled them to ${this.dir}/, to be re-sent when it is back`, true);
    }
    if (failed) this.notice(`agentpulse: could not spool spans at exit: ${failed instanceof Error ? failed.message : String(failed)}`, true);
    return written;
  }

  private schedule(ms: number): void {
    if (this.timer) return;
    this.timer = setTimeout(() => {
      this.timer = null;
      void this.replay();
    }, ms);
    this.timer.unref();
  }

  /** Re-sends this endpoint's spooled batches oldest first; stops at the first failure and tries again later. */
  async replay(): Promise<number> {
    if (this.replaying) return 0;
    this.replaying = true;
    let sent = 0;
    try {
      const files = (await readdir(this.dir).catch(() => [] as string[])).filter((f) => f.endsWith('.json')).sort();
      let failed = false;
      for (const f of files) {
        const claimed = join(this.dir, `${f}.sending-${process.pid}`);
        // Claim by rename so two processes do not send the same file (a duplicate would be harmless anyway).
        if (!(await rename(join(this.dir, f), claimed).then(() => true, () => false))) continue;
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
          await rename(claimed, join(this.dir, f)).catch(() => undefined);
          this.schedule(this.options.retryMs ?? 5000);
          failed = true;
          break;
        }
        await unlink(claimed).catch(() => undefined);
        this.spooledBytes = -1;
        sent++;
      }
      // Leave no empty folder per endpoint behind (fails harmlessly if anything is left in it).
      if (!failed && files.length > 0) await rmdir(this.dir).catch(() => undefined);
    } finally {
      this.replaying = false;
    }
    return sent;
  }

  /** Flushes the inner exporter and waits for batches being spooled; when the collector is answering, also sends what is spooled. */
  async forceFlush(): Promise<void> {
    await this.inner.forceFlush?.();
    await Promise.allSettled([...this.writes]);
    if (this.collectorUp) await this.replay();
  }

  shutdown(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    return this.inner.shutdown();
  }
}
