import { AgentpulseError } from '../store/errors.js';

const LOOPBACK = new Set(['127.0.0.1', '::1', 'localhost', '::ffff:127.0.0.1']);

/** True for names and addresses that only this machine can reach (127.0.0.0/8, ::1, localhost). */
export function isLoopbackHost(host: string): boolean {
  return LOOPBACK.has(host) || /^127\.\d+\.\d+\.\d+$/.test(host);
}

/** A comma-separated env var as a list (blank entries dropped). */
export function listFromEnv(value: string | undefined): string[] {
  return (value ?? '').split(',').map((v) => v.trim()).filter(Boolean);
}

/** A server (collector or dashboard) refused to start: unsafe or invalid options. */
export class ServerConfigError extends AgentpulseError {
  constructor(message: string) {
    super('COLLECTOR_CONFIG', message);
  }
}
