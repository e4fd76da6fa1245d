import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DuckDbStore } from '../store/DuckDbStore.js';
import { ensureBuilt, repoRoot } from './build.js';

const dir = mkdtempSync(join(tmpdir(), 'ap-sql-write-'));
const db = join(dir, 'agents.duckdb');
beforeAll(async () => {
  ensureBuilt();
  const store = await DuckDbStore.open(db);
  await store.close();
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const cli = (...args: string[]) => spawnSync(process.execPath, [join(repoRoot, 'bin', 'agentpulse.js'), '--db', db, ...args], { cwd: dir, encoding: 'utf8', timeout: 60_000 });

describe('agentpulse sql on the file: read-only unless --write', () => {
  it('refuses COPY … TO, file readers and several statements, writing nothing', () => {
    const out = join(dir, 'leak.csv');
    for (const q of [`copy (select 1) to '${out}'`, `select * from read_csv('${join(dir, 'x.csv')}')`, 'select 1; select 2', 'create table t (x int)']) {
      const r = cli('sql', q);
      expect(r.status, q).toBe(1);
      expect(r.stderr, q).toMatch(/read-only.*--write/);
    }
    expect(existsSync(out)).toBe(false);
    expect(cli('sql', "select count(*) as n from information_schema.tables where table_name = 't'", '--json').stdout).toMatch(/"n":\s*0/);
  });

  it('refuses DuckDB settings and catalog views, and opens the file with file access off (defence in depth)', async () => {
    for (const q of ['select * from duckdb_settings()', 'select * from pg_catalog.pg_settings', 'select * from pragma_database_list']) {
      const r = cli('sql', q);
      expect(r.status, q).toBe(1);
      expect(r.stderr, q).toMatch(/not allowed/);
    }
    const store = await DuckDbStore.open(db, { readOnly: true, sandbox: true });
    try {
      await expect(store.query("select content from read_text('/etc/hostname')")).rejects.toThrow(/disabled by configuration/);
    } finally {
      await store.close();
    }
  });

  it('runs maintenance SQL with --write, and refuses --write through --url', () => {
    expect(cli('sql', '--write', 'create table t (x int)').status).toBe(0);
    expect(cli('sql', '--write', 'insert into t values (1), (2)').status).toBe(0);
    expect(cli('sql', 'select sum(x) as s from t', '--json').stdout).toMatch(/"s":\s*3/);
    const r = spawnSync(process.execPath, [join(repoRoot, 'bin', 'agentpulse.js'), '--url', 'http://127.0.0.1:9', 'sql', '--write', 'checkpoint'], { cwd: dir, encoding: 'utf8' });
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('--write runs on the database file itself');
  });
});
