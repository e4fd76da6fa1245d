import { AgentpulseError } from '../errors.js';

/* What a `--store` spec is, without loading a backend: commands ask this before deciding what to load. */

export class StoreSpecError extends AgentpulseError {
  constructor(spec: string, why: string) {
    super('BAD_STORE', `cannot use store "${redact(spec)}": ${why}; expected clickhouse://[user[:password]@]host[:8123][/database], clickhouses://… (TLS), chdb:///dir or a DuckDB file path`);
  }
}

/** The spec without its password, for messages. */
export function redact(spec: string): string {
  return spec.replace(/(\/\/[^:/@]+:)[^@]*@/, '$1***@');
}

/** True for specs that select the ClickHouse backend (server or embedded). */
export function isClickHouseSpec(spec: string | undefined): boolean {
  return !!spec && /^(clickhouses?|chdb):/i.test(spec);
}
