/**
 * Runs every compiled benchmark (`dist/bench/*.bench.js`) in sequence, each in its own
 * Node process so one bench's threads, heap and DuckDB files cannot skew the next.
 *
 *   npm run build && node dist/bench/run.js [--quick] [name ...]
 *
 * `--quick` is passed to every bench (and BENCH_QUICK=1, BENCH_SECONDS=3 are set) for a
 * short smoke run; names filter by file stem (`store`, `instrumentation`, `collector` …).
 * Exits non-zero when any bench fails.
 */
import { spawn } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { cpus } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Extra arguments for benches that take their own knobs instead of `--quick`. */
const QUICK_ARGS: Record<string, string[]> = {
  recovery: ['--iterations', '10000', '--rounds', '3'],
};

function runOne(file: string, args: string[], env: NodeJS.ProcessEnv): Promise<{ code: number | null; ms: number }> {
  const t0 = performance.now();
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [file, ...args], { stdio: 'inherit', env });
    child.on('error', () => resolve({ code: -1, ms: performance.now() - t0 }));
    child.on('exit', (code) => resolve({ code, ms: performance.now() - t0 }));
  });
}

async function main(): Promise<void> {
  const here = dirname(fileURLToPath(import.meta.url));
  const quick = process.argv.includes('--quick');
  const only = process.argv.slice(2).filter((a) => !a.startsWith('--'));
  const files = readdirSync(here)
    .filter((f) => f.endsWith('.bench.js'))
    .sort()
    .filter((f) => only.length === 0 || only.includes(f.replace(/\.bench\.js$/, '')));
  if (files.length === 0) {
    console.error(`no benchmarks found in ${here}${only.length ? ` matching ${only.join(', ')}` : ''}; run \`npm run build\` first`);
    process.exitCode = 1;
    return;
  }
  const env: NodeJS.ProcessEnv = quick ? { ...process.env, BENCH_QUICK: '1', BENCH_SECONDS: process.env.BENCH_SECONDS ?? '3' } : process.env;
  console.log(`# agentpulse benchmarks${quick ? ' (quick)' : ''}: node ${process.version}, ${cpus().length} CPUs (${cpus()[0]?.model ?? 'unknown'})`);
  const summary: string[] = [];
  for (const f of files) {
    const name = f.replace(/\.bench\.js$/, '');
    const args = quick ? ['--quick', ...(QUICK_ARGS[name] ?? [])] : [];
    console.log(`\n## ${name}: node ${join('dist', 'bench', f)} ${args.join(' ')}`.trimEnd());
    const r = await runOne(join(here, f), args, env);
    summary.push(`${name.padEnd(20)} ${r.code === 0 ? 'ok    ' : `FAILED (exit ${r.code})`} ${(r.ms / 1000).toFixed(1)} s`);
    if (r.code !== 0) process.exitCode = 1;
  }
  console.log(`\n## summary\n${summary.join('\n')}`);
}

await main();
