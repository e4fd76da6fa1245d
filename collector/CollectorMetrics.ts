/**
 * Collector counters, gauges and the write-latency histogram, rendered in the
 * Prometheus text exposition format (version 0.0.4). Kept dependency-free: the
 * collector needs a dozen series, not a metrics SDK.
 */
const LATENCY_BUCKETS_S = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

export class CollectorMetrics {
  spansReceived = 0;
  spansWritten = 0;
  spansRejected = 0;
  /** Of the rejected spans, those with times outside the accepted window (before 2000, or > 1 day ahead). */
  spansOutOfWindow = 0;
  spansSpooled = 0;
  spansReplayed = 0;
  writeErrors = 0;
  batchesWritten = 0;
  /** Spool/WAL entries moved to quarantine (or skipped in place) and the frames/bytes that could not be read. */
  spoolQuarantined = 0;
  spoolFramesSkipped = 0;
  spoolBytesSkipped = 0;
  /** Log records and metric points: decoded, committed, rejected (by reason, bounded). */
  logsReceived = 0;
  logsWritten = 0;
  pointsReceived = 0;
  pointsWritten = 0;
  /** Spans derived from agent events (Claude Code, Codex, Gemini CLI) at decode time. */
  spansDerived = 0;
  private readonly rejectedByReason = new Map<string, number>();
  private lastSpoolProblem: { path: string; movedTo: string | null; reason: string } | null = null;
  private readonly requests = new Map<string, number>();
  private readonly writeLatency = new LatencyHistogram();
  private readonly ackLatency = new LatencyHistogram();

  constructor(private readonly gauges: () => { queueSpans: number; queueBytes: number; spoolBytes: number; inflightBodyBytes: number }) {}

  /** Records one damaged or unreadable spool entry (see `Spool.takeProblems`). */
  recordSpoolProblem(p: { path: string; movedTo: string | null; reason: string; framesSkipped: number; bytesSkipped: number }): void {
    this.spoolQuarantined++;
    this.spoolFramesSkipped += p.framesSkipped;
    this.spoolBytesSkipped += p.bytesSkipped;
    this.lastSpoolProblem = { path: p.path, movedTo: p.movedTo, reason: p.reason };
  }

  /** For /healthz: null while the spool never met a damaged entry. */
  spoolDamage(): { quarantined: number; framesSkipped: number; bytesSkipped: number; last: { path: string; movedTo: string | null; reason: string } } | null {
    if (this.lastSpoolProblem === null) return null;
    return { quarantined: this.spoolQuarantined, framesSkipped: this.spoolFramesSkipped, bytesSkipped: this.spoolBytesSkipped, last: this.lastSpoolProblem };
  }

  /** Counts committed records: spans, and the log records and metric points beside them. */
  countWritten(spans: number, logs: number, points: number): void {
    this.spansWritten += spans;
    this.logsWritten += logs;
    this.pointsWritten += points;
  }

  /** Counts a decoder's partial-success rejections of `signal`: those outside the time window apart from the rest. */
  countDecodeRejections(signal: string, d: { rejected: number; outOfWindow: number }): void {
    if (d.outOfWindow > 0) this.countRejected(signal, 'time_window', d.outOfWindow);
    if (d.rejected > d.outOfWindow) this.countRejected(signal, 'invalid', d.rejected - d.outOfWindow);
  }

  /**
   * Counts records rejected for `reason` on `signal` ('logs', 'metrics', 'events'). Reasons are a
   * short fixed vocabulary chosen by the decoders; past 64 distinct ones they are counted as 'other'.
   */
  countRejected(signal: string, reason: string, n = 1): void {
    let key = `${signal}\u0000${reason}`;
    if (!this.rejectedByReason.has(key) && this.rejectedByReason.size >= 64) key = `${signal}\u0000other`;
    this.rejectedByReason.set(key, (this.rejectedByReason.get(key) ?? 0) + n);
  }

  countRequest(route: string, status: number): void {
    const key = `${route}\u0000${status}`;
    this.requests.set(key, (this.requests.get(key) ?? 0) + 1);
  }

  observeWrite(seconds: number): void {
    this.writeLatency.observe(seconds);
  }

  /** Time from a /v1/traces request's arrival to its durable acknowledgement. */
  observeAck(seconds: number): void {
    this.ackLatency.observe(seconds);
  }

  /** Requests answered with `status` on `route` so far (for tests and /healthz). */
  requestCount(route: string, status: number): number {
    return this.requests.get(`${route}\u0000${status}`) ?? 0;
  }

