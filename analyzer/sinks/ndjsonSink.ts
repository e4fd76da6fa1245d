import { appendFile } from 'node:fs/promises';
import type { Sink, SinkBatch } from './Sink.js';

/** Appends one JSON object per notification to a file (log shippers tail it). */
export function ndjsonSink(path: string): Sink {
  return {
    name: `ndjson:${path}`,
    async send({ notifications, report }: SinkBatch): Promise<void> {
      if (notifications.length === 0) return;
      const lines = notifications.map((a) => JSON.stringify({ ...a, generated_at: report.generated_at }) + '\n').join('');
      await appendFile(path, lines);
    },
  };
}
