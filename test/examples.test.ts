import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DuckDbStore } from '../store/DuckDbStore.js';
import { ensureBuilt, repoRoot } from './build.js';

const run = promisify(execFile);
let dir: string;
beforeAll(() => {
  ensureBuilt();
  dir = mkdtempSync(join(tmpdir(), 'ap-example-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('examples/team-with-recovery', () => {
  it('runs under the preload and leaves a traced team with measured recoveries in the store', async () => {
    const db = join(dir, 'example.duckdb');
    const { stdout } = await run(process.execPath, ['--import', 'agentpulse/register', join(repoRoot, 'dist', 'examples', 'team-with-recovery.js')], {
      cwd: repoRoot,
      env: { ...process.env, AGENTPULSE_DB: db },
      timeout: 60_000,
    });
    expect(stdout).toMatch(/tasks succeeded/);
    const store = await DuckDbStore.open(db);
    try {
      const [{ tasks, teams, agents, recoveries }] = await store.query(
        `SELECT count(*) FILTER (WHERE operation = 'task') AS tasks, count(*) FILTER (WHERE operation = 'team') AS teams,
                count(DISTINCT agent_name) FILTER (WHERE operation = 'invoke_agent') AS agents,
                count(*) FILTER (WHERE recovery_outcome IS NOT NULL) AS recoveries FROM spans`,
      );
      expect(tasks).toBe(12);
      expect(teams).toBe(12);
      expect(Number(agents)).toBeGreaterThanOrEqual(3);
      expect(Number(recoveries)).toBeGreaterThan(0);
    } finally {
      await store.close();
    }
  }, 90_000);
});
