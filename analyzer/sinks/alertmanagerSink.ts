import type { RetryOptions } from './postJson.js';
import { postJson } from './postJson.js';
import type { AlertNotification, Sink, SinkBatch } from './Sink.js';

export interface AlertmanagerOptions extends RetryOptions {
  /**
   * How long a firing alert stays active in Alertmanager without being re-sent (its `endsAt`).
   * Longer than the analyzer's schedule, so an alert does not flap resolved between runs;
   * default 3 h suits an hourly timer.
   */
  activeForMs?: number;
  generatorUrl?: string;
}

/**
 * Prometheus Alertmanager v2: POST `[{ labels, annotations, startsAt, endsAt }]` to
 * `<base>/api/v2/alerts`. Every currently firing alert is re-sent each run (that is how
 * Alertmanager keeps it active); resolved ones are sent once with `endsAt` = now.
 */
export function alertmanagerSink(baseUrl: string, options: AlertmanagerOptions = {}): Sink {
  const url = new URL('api/v2/alerts', baseUrl.endsWith('/') ? baseUrl : baseUrl + '/').toString();
  return {
    name: `alertmanager:${baseUrl}`,
    async send({ notifications, firing, report }: SinkBatch): Promise<void> {
      const nowMs = Date.parse(report.generated_at);
      const byFp = new Map<string, AlertNotification>();
      for (const a of firing) byFp.set(a.fingerprint, a);
      for (const a of notifications) byFp.set(a.fingerprint, a);
      if (byFp.size === 0) return;
      const payload = [...byFp.values()].map((a) => ({
        labels: {
          alertname: a.rule,
          severity: a.severity,
          fingerprint: a.fingerprint,
          ...Object.fromEntries(Object.entries(a.scope).filter(([, v]) => v !== null)),
        },
        annotations: {
          summary: a.summary,
          ...(a.value !== null ? { value: String(a.value) } : {}),
          ...(a.threshold !== null ? { threshold: String(a.threshold) } : {}),
        },
        startsAt: a.since,
        endsAt: new Date(a.state === 'resolved' ? nowMs : nowMs + (options.activeForMs ?? 3 * 3_600_000)).toISOString(),
        ...(options.generatorUrl ? { generatorURL: options.generatorUrl } : {}),
      }));
      await postJson(url, payload, options);
    },
  };
}
