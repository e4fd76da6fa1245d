import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { parseFrames } from '../../store/frameFormat.js';
import { GroupCommitAppender, segmentPath, type Segment } from './GroupCommitAppender.js';

const dirs: string[] = [];
afterEach(() => {
  vi.restoreAllMocks();
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function setup(maxFileBytes = 1 << 20) {
  const dir = mkdtempSync(join(tmpdir(), 'ap-gca-'));
  dirs.push(dir);
  const sealed: Segment[] = [];
  const failed: number[] = [];
  const appender = new GroupCommitAppender<Segment>({
    dir,
    maxFileBytes,
    what: 'the test log',
    newSegment: (seq) => ({ seq, size: 0, frames: 0 }),
    onSealed: async (s) => void sealed.push(s),
    onFailed: (bytes) => void failed.push(bytes),
  });
  const payloads = (seq: number) => parseFrames(readFileSync(segmentPath(dir, seq))).frames.map((f) => f.payload.toString());
  return { dir, appender, sealed, failed, payloads };
}

/** The FileHandle prototype, to fake what the disk does. */
async function fileHandleProto(dir: string) {
  const probe = await open(join(dir, 'probe'), 'w');
  const proto = Object.getPrototypeOf(probe) as {
    writev: (this: unknown, bufs: Buffer[]) => Promise<{ bytesWritten: number }>;
    datasync: (this: unknown) => Promise<void>;
  };
  await probe.close();
  rmSync(join(dir, 'probe'));
  return proto;
}

describe('GroupCommitAppender', () => {
  it('writes appends that arrive together with one fdatasync, and resolves each once it is on disk', async () => {
    const { dir, appender, payloads } = setup();
    const proto = await fileHandleProto(dir);
    const syncs = vi.spyOn(proto, 'datasync');
    await appender.append(1, Buffer.from('first'));
    const n = syncs.mock.calls.length;
    const segs = await Promise.all(['a', 'b', 'c', 'd'].map((p) => appender.append(1, Buffer.from(p))));
    // The first append of the burst starts a write; the other three share the next one.
    expect(syncs.mock.calls.length - n).toBeLessThanOrEqual(2);
    expect(new Set(segs.map((s) => s.seq)).size).toBe(1);
    expect(segs[0]).toMatchObject({ frames: 5 });
    expect(payloads(segs[0]!.seq)).toEqual(['first', 'a', 'b', 'c', 'd']);
    await appender.close();
  });

  it('rolls over to a new segment once one reaches maxFileBytes', async () => {
    const { appender, sealed } = setup(50);
    const a = await appender.append(1, Buffer.alloc(60));
    const b = await appender.append(1, Buffer.from('x'));
    expect(b.seq).toBeGreaterThan(a.seq);
    expect(sealed.map((s) => s.seq)).toEqual([a.seq]);
    expect(appender.active).toBe(b);
    await appender.close();
  });

  it('rejects a group cut short by a full disk, cuts the file back to its acknowledged frames and appends later frames to a new file', async () => {
    const { dir, appender, sealed, failed, payloads } = setup();
    const proto = await fileHandleProto(dir);
    const first = await appender.append(1, Buffer.from('one'));
    const real = proto.writev;
    vi.spyOn(proto, 'writev').mockImplementationOnce(function (this: unknown, bufs: Buffer[]) {
      const all = Buffer.concat(bufs);
      return real.call(this, [all.subarray(0, Math.floor(all.length / 2))]);
    });
    await expect(appender.append(2, Buffer.from('torn'.repeat(20)))).rejects.toThrow(/short write to the test log/);
    expect(failed).toHaveLength(1);
    expect(sealed.map((s) => s.seq)).toEqual([first.seq]);
    const next = await appender.append(3, Buffer.from('three'));
    expect(next.seq).not.toBe(first.seq);
    expect(payloads(first.seq)).toEqual(['one']);
    expect(parseFrames(readFileSync(segmentPath(dir, first.seq))).tornBytes).toBe(0);
    expect(payloads(next.seq)).toEqual(['three']);
    await appender.close();
  });

  it('does not acknowledge a group whose fdatasync failed', async () => {
    const { dir, appender, payloads } = setup();
    const proto = await fileHandleProto(dir);
    const first = await appender.append(1, Buffer.from('one'));
    vi.spyOn(proto, 'datasync').mockRejectedValueOnce(Object.assign(new Error('EIO: i/o error, fdatasync'), { code: 'EIO' }));
    await expect(appender.append(2, Buffer.from('two'))).rejects.toThrow(/EIO/);
    expect(appender.active).toBeNull();
    expect(payloads(first.seq)).toEqual(['one']);
    await appender.close();
  });

  it('seals after the group in flight, so the sealed file holds whole acknowledged frames', async () => {
    const { appender, sealed } = setup();
    const appended = appender.append(1, Buffer.from('in flight'));
    await appender.sealAfterGroup();
    const seg = await appended;
    expect(sealed).toEqual([seg]);
    expect(seg.frames).toBe(1);
    expect(appender.active).toBeNull();
  });

  it('closes the active segment without sealing it: its frames stay on disk for the next start', async () => {
    const { dir, appender, sealed } = setup();
    await appender.append(1, Buffer.from('kept'));
    await appender.close();
    expect(sealed).toEqual([]);
    expect(readdirSync(dir)).toHaveLength(1);
  });
});
