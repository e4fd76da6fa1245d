import type { Sink, SinkBatch } from './Sink.js';

/** One line per alert notification, e.g. `[FIRING critical] regression: latency_p95_ms regressed +35% …`. */
export function stdoutSink(stream: NodeJS.WritableStream = process.stdout): Sink {
  return {
    name: 'stdout',
    async send({ notifications }: SinkBatch): Promise<void> {
      for (const a of notifications) stream.write(`[${a.state.toUpperCase()} ${a.severity}] ${a.rule}: ${a.summary} (fingerprint ${a.fingerprint})\n`);
    },
  };
}
