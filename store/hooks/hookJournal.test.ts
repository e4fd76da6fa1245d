import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it, vi } from 'vitest';
import { openStore } from '../DuckDbStore.js';
import { decodeHookEntry, encodeHookEntry, keptHookEvent, parseHookEvent } from './hookEvent.js';
import { journalDirFor, listJournalEntries, readJournalEntry } from './hookJournal.js';
import { recordHookEvent } from './recordHook.js';

const ROOT = join(import.meta.dirname, '..', '..');
const tempDb = (): string => join(mkdtempSync(join(tmpdir(), 'ap-journal-')), 'a.duckdb');
const opts = { captureContent: false, contentMaxChars: 100 };
const event = (name: string, extra: Record<string, unknown> = {}): string => JSON.stringify({ hook_event_name: name, session_id: 's-1', ...extra });

async function names(db: string): Promise<string[]> {
  const store = await openStore(db);
  try {
    return (await store.query('SELECT name FROM spans ORDER BY start_ns, name')).map((r) => String(r.name));
  } finally {
    await store.close();
  }
}

describe('the hook journal', () => {
  it('holds one intact frame per entry and gives the entry back as it was kept', () => {
    const db = tempDb();
    const { path } = recordHookEvent(event('PreToolUse', { tool_name: 'Bash', tool_input: { command: 'ls' }, tool_use_id: 't1' }), { db, ...opts, nowNs: 123n });
    expect(listJournalEntries(journalDirFor(db))).toEqual([path]);
    const entry = decodeHookEntry(readJournalEntry(path));
    expect(entry.timeNs).toBe(123n);
    // Content is not kept without capture: the input leaves a hash to pair a permission request with.
    expect(entry.event).toEqual({ hook_event_name: 'PreToolUse', session_id: 's-1', tool_name: 'Bash', tool_use_id: 't1', tool_input_sha: expect.stringMatching(/^[0-9a-f]{16}$/) });
  });

  it('round-trips any event through the entry format', () => {
    fc.assert(
      fc.property(fc.dictionary(fc.string({ maxLength: 8 }), fc.jsonValue({ maxDepth: 2 })), fc.bigInt({ min: 0n, max: 2n ** 63n }), (extra, t) => {
        const e = parseHookEvent(event('Notification', extra));
        const kept = keptHookEvent(e, { captureContent: true, maxChars: 1_000_000 });
        const back = decodeHookEntry(encodeHookEntry({ timeNs: t, id: 'x', event: kept }));
        expect(back).toEqual({ timeNs: t, id: 'x', event: JSON.parse(JSON.stringify(kept)) });
      }),
    );
  });

  it('sets a damaged entry aside, says so once, and ingests the others', async () => {
    const db = tempDb();
    recordHookEvent(event('Notification', { message: 'first' }), { db, ...opts, nowNs: 1_000n });
    const second = recordHookEvent(event('Notification', { message: 'second' }), { db, ...opts, nowNs: 2_000n }).path;
    recordHookEvent(event('Notification', { message: 'third' }), { db, ...opts, nowNs: 3_000n });
    const bytes = readFileSync(second);
    bytes[bytes.length - 3] ^= 0xff; // a flipped bit inside the payload: the CRC no longer matches
    writeFileSync(second, bytes);
    const err = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
    try {
      expect(await names(db)).toEqual(['Notification', 'Notification']);
      const lines = err.mock.calls.map((c) => String(c[0])).filter((l) => l.includes('hook journal entry'));
      expect(lines).toHaveLength(1);
      expect(lines[0]).toMatch(/not one intact hook entry.*moved to .*corrupt/);
    } finally {
      err.mockRestore();
    }
    const dir = journalDirFor(db);
    expect(listJournalEntries(dir)).toEqual([]);
    expect(readdirSync(join(dir, 'corrupt'))).toHaveLength(1);
    // Opening again neither re-reports nor re-ingests anything.
    expect(await names(db)).toEqual(['Notification', 'Notification']);
  });

  it('an entry half-written by a crash (a temporary file) is never read', async () => {
    const db = tempDb();
    const dir = journalDirFor(db);
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, '.00000000000000000001-1-abc.hook.tmp'), 'APW1 torn');
    recordHookEvent(event('Notification'), { db, ...opts });
    expect(await names(db)).toEqual(['Notification']);
  });

  it('the hook answers a journal it cannot write with one line and exit 1, and keeps what was journalled', async () => {
    const db = tempDb();
    const ok = spawnSync(process.execPath, [join(ROOT, 'bin', 'agentpulse-hook.js'), '--db', db], { input: event('Notification') });
    expect(ok.status).toBe(0);
    // The journal folder replaced by a file: every write fails, as on a read-only or full disk.
    const blocked = `${db}-blocked`;
    writeFileSync(`${blocked}.hooks`, 'not a folder');
    const r = spawnSync(process.execPath, [join(ROOT, 'bin', 'agentpulse-hook.js'), '--db', blocked], { input: event('Notification') });
    expect(r.status).toBe(1);
    expect(r.stdout.toString()).toBe('');
    expect(r.stderr.toString().trim().split('\n')).toHaveLength(1);
    expect(r.stderr.toString()).toMatch(/agentpulse hook: could not journal the event: .*\(the tool call was not blocked\)/);
    expect(existsSync(blocked)).toBe(false);
    expect(await names(db)).toEqual(['Notification']);
  });
});
