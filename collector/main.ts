/**
 * Minimal process entry for running a collector outside the CLI (tests, supervisors):
 *   node dist/collector/main.js --db PATH [--host H] [--port N] [--options JSON]
 * Prints one JSON line `{"url", "port", "pid"}` on stdout once listening; SIGTERM/SIGINT
 * close it cleanly. The CLI's `agentpulse collect` is the user-facing way in.
 */
import { parseArgs } from 'node:util';
import { openStore } from '../store/index.js';
import { startCollector } from './startCollector.js';
import type { CollectorSettings } from './options.js';

const { values } = parseArgs({
  options: {
    db: { type: 'string', default: 'agentpulse.duckdb' },
    host: { type: 'string' },
    port: { type: 'string' },
    options: { type: 'string' },
  },
});

const extra = values.options ? (JSON.parse(values.options) as Partial<CollectorSettings>) : {};
const store = await openStore(values.db!);
const collector = await startCollector({
  store,
  spoolDir: `${values.db}.spool`,
  ...extra,
  ...(values.host ? { host: values.host } : {}),
  ...(values.port ? { port: Number(values.port) } : {}),
});
process.stdout.write(`${JSON.stringify({ url: collector.url, port: collector.port, pid: process.pid })}\n`);

let stopping = false;
const stop = async (): Promise<void> => {
  if (stopping) return;
  stopping = true;
  await collector.close();
  await store.close();
  process.exit(0);
};
process.on('SIGTERM', () => void stop());
process.on('SIGINT', () => void stop());
