import type { RetryOptions } from './postJson.js';
import { postJson } from './postJson.js';
import type { Sink, SinkBatch } from './Sink.js';

const ICON: Record<string, string> = { critical: ':red_circle:', warning: ':large_orange_circle:', info: ':large_blue_circle:' };

/**
 * Slack incoming-webhook payload (`{ text }` with mrkdwn; Mattermost, Rocket.Chat and Teams'
 * Slack-compatible endpoints accept the same), one message per run.
 */
export function slackSink(url: string, options: RetryOptions = {}): Sink {
  return {
    name: `slack:${url}`,
    async send({ notifications, report }: SinkBatch): Promise<void> {
      if (notifications.length === 0) return;
      const lines = notifications.map((a) =>
        a.state === 'resolved' ? `:white_check_mark: *resolved* \`${a.rule}\` ${a.summary}` : `${ICON[a.severity] ?? ''} *${a.severity}* \`${a.rule}\` ${a.summary}`,
      );
      const text = `*agentpulse* — ${notifications.length} alert change${notifications.length === 1 ? '' : 's'} (window ${report.window.from} → ${report.window.to})\n${lines.join('\n')}`;
      await postJson(url, { text }, options);
    },
  };
}
