import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { advertiseLockHolder, lockHolderPath, readLockHolder } from './lockHolder.js';

const dirs: string[] = [];
const tempDb = (): string => {
  const d = mkdtempSync(join(tmpdir(), 'ap-lockholder-'));
  dirs.push(d);
  return join(d, 'a.duckdb');
};
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

/** A PID that belonged to a process which has exited. */
async function deadPid(): Promise<number> {
  const c = spawn(process.execPath, ['-e', '0']);
  await new Promise((resolve) => c.once('exit', resolve));
  return c.pid!;
}

describe('advertiseLockHolder', () => {
  it('writes the entry beside the file and removes only its own entry', () => {
    const db = tempDb();
    const withdraw = advertiseLockHolder(db, { url: 'http://127.0.0.1:4319', command: 'agentpulse dashboard' });
    expect(JSON.parse(readFileSync(lockHolderPath(db), 'utf8'))).toMatchObject({ pid: process.pid, url: 'http://127.0.0.1:4319', command: 'agentpulse dashboard', db });
    // This process never goes through itself.
    expect(readLockHolder(db)).toBeNull();
    withdraw();
    expect(existsSync(lockHolderPath(db))).toBe(false);

    const other = advertiseLockHolder(db, { url: 'http://127.0.0.1:1', command: 'x' });
    const successor = { pid: process.ppid, url: 'http://127.0.0.1:2', command: 'agentpulse collect', db, started_at: '' };
    writeFileSync(lockHolderPath(db), JSON.stringify(successor));
    other();
    expect(readLockHolder(db)).toMatchObject({ pid: process.ppid, url: 'http://127.0.0.1:2' });
  });
});

describe('readLockHolder', () => {
  it('drops an entry whose process is gone, and ignores one that names another host', async () => {
    const db = tempDb();
    writeFileSync(lockHolderPath(db), JSON.stringify({ pid: await deadPid(), url: 'http://127.0.0.1:4319', command: 'agentpulse dashboard' }));
    expect(readLockHolder(db)).toBeNull();
    expect(existsSync(lockHolderPath(db))).toBe(false);
    writeFileSync(lockHolderPath(db), JSON.stringify({ pid: process.ppid, url: 'http://203.0.113.7:4319', command: 'agentpulse dashboard' }));
    expect(readLockHolder(db)).toBeNull();
    writeFileSync(lockHolderPath(db), '{"pid": 1, "url": ');
    expect(readLockHolder(db)).toBeNull();
  });
});
