import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { Spool } from './Spool.js';
import { WriteAheadLog } from './WriteAheadLog.js';

const dirs: string[] = [];
function tempDir(): string {
  const d = mkdtempSync(join(tmpdir(), 'ap-wal-'));
  dirs.push(d);
  return d;
}
afterEach(() => {
  vi.restoreAllMocks();
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

/** Makes the next `FileHandle.writev` write only part of its buffers and report the short count, as libuv does when the disk fills mid-write. */
async function shortWriteOnce(dir: string): Promise<void> {
  const probe = await open(join(dir, 'probe'), 'w');
  const proto = Object.getPrototypeOf(probe) as { writev: (this: unknown, bufs: Buffer[], pos?: number) => Promise<{ bytesWritten: number }> };
  await probe.close();
  rmSync(join(dir, 'probe'));
  const real = proto.writev;
  const spy = vi.spyOn(proto, 'writev').mockImplementationOnce(function (this: unknown, bufs: Buffer[]) {
    const all = Buffer.concat(bufs);
    return real.call(this, [all.subarray(0, Math.floor(all.length / 2))]);
  });
  void spy;
}

describe('write failures', () => {
  for (const kind of ['WriteAheadLog', 'Spool'] as const) {
    it(`${kind}: a short write is not acknowledged and does not hide frames appended after it`, async () => {
      const root = tempDir();
      const spool = await Spool.open({ dir: root, maxBytes: 1 << 20 });
      const wal = await WriteAheadLog.open({ dir: join(root, 'live') });
      const append = (k: number, p: string): Promise<unknown> => (kind === 'Spool' ? spool.append(k, Buffer.from(p)) : wal.append(k, Buffer.from(p)));
      await append(1, 'one');
      await shortWriteOnce(root);
      await expect(append(2, 'torn'.repeat(50))).rejects.toThrow(/short write/);
      await append(3, 'three');
      await spool.adopt(await wal.handOver());
      const payloads: string[] = [];
      for (let f = await spool.takeOldest(); f; f = await spool.takeOldest()) {
        payloads.push(...f.frames.map((fr) => `${fr.kind}:${fr.payload.toString()}`));
        expect(f.tornBytes).toBe(0);
        await spool.release(f.seq);
      }
      expect(payloads).toEqual(['1:one', '3:three']);
      await wal.close();
      await spool.close();
    });
  }
});
