import { describe, expect, it } from 'vitest';
import { appendFileSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { openStore } from '../store/index.js';
import { writeSpoolSegment } from '../store/spool.js';
import { encodeFrame, parseFrames } from '../store/frameFormat.js';
import { repoRoot } from './build.js';
import { childCollectorFixture, freshBatch, post, protoTemplate, spawnCollector, stopChild, type ChildCollector } from './collectorHelpers.js';
import { makeSpan } from './spanFactory.js';

const fx = childCollectorFixture('ap-collector-quarantine-');
const { children } = fx;

async function storedIds(db: string): Promise<Set<string>> {
  const store = await openStore(db, { readOnly: true });
  try {
    const rows = await store.query('SELECT span_id FROM spans');
    return new Set(rows.map((r) => r.span_id as string));
  } finally {
    await store.close();
  }
}

interface Health {
  status: string;
  spoolBytes: number;
  queueSpans: number;
  spoolDamage?: { quarantined: number; framesSkipped: number; bytesSkipped: number; last: { path: string; movedTo: string | null; reason: string } };
}

/** Waits (bounded) until the start-up replay has emptied the spool; returns the last /healthz body. */
async function replayed(c: ChildCollector): Promise<Health> {
  const until = Date.now() + 30_000;
  for (;;) {
    const h = (await (await fetch(`${c.url}/healthz`)).json()) as Health;
    if ((h.spoolBytes === 0 && h.queueSpans === 0) || Date.now() > until) return h;
    await new Promise((res) => setTimeout(res, 50));
  }
}

describe('collector spool quarantine', () => {
  it('replays every intact write-ahead log frame after a flipped byte, quarantines the file and reports the loss', async () => {
    const db = join(fx.dir, 'flip.duckdb');
    // Nothing commits before the kill: every acknowledged span is only in the write-ahead log.
    const first = await spawnCollector(db, { commitSpans: 10_000_000, maxCommitDelayMs: 600_000 });
    children.push(first);
    const template = protoTemplate(64);
    const batches: { body: Buffer; ids: string[] }[] = [];
    for (let seq = 0; seq < 50; seq++) {
      const b = freshBatch(template, seq);
      const r = await post(`${first.url}/v1/traces`, b.body, { 'content-type': 'application/x-protobuf' });
      expect(r.status).toBe(200);
      batches.push(b);
    }
    first.child.kill('SIGKILL');
    await new Promise((res) => first.child.once('exit', res));

    const live = join(`${db}.spool`, 'live');
    const [walName, ...more] = readdirSync(live);
    expect(more).toEqual([]);
    const walPath = join(live, walName!);
    const bytes = readFileSync(walPath);
    const frames = parseFrames(bytes).frames;
    expect(frames).toHaveLength(50);
    // Flip one byte in the middle of frame 20's payload.
    const victim = frames[20]!;
    const offset = victim.payload.byteOffset - bytes.byteOffset + (victim.payload.length >> 1);
    const lost = batches.find((b) => b.body.equals(victim.payload))!;
    bytes[offset]! ^= 0x01;
    writeFileSync(walPath, bytes);

    const second = await spawnCollector(db);
    children.push(second);
    const h = await replayed(second);
    const metrics = await (await fetch(`${second.url}/metrics`)).text();
    await stopChild(second.child);

    const stored = await storedIds(db);
    const acked = batches.flatMap((b) => b.ids);
    const missing = acked.filter((id) => !stored.has(id));
    // Exactly the damaged frame's spans are missing; the 29 intact frames after it were replayed.
    expect(missing.sort()).toEqual([...lost.ids].sort());
    expect(h.spoolDamage).toMatchObject({ quarantined: 1, framesSkipped: 1 });
    expect(h.spoolDamage!.bytesSkipped).toBeGreaterThan(0);
    expect(metrics).toMatch(/^agentpulse_collector_spool_quarantined_total 1$/m);
    expect(metrics).toMatch(/^agentpulse_collector_spool_frames_skipped_total 1$/m);
    // The evidence is kept, byte for byte, in quarantine/.
    const q = readdirSync(join(`${db}.spool`, 'quarantine'));
    expect(q).toHaveLength(1);
    expect(readFileSync(join(`${db}.spool`, 'quarantine', q[0]!)).equals(bytes)).toBe(true);
    expect(second.stderr.join('')).toMatch(/1 frame\(s\), \d+ bytes could not be read and were not replayed; moved to .*quarantine/);
  });

  it('keeps a torn tail benign: no quarantine, every acknowledged frame replayed', async () => {
    const db = join(fx.dir, 'torn.duckdb');
    const spoolDir = `${db}.spool`;
    mkdirSync(spoolDir, { recursive: true });
    const { body, ids } = freshBatch(protoTemplate(16), 7);
    const file = join(spoolDir, 'collector-wal-000000000000.bin');
    writeFileSync(file, encodeFrame(1, body));
    // A crash mid-append: the header of a frame whose payload never reached the disk.
    appendFileSync(file, encodeFrame(1, body).subarray(0, 40));
    const c = await spawnCollector(db);
    children.push(c);
    const h = await replayed(c);
    await stopChild(c.child);
    expect(h.spoolDamage).toBeUndefined();
    expect(readdirSync(spoolDir)).not.toContain('quarantine');
    const stored = await storedIds(db);
    expect(ids.filter((id) => !stored.has(id))).toEqual([]);
  });

  it('starts despite a directory named like a spool file, quarantines it and replays the rest', async () => {
    const db = join(fx.dir, 'eisdir.duckdb');
    const spoolDir = `${db}.spool`;
    mkdirSync(join(spoolDir, 'collector-wal-000000000000.bin'), { recursive: true });
    // A FIFO would block a read forever; in the write-ahead log's folder it is adopted into the spool first.
    mkdirSync(join(spoolDir, 'live'));
    expect(spawnSync('mkfifo', [join(spoolDir, 'live', 'collector-wal-000000000007.bin')]).status).toBe(0);
    const { body, ids } = freshBatch(protoTemplate(16), 1);
    writeFileSync(join(spoolDir, 'collector-wal-000000000001.bin'), encodeFrame(1, body));
    const c = await spawnCollector(db);
    children.push(c);
    const h = await replayed(c);
    // Still serving after the replay met the bad entry.
    const again = freshBatch(protoTemplate(16), 2);
    expect((await post(`${c.url}/v1/traces`, again.body, { 'content-type': 'application/x-protobuf' })).status).toBe(200);
    const metrics = await (await fetch(`${c.url}/metrics`)).text();
    // `agentpulse health` through the collector warns about the damage, with where the evidence is.
    const health = spawnSync(process.execPath, [join(repoRoot, 'bin', 'agentpulse.js'), '--url', c.url, '--json', 'health'], { encoding: 'utf8', timeout: 60_000 });
    await stopChild(c.child);
    expect(c.child.exitCode).toBe(0);
    expect(health.stdout, `health exited ${health.status} (${String(health.error ?? '')}): ${health.stderr}`).toMatch(/^\{/);
    const collectorCheck = (JSON.parse(health.stdout) as { checks: { name: string; status: string; detail: string }[] }).checks.find((x) => x.name === 'collector');
    expect(collectorCheck).toMatchObject({ status: 'warn' });
    expect(collectorCheck!.detail).toMatch(/spool met damaged data: 0 frames \(0 B\) skipped, 2 files quarantined .*quarantine/);
    expect(h.spoolDamage).toMatchObject({ quarantined: 2, framesSkipped: 0 });
    expect(h.spoolDamage!.last.reason).toMatch(/not a regular file/);
    expect(metrics).toMatch(/^agentpulse_collector_spool_quarantined_total 2$/m);
    expect(readdirSync(join(spoolDir, 'quarantine'))).toHaveLength(2);
    expect(readdirSync(spoolDir)).not.toContain('collector-wal-000000000000.bin');
    const stored = await storedIds(db);
    expect([...ids, ...again.ids].filter((id) => !stored.has(id))).toEqual([]);
  });

  it("starts despite an unreadable entry in the embedded store's spool, and ingests the other segments", async () => {
    const db = join(fx.dir, 'ndjson.duckdb');
    const spoolDir = `${db}.spool`;
    mkdirSync(join(spoolDir, '0-0-0.ndjson'), { recursive: true });
    expect(spawnSync('mkfifo', [join(spoolDir, '0-0-1.ndjson')]).status).toBe(0);
    const spans = [makeSpan(), makeSpan()];
    writeSpoolSegment(spoolDir, spans);
    // A damaged line in the middle of another segment: the readable lines go in, the segment is kept as evidence.
    const damaged = writeSpoolSegment(spoolDir, [makeSpan()]);
    const good = makeSpan();
    appendFileSync(damaged, `{"traceId": "broken\n${JSON.stringify({ ...good, startNs: good.startNs.toString(), endNs: good.endNs.toString() })}\n`);
    const c = await spawnCollector(db);
    children.push(c);
    await replayed(c);
    await stopChild(c.child);
    expect(c.child.exitCode).toBe(0);
    expect(c.stderr.join('')).toMatch(/0-0-0\.ndjson: unreadable .*moved to .*quarantine/);
    expect(c.stderr.join('')).toMatch(/1 damaged line\(s\) skipped, 2 span\(s\) ingested; moved to/);
    expect(c.stderr.join('')).toMatch(/0-0-1\.ndjson: unreadable .*moved to .*quarantine/);
    expect(readdirSync(join(spoolDir, 'quarantine'))).toHaveLength(3);
    const stored = await storedIds(db);
    expect([...spans, good].map((s) => s.spanId).filter((id) => !stored.has(id))).toEqual([]);
  });
});
