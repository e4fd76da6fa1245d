import type { ServerResponse } from 'node:http';
import type { DashboardApi } from './DashboardApi.js';

export interface LiveFeedOptions {
  /** How often the rollups' change token is polled while someone listens (default 1000 ms). */
  pollMs?: number;
  /** Comment line sent this often so idle proxies keep the stream (default 15 s). */
  heartbeatMs?: number;
  onError?: (err: unknown, context: string) => void;
}

/**
 * Server-sent events for the live panel. One poller for all listeners, running only while
 * someone listens: every `pollMs` it reads the rollups' change token (a count of partial rows,
 * which grows with every committed batch) and pushes fresh per-agent numbers when it moved.
 */
export class LiveFeed {
  private readonly clients = new Set<ServerResponse>();
  private timer: NodeJS.Timeout | null = null;
  private heartbeat: NodeJS.Timeout | null = null;
  private busy = false;
  private lastToken = -1;
  private lastPayload: string | null = null;
  private closed = false;

  constructor(
    private readonly api: DashboardApi,
    private readonly options: LiveFeedOptions = {},
  ) {}

  get listeners(): number {
    return this.clients.size;
  }

  /** Takes over `res` as an event stream; sends the current numbers at once. */
  attach(res: ServerResponse): void {
    if (this.closed) {
      res.writeHead(503, { 'content-type': 'text/plain' }).end('shutting down');
      return;
    }
    res.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache', connection: 'keep-alive', 'x-accel-buffering': 'no' });
    res.write('retry: 2000\n\n');
    this.clients.add(res);
    res.on('close', () => {
      this.clients.delete(res);
      if (this.clients.size === 0) this.stop();
    });
    if (this.lastPayload) res.write(this.lastPayload);
    this.start();
    void this.poll(this.lastPayload === null);
  }

  private start(): void {
    if (this.timer) return;
    this.timer = setInterval(() => void this.poll(false), this.options.pollMs ?? 1000);
    this.timer.unref();
    this.heartbeat = setInterval(() => this.broadcast(': keep-alive\n\n'), this.options.heartbeatMs ?? 15_000);
    this.heartbeat.unref();
  }

  private stop(): void {
    if (this.timer) clearInterval(this.timer);
    if (this.heartbeat) clearInterval(this.heartbeat);
    this.timer = this.heartbeat = null;
  }

  private async poll(force: boolean): Promise<void> {
    if (this.busy || this.clients.size === 0) return;
    this.busy = true;
    try {
      const e = await this.api.extent(true);
      if (!force && e.partials === this.lastToken) return;
      this.lastToken = e.partials;
      const data = await this.api.live();
      this.lastPayload = `event: agents\ndata: ${JSON.stringify({ ...data, at: Date.now() })}\n\n`;
      this.broadcast(this.lastPayload);
    } catch (err) {
      (this.options.onError ?? (() => undefined))(err, 'live feed poll');
    } finally {
      this.busy = false;
    }
  }

  private broadcast(chunk: string): void {
    for (const c of this.clients) c.write(chunk);
  }

  /** Ends every stream and stops polling. Idempotent. */
  close(): void {
    this.closed = true;
    this.stop();
    for (const c of this.clients) c.end();
    this.clients.clear();
  }
}
