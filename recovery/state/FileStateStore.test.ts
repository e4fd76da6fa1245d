import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FileStateStore } from './FileStateStore.js';
import { MemoryStateStore } from './MemoryStateStore.js';

describe('FileStateStore', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'agentpulse-state-'));
  });
  afterEach(() => rm(dir, { recursive: true, force: true }));

  it('persists values across instances and leaves no temp files', async () => {
    const path = join(dir, 'nested', 'state.json');
    const a = new FileStateStore(path);
    await Promise.all([a.set('k1', { n: 1 }), a.set('k2', [1, 2]), a.set('k3', 'x')]);
    await a.delete('k3');
    const b = new FileStateStore(path);
    expect(await b.get('k1')).toEqual({ n: 1 });
    expect(await b.get('k2')).toEqual([1, 2]);
    expect(await b.get('k3')).toBeUndefined();
    expect(await readdir(join(dir, 'nested'))).toEqual(['state.json']);
    expect(JSON.parse(await readFile(path, 'utf8')).version).toBe(1);
  });

  it('returns copies so callers cannot mutate stored state', async () => {
    for (const store of [new FileStateStore(join(dir, 's.json')), new MemoryStateStore()]) {
      const value = { n: 1 };
      await store.set('k', value);
      value.n = 2;
      const read = (await store.get('k')) as { n: number };
      read.n = 3;
      expect(await store.get('k')).toEqual({ n: 1 });
    }
  });
});
