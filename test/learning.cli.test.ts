import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Command } from 'commander';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { openStore } from '../store/index.js';
import { defaultWorld, simulate } from './fixtures/simulator.js';
import { patternsCommand } from '../cli/commands/patterns.js';
import { suggestTeamCommand } from '../cli/commands/suggestTeam.js';
import { feedbackCommand } from '../cli/commands/feedback.js';

let dir = '';
let db = '';
let trace = '';

async function cli(...args: string[]): Promise<string> {
  const out: string[] = [];
  const spy = vi.spyOn(process.stdout, 'write').mockImplementation((s: string | Uint8Array) => (out.push(String(s)), true));
  const program = new Command('agentpulse').option('--db <path>').option('--json').exitOverride();
  for (const c of [patternsCommand, suggestTeamCommand, feedbackCommand]) program.addCommand(c);
  try {
    await program.parseAsync(['node', 'agentpulse', '--db', db, ...args]);
  } finally {
    spy.mockRestore();
  }
  return out.join('');
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'ap-learning-cli-'));
  db = join(dir, 'a.duckdb');
  const store = await openStore(db);
  const sim = simulate(defaultWorld(), { seed: 81, count: 1500 });
  await store.writeBatch(sim.spans);
  trace = sim.tasks[0].traceId;
  await store.close();
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('learning CLI', () => {
  it('refreshes, lists, reviews, promotes one bounded step, refuses an antipattern and demotes', async () => {
    expect(await cli('patterns', 'refresh')).toMatch(/counted 1500 new tasks/);
    const rows = JSON.parse(await cli('--json', 'patterns', 'list', '--rows', '--kind', 'antipattern', '--task-type', 'bugfix')) as { id: string }[];
    expect(rows.length).toBeGreaterThan(0);
    const found = JSON.parse(await cli('--json', 'patterns', '--kind', 'antipattern', '--task-type', 'bugfix')) as { tested: number; findings: { kind: string; patternIds: string[]; aliases: unknown[] }[] };
    expect(found.findings.length).toBeGreaterThan(0);
    expect(found.findings.length).toBeLessThan(rows.length);
    expect(found.tested).toBeGreaterThan(rows.length);
    const anti = found.findings.filter((f) => f.kind === 'antipattern').map((f) => ({ id: f.patternIds[0] }));
    const text = await cli('patterns');
    expect(text).toMatch(/findings? from \d+ significant of \d+ tested rows over 1500 runs/);
    expect(text).toMatch(/ANTIPATTERN pair:coder\+tester/);
    expect(text).toMatch(/↳ only inside its runs: .*team:coder\+planner\+tester/);
    await cli('patterns', 'set-default', 'bugfix', 'coder', '--reason', 'start', '--actor', 'ops');
    const review = JSON.parse(await cli('--json', 'patterns', 'review', '--task-type', 'bugfix')) as { items: { pattern: { id: string }; eligibility: { eligible: boolean } }[] };
    const best = review.items.find((i) => i.eligibility.eligible)!;
    expect(await cli('patterns', 'promote', best.pattern.id, '--reason', 'looks better', '--actor', 'alice')).toMatch(/now gets 25.0% of bugfix tasks/);
    await expect(cli('patterns', 'promote', anti[0].id, '--reason', 'x')).rejects.toMatchObject({ exitCode: 2, message: expect.stringMatching(/antipattern/) });
    expect(await cli('patterns', 'demote', 'bugfix', '--reason', 'undo', '--actor', 'bob')).toMatch(/default restored to coder/);
    const s = JSON.parse(await cli('--json', 'suggest-team', '--task-type', 'bugfix', '--seed', '1')) as { team: string; mode: string; evidence: unknown[] };
    expect(s).toMatchObject({ team: 'coder', mode: 'policy' });
    expect(s.evidence.length).toBeGreaterThan(2);
    expect(await cli('feedback', trace, '--label', 'bad')).toMatch(/outcome: failure/);
  });
});
