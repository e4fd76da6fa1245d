/**
 * The layout rules of docs/architecture.md, checked on the source tree: no import cycles, no
 * library file over 400 lines, collector/ reached only through the composition root (server/),
 * and no test or bench fixtures in the shipped folders.
 */
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, normalize, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ensureBuilt, repoRoot } from './build.js';

/** Folders that ship in the package (docs/architecture.md, "Layout"). */
const LIBRARY = ['instrumentation', 'recovery', 'store', 'http', 'collector', 'server', 'analyzer', 'dashboard', 'cli'];
const MAX_LINES = 400;

function sources(dir: string, out: string[] = []): string[] {
  for (const e of readdirSync(join(repoRoot, dir), { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) {
      if (e.name !== 'static' && e.name !== 'node_modules') sources(p, out);
    } else if (e.name.endsWith('.ts') && !e.name.endsWith('.test.ts') && !e.name.endsWith('.d.ts')) out.push(p);
  }
  return out;
}

const files = LIBRARY.flatMap((d) => sources(d));
const text = new Map(files.map((f) => [f, readFileSync(join(repoRoot, f), 'utf8')]));

/** Relative imports of a file, type-only ones included (they still tie the modules' designs together). */
function importsOf(file: string): string[] {
  const out: string[] = [];
  for (const m of text.get(file)!.matchAll(/(?:^|\n)\s*(?:import|export)\s[^;]*?from\s+'(\.[^']+)'/g)) {
    out.push(normalize(join(dirname(file), m[1]!.replace(/\.js$/, '.ts'))));
  }
  return out.filter((f) => text.has(f));
}

describe('the layout', () => {
  it('has no import cycles', () => {
    const graph = new Map(files.map((f) => [f, importsOf(f)]));
    const cycles: string[] = [];
    const state = new Map<string, 'open' | 'done'>();
    const stack: string[] = [];
    const visit = (f: string): void => {
      state.set(f, 'open');
      stack.push(f);
      for (const g of graph.get(f)!) {
        if (state.get(g) === 'open') cycles.push([...stack.slice(stack.indexOf(g)), g].join(' -> '));
        else if (!state.has(g)) visit(g);
      }
      stack.pop();
      state.set(f, 'done');
    };
    for (const f of [...files].sort()) if (!state.has(f)) visit(f);
    expect(cycles).toEqual([]);
  });

  it(`has no library file over ${MAX_LINES} lines (the dashboard's page scripts included)`, () => {
    const page = readdirSync(join(repoRoot, 'dashboard', 'static')).filter((f) => f.endsWith('.js')).map((f) => join('dashboard', 'static', f));
    const lines = (f: string): number => readFileSync(join(repoRoot, f), 'utf8').split('\n').length - 1;
    const long = [...files, ...page].map((f) => ({ f, n: lines(f) })).filter((x) => x.n > MAX_LINES);
    expect(long).toEqual([]);
  });

  it('reaches collector/ only from the composition root (server/)', () => {
    const leaks = files
      .filter((f) => !f.startsWith('collector/') && !f.startsWith('server/'))
      .flatMap((f) => importsOf(f).filter((g) => g.startsWith('collector/')).map((g) => `${f} -> ${g}`));
    expect(leaks).toEqual([]);
  });

  it('ships no test or bench fixtures', () => {
    const fixtures = files.filter((f) => /(synthetic|simulator|fixture|inlineParams|jsonSchemaCheck)/i.test(relative('.', f)));
    expect(fixtures).toEqual([]);
  });

  it('keeps the compiled tests and benches out of the npm package', () => {
    ensureBuilt();
    const packed = JSON.parse(execFileSync('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], { cwd: repoRoot, encoding: 'utf8' })) as { files: { path: string }[] }[];
    const paths = packed[0]!.files.map((f) => f.path);
    expect(paths.filter((p) => /^dist\/(test|bench)\//.test(p))).toEqual([]);
    expect(paths).toContain('dist/server/startServer.js');
    expect(paths).toContain('dist/http/CollectorClient.js');
  }, 60_000);
});
