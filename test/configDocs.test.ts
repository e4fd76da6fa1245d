/**
 * docs/configuration.md is the reference for every command's flags and every environment variable:
 * this fails when a command, a flag or a variable the code reads is missing there.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Option } from 'commander';
import { describe, expect, it } from 'vitest';
import { loadAllCommands } from '../cli/commands/index.js';

const commands = await loadAllCommands();
import { repoRoot } from './build.js';

const doc = readFileSync(join(repoRoot, 'docs', 'configuration.md'), 'utf8');

/** The text of the `### \`agentpulse NAME\`` section (up to the next heading of that level). */
function section(name: string): string | undefined {
  const start = doc.indexOf(`### \`agentpulse ${name}\``);
  if (start < 0) return undefined;
  const next = doc.indexOf('\n### ', start + 1);
  return doc.slice(start, next < 0 ? undefined : next);
}

function sources(dir: string, out: string[] = []): string[] {
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    if (e.name === 'node_modules' || e.name === 'dist' || e.name === 'test' || e.name === 'bench' || e.name.startsWith('.')) continue;
    const p = join(dir, e.name);
    if (e.isDirectory()) sources(p, out);
    else if (e.name.endsWith('.ts') && !e.name.endsWith('.test.ts')) out.push(p);
  }
  return out;
}

describe('docs/configuration.md', () => {
  it('has a section for every command, listing every flag of the command and its subcommands', () => {
    const missing: string[] = [];
    for (const c of commands) {
      const text = section(c.name());
      if (!text) {
        missing.push(`agentpulse ${c.name()}: no section`);
        continue;
      }
      for (const cmd of [c, ...c.commands]) {
        for (const o of cmd.options as readonly Option[]) if (o.long && !text.includes(o.long)) missing.push(`agentpulse ${c.name()}${cmd === c ? '' : ` ${cmd.name()}`}: ${o.long}`);
      }
    }
    expect(missing).toEqual([]);
  });

  it('documents every AGENTPULSE_* environment variable the code reads', () => {
    const read = new Set<string>();
    for (const f of sources(repoRoot)) for (const m of readFileSync(f, 'utf8').matchAll(/\bAGENTPULSE_[A-Z0-9_]*[A-Z0-9]\b/g)) read.add(m[0]);
    const undocumented = [...read].filter((v) => !doc.includes(`\`${v}\``)).sort();
    expect(undocumented).toEqual([]);
  });
});
