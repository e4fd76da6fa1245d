import { AgentpulseError } from '../../store/errors.js';
import { alertmanagerSink } from './alertmanagerSink.js';
import { ndjsonSink } from './ndjsonSink.js';
import type { Sink } from './Sink.js';
import { slackSink } from './slackSink.js';
import { stdoutSink } from './stdoutSink.js';
import { webhookSink } from './webhookSink.js';

export class SinkSpecError extends AgentpulseError {
  constructor(spec: string, why: string) {
    super('BAD_SINK', `sink "${spec}": ${why}; use stdout, ndjson:FILE, webhook:URL, slack:URL or alertmanager:URL`);
  }
}

/**
 * Builds a sink from `kind[:target]`.
 * @example parseSinkSpec('alertmanager:http://127.0.0.1:9093')
 */
export function parseSinkSpec(spec: string): Sink {
  const i = spec.indexOf(':');
  const kind = (i < 0 ? spec : spec.slice(0, i)).trim();
  const target = i < 0 ? '' : spec.slice(i + 1).trim();
  const needUrl = (): string => {
    try {
      const u = new URL(target);
      if (u.protocol !== 'http:' && u.protocol !== 'https:') throw new Error('not http');
      return target;
    } catch {
      throw new SinkSpecError(spec, 'needs an http(s) URL');
    }
  };
  switch (kind) {
    case 'stdout':
      return stdoutSink();
    case 'ndjson':
      if (!target) throw new SinkSpecError(spec, 'needs a file path');
      return ndjsonSink(target);
    case 'webhook':
      return webhookSink(needUrl());
    case 'slack':
      return slackSink(needUrl());
    case 'alertmanager':
      return alertmanagerSink(needUrl());
    default:
      throw new SinkSpecError(spec, `unknown kind "${kind}"`);
  }
}