  render(): string {
    const g = this.gauges();
    const lines: string[] = [];
    const counter = (name: string, help: string, value: number) => {
      lines.push(`# HELP ${name} ${help}`, `# TYPE ${name} counter`, `${name} ${value}`);
    };
    const gauge = (name: string, help: string, value: number) => {
      lines.push(`# HELP ${name} ${help}`, `# TYPE ${name} gauge`, `${name} ${value}`);
    };
    counter('agentpulse_collector_spans_received_total', 'Spans decoded from OTLP requests.', this.spansReceived);
    counter('agentpulse_collector_spans_written_total', 'Spans committed to the store.', this.spansWritten);
    counter('agentpulse_collector_spans_rejected_total', 'Spans rejected by validation (OTLP partial success).', this.spansRejected);
    counter('agentpulse_collector_spans_out_of_window_total', 'Rejected spans whose times lie before 2000-01-01 or more than 1 day past the collector clock.', this.spansOutOfWindow);
    counter('agentpulse_collector_spans_spooled_total', 'Spans acknowledged from the write-ahead spool.', this.spansSpooled);
    counter('agentpulse_collector_spans_replayed_total', 'Spans replayed from the spool into the store.', this.spansReplayed);
    counter('agentpulse_collector_spool_quarantined_total', 'Spool or write-ahead log entries that were damaged or unreadable, moved to quarantine/ (or skipped in place).', this.spoolQuarantined);
    counter('agentpulse_collector_spool_frames_skipped_total', 'Damaged spool frames that could not be replayed.', this.spoolFramesSkipped);
    counter('agentpulse_collector_spool_bytes_skipped_total', 'Bytes of damaged spool frames or unreadable entries that could not be replayed.', this.spoolBytesSkipped);
    counter('agentpulse_collector_logs_received_total', 'OTLP log records decoded from /v1/logs.', this.logsReceived);
    counter('agentpulse_collector_logs_written_total', 'Log records committed to the store (log_records).', this.logsWritten);
    counter('agentpulse_collector_points_received_total', 'OTLP metric data points decoded from /v1/metrics.', this.pointsReceived);
    counter('agentpulse_collector_points_written_total', 'Metric data points committed to the store (metric_points).', this.pointsWritten);
    counter('agentpulse_collector_spans_derived_total', 'Spans derived from coding-agent events (model requests, tool calls).', this.spansDerived);
    lines.push('# HELP agentpulse_collector_records_rejected_total Log records, data points and agent events rejected, by signal and reason.', '# TYPE agentpulse_collector_records_rejected_total counter');
    for (const [key, n] of this.rejectedByReason) {
      const [signal, reason] = key.split('\u0000');
      lines.push(`agentpulse_collector_records_rejected_total{signal="${signal}",reason="${reason!.replace(/["\\\n]/g, '_')}"} ${n}`);
    }
    counter('agentpulse_collector_write_errors_total', 'Store batch writes that failed.', this.writeErrors);
    lines.push('# HELP agentpulse_collector_requests_total HTTP requests by route and status.', '# TYPE agentpulse_collector_requests_total counter');
    for (const [key, n] of this.requests) {
      const [route, status] = key.split('\u0000');
      lines.push(`agentpulse_collector_requests_total{route="${route}",status="${status}"} ${n}`);
    }
    gauge('agentpulse_collector_queue_spans', 'Spans waiting for the store writer.', g.queueSpans);
    gauge('agentpulse_collector_queue_bytes', 'Request bytes waiting for the store writer.', g.queueBytes);
    gauge('agentpulse_collector_inflight_body_bytes', 'Request body bytes being received or decoded.', g.inflightBodyBytes);
    gauge('agentpulse_collector_spool_bytes', 'Bytes in the write-ahead spool awaiting replay.', g.spoolBytes);
    this.writeLatency.render(lines, 'agentpulse_collector_write_duration_seconds', 'Duration of one group-committed store write.');
    this.ackLatency.render(lines, 'agentpulse_collector_ack_duration_seconds', 'Time from a /v1/traces request to its durable acknowledgement.');
    return `${lines.join('\n')}\n`;
  }
}

/** Fixed-bucket latency histogram in seconds. */
class LatencyHistogram {
  private readonly counts = new Array<number>(LATENCY_BUCKETS_S.length).fill(0);
  private sum = 0;
  private count = 0;

  observe(seconds: number): void {
    this.sum += seconds;
    this.count++;
    for (let i = 0; i < LATENCY_BUCKETS_S.length; i++) {
      if (seconds <= LATENCY_BUCKETS_S[i]!) {
        this.counts[i]!++;
        break;
      }
    }
  }

  render(lines: string[], name: string, help: string): void {
    lines.push(`# HELP ${name} ${help}`, `# TYPE ${name} histogram`);
    let cumulative = 0;
    for (let i = 0; i < LATENCY_BUCKETS_S.length; i++) {
      cumulative += this.counts[i]!;
      lines.push(`${name}_bucket{le="${LATENCY_BUCKETS_S[i]}"} ${cumulative}`);
    }
    lines.push(`${name}_bucket{le="+Inf"} ${this.count}`, `${name}_sum ${this.sum}`, `${name}_count ${this.count}`);
  }
}
