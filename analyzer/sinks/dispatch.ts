import type { Sink, SinkBatch, SinkResult } from './Sink.js';

/**
 * Sends one batch to every sink concurrently. Each sink is isolated: one that throws or gives
 * up after its retries is reported in its result and never keeps the batch from the others.
 */
export async function dispatchAlerts(sinks: readonly Sink[], batch: SinkBatch): Promise<SinkResult[]> {
  const settled = await Promise.allSettled(sinks.map((s) => s.send(batch)));
  return settled.map((r, i) => ({
    sink: sinks[i].name,
    ok: r.status === 'fulfilled',
    delivered: r.status === 'fulfilled' ? batch.notifications.length : 0,
    ...(r.status === 'rejected' ? { error: r.reason instanceof Error ? r.reason.message : String(r.reason) } : {}),
  }));
}
