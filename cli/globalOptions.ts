import type { Command } from 'commander';

export interface GlobalOptions {
  db: string;
  url?: string;
  /** Scale-out backend, e.g. clickhouse://host:8123/db (or $AGENTPULSE_STORE); see cli/source.ts. */
  store?: string;
  json?: boolean;
  debug?: boolean;
}

/** Options every command shares, read from the root program. */
export function globalOptions(cmd: Command): GlobalOptions {
  let root = cmd;
  while (root.parent) root = root.parent;
  const o = root.opts() as Partial<GlobalOptions>;
  return { db: o.db ?? process.env.AGENTPULSE_DB ?? 'agentpulse.duckdb', url: o.url ?? undefined, store: o.store ?? process.env.AGENTPULSE_STORE, json: o.json, debug: o.debug };
}

/** Prints to stdout with a trailing newline. */
export function print(text: string): void {
  process.stdout.write(text.endsWith('\n') ? text : text + '\n');
}
