import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { Spool } from './Spool.js';
import { WriteAheadLog } from './WriteAheadLog.js';

const dirs: string[] = [];
function tempDir(): string {
  const d = mkdtempSync(join(tmpdir(), 'ap-wal-'));
  dirs.push(d);
  return d;
}
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

describe('WriteAheadLog', () => {
  it('deletes a file only once it is complete and every frame in it was committed', async () => {
    const dir = tempDir();
    const wal = await WriteAheadLog.open({ dir, maxFileBytes: 100 });
    const a = await wal.append(1, Buffer.alloc(120, 1)); // fills file a, which rolls over
    const b = await wal.append(1, Buffer.alloc(10, 2));
    expect(b).toBeGreaterThan(a);
    expect(readdirSync(dir)).toHaveLength(2);
    await wal.markCommitted(b);
    expect(readdirSync(dir)).toHaveLength(2); // b is still the active file
    await wal.markCommitted(a);
    expect(readdirSync(dir)).toHaveLength(1);
    await wal.close(); // b complete and committed
    expect(readdirSync(dir)).toHaveLength(0);
  });

  it('hands uncommitted files to the spool, which replays their frames; leftovers are adopted at start', async () => {
    const root = tempDir();
    const spool = await Spool.open({ dir: root, maxBytes: 1 << 20 });
    const wal = await WriteAheadLog.open({ dir: join(root, 'live') });
    await wal.append(1, Buffer.from('one'));
    await wal.append(2, Buffer.from('two'));
    await spool.adopt(await wal.handOver());
    await wal.append(1, Buffer.from('three'));
    await wal.close(); // 'three' is not committed: stays for the next start
    await expect(WriteAheadLog.open({ dir: join(root, 'live') })).rejects.toThrow(/adopt them first/);
    await spool.adopt(await WriteAheadLog.leftovers(join(root, 'live')));
    const payloads: string[] = [];
    for (let f = await spool.takeOldest(); f; f = await spool.takeOldest()) {
      payloads.push(...f.frames.map((fr) => `${fr.kind}:${fr.payload.toString()}`));
      await spool.release(f.seq);
    }
    expect(payloads).toEqual(['1:one', '2:two', '1:three']);
    expect(spool.sizeBytes).toBe(0);
    await spool.close();
  });
});
