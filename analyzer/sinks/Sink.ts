import type { Alert, Report } from '../reportSchema.js';

/** An alert as sinks receive it: the report's alert plus a human summary. */
export interface AlertNotification extends Alert {
  summary: string;
}

export interface SinkBatch {
  /** Alerts owed a notification: newly firing or resolved (or not yet delivered after a failure). */
  notifications: AlertNotification[];
  /** Every alert currently firing (Alertmanager wants them re-sent each run to keep them alive). */
  firing: AlertNotification[];
  report: Report;
}

/** Where alerts go. `send` resolves once delivered and rejects when it gave up (after its retries). */
export interface Sink {
  readonly name: string;
  send(batch: SinkBatch): Promise<void>;
}

export interface SinkResult {
  sink: string;
  ok: boolean;
  delivered: number;
  error?: string;
}
