import type { RetryOptions } from './postJson.js';
import { postJson } from './postJson.js';
import type { Sink, SinkBatch } from './Sink.js';

/**
 * Generic webhook: POST `{ version, source, generated_at, window, alerts }` with bounded retries.
 * @example webhookSink('https://hooks.example.com/agentpulse', { maxAttempts: 5 })
 */
export function webhookSink(url: string, options: RetryOptions = {}): Sink {
  return {
    name: `webhook:${url}`,
    async send({ notifications, report }: SinkBatch): Promise<void> {
      if (notifications.length === 0) return;
      await postJson(url, { version: 1, source: 'agentpulse', generated_at: report.generated_at, window: report.window, alerts: notifications }, options);
    },
  };
}
