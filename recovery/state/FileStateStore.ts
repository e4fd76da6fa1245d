import { mkdir, open, readFile, rename } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { StateStore } from './StateStore.js';

/**
 * Whole-state JSON file. Every write goes to a temp file that is fsync'd and renamed over
 * the target, so a crash leaves either the old or the new file, never a torn one. Writes are
 * serialised through one promise chain; meant for small state (breakers, checkpoints), not logs.
 *
 * @example
 * const store = new FileStateStore('.agentpulse/recovery-state.json');
 */
export class FileStateStore implements StateStore {
  #data: Map<string, unknown> | undefined;
  #loading: Promise<Map<string, unknown>> | undefined;
  #chain: Promise<void> = Promise.resolve();
  #seq = 0;

  constructor(readonly path: string) {}

  async get(key: string): Promise<unknown | undefined> {
    const data = await this.#load();
    const value = data.get(key);
    return value === undefined ? undefined : structuredClone(value);
  }

  async set(key: string, value: unknown): Promise<void> {
    const copy: unknown = JSON.parse(JSON.stringify(value));
    await this.#mutate((data) => data.set(key, copy));
  }

  async delete(key: string): Promise<void> {
    await this.#mutate((data) => data.delete(key));
  }

  #mutate(change: (data: Map<string, unknown>) => void): Promise<void> {
    const run = this.#chain.then(async () => {
      const data = await this.#load();
      change(data);
      await this.#persist(data);
    });
    // Keep the chain alive after a failed write; the failure still reaches this caller.
    this.#chain = run.catch(() => undefined);
    return run;
  }

  async #persist(data: Map<string, unknown>): Promise<void> {
    await mkdir(dirname(this.path), { recursive: true });
    const tmp = `${this.path}.${process.pid}.${++this.#seq}.tmp`;
    const body = JSON.stringify({ version: 1, entries: Object.fromEntries(data) });
    const handle = await open(tmp, 'w');
    try {
      await handle.writeFile(body, 'utf8');
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(tmp, this.path);
  }

  #load(): Promise<Map<string, unknown>> {
    if (this.#data) return Promise.resolve(this.#data);
    this.#loading ??= (async () => {
      let entries: Record<string, unknown> = {};
      try {
        const parsed = JSON.parse(await readFile(this.path, 'utf8')) as { entries?: Record<string, unknown> };
        entries = parsed.entries ?? {};
      } catch (err) {
        if (!isEnoent(err)) throw err;
      }
      this.#data = new Map(Object.entries(entries));
      return this.#data;
    })();
    return this.#loading;
  }
}

function isEnoent(err: unknown): boolean {
  return typeof err === 'object' && err !== null && (err as { code?: unknown }).code === 'ENOENT';
}
