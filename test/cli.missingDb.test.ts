import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureBuilt, repoRoot } from './build.js';

const dir = mkdtempSync(join(tmpdir(), 'ap-missing-db-'));
beforeAll(() => ensureBuilt());
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function cli(...args: string[]): { code: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [join(repoRoot, 'bin', 'agentpulse.js'), ...args], { cwd: dir, encoding: 'utf8', timeout: 60_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('writer commands on a mistyped --db', () => {
  for (const args of [['retention', '--keep', '30d'], ['ingest-spool']]) {
    it(`${args[0]} refuses instead of creating an empty database`, () => {
      const db = join(dir, `typo-${args[0]}.duckdb`);
      const r = cli('--db', db, ...args);
      expect(r.code).not.toBe(0);
      expect(r.stderr).toContain(`no agentpulse database at ${db}`);
      expect(r.stderr).not.toMatch(/\n\s+at /); // one line, no stack trace
      expect(existsSync(db)).toBe(false);
    });
  }
});
