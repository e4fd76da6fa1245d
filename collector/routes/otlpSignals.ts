import type { TelemetryBatch } from '../../store/signals.js';
import { logsSignal } from './logsRoute.js';
import { metricsSignal } from './metricsRoute.js';
import type { OtlpSignal } from './otlpRoute.js';
import { tracesSignal } from './tracesRoute.js';
import { decodeSpooledHook, HOOK_SPOOL_KIND } from './hooksRoute.js';

/** The OTLP signals the collector receives, by path. */
export const OTLP_SIGNALS: ReadonlyMap<string, OtlpSignal> = new Map([tracesSignal, logsSignal, metricsSignal].map((s) => [s.path, s]));

/** Decodes a spooled request body again at replay time (in slices, like a live request); hook entries too. */
export async function decodeSpooled(kind: number, payload: Buffer): Promise<TelemetryBatch> {
  if (kind === HOOK_SPOOL_KIND) return decodeSpooledHook(payload);
  for (const signal of OTLP_SIGNALS.values()) {
    if (kind === signal.spoolKind.protobuf) return (await signal.decode('protobuf', payload, null)).records;
    if (kind === signal.spoolKind.json) return (await signal.decode('json', payload, null)).records;
  }
  throw new Error(`unknown spool frame kind ${kind}`);
}
