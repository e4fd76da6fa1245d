/**
 * What each fast path loads, pinned without timing it (bench/cli.bench.ts and bench/hook.bench.ts
 * time it): the static import graph of an entry point, followed through the source, may reach
 * only the packages listed. A heavy import added at the top of a module on one of these paths
 * fails here; commands load their heavy modules with `await import(…)` when they run.
 */
import { readFileSync } from 'node:fs';
import { dirname, join, normalize } from 'node:path';
import { describe, expect, it } from 'vitest';
import { repoRoot } from './build.js';

/** Packages (not node: built-ins) reachable from `entry` through static imports, and the files on the way. */
function staticPackages(entry: string): { packages: Set<string>; files: Set<string> } {
  const files = new Set<string>();
  const packages = new Set<string>();
  const visit = (file: string): void => {
    if (files.has(file)) return;
    files.add(file);
    const src = readFileSync(join(repoRoot, file), 'utf8');
    for (const m of src.matchAll(/(?:^|\n)\s*(?:import|export)\s(?!type\s)[^;]*?from\s+'([^']+)'|(?:^|\n)import\s+'([^']+)'/g)) {
      const spec = m[1] ?? m[2]!;
      if (spec.startsWith('.')) visit(normalize(join(dirname(file), spec.replace(/\.js$/, '.ts'))));
      else if (!spec.startsWith('node:')) packages.add(spec);
    }
  };
  visit(entry);
  return { packages, files };
}

describe('start-up paths load only what they need', () => {
  it('the hook (agentpulse-hook, agentpulse hook) loads no package at all', () => {
    expect([...staticPackages('cli/hookMain.ts').packages]).toEqual([]);
  });

  it('the CLI entry (--help, --version, the command list) loads commander alone', () => {
    expect([...staticPackages('cli/main.ts').packages]).toEqual(['commander']);
  });

  it.each([
    ['sql', ['commander', '@duckdb/node-api']],
    ['query', ['commander', '@duckdb/node-api']],
  ])('`%s` loads DuckDB and no server, dashboard, analyzer or ClickHouse client', (name, allowed) => {
    const { packages, files } = staticPackages(`cli/commands/${name}.ts`);
    expect([...packages].sort()).toEqual([...allowed].sort());
    expect([...files].filter((f) => /^(server|collector|dashboard|analyzer)\//.test(f) || f.includes('clickhouse/openTraceStore'))).toEqual([]);
  });
});
