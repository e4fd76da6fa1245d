import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { ensureBuilt } from './build.js';
import { cli, ROOT } from './dashboardHelpers.js';

beforeAll(() => ensureBuilt(), 180_000);

describe('agentpulse --version', () => {
  it('prints the package version and exits 0, as does -V', () => {
    const { version } = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string };
    for (const flag of ['--version', '-V']) {
      const r = cli([flag]);
      expect(r.status, r.stderr).toBe(0);
      expect(r.stdout).toBe(`${version}\n`);
      expect(r.stderr).toBe('');
    }
    expect(cli(['--help']).stdout).toMatch(/-V, --version\s+print the agentpulse version/);
  });
});
