/**
 * CLI start-up as paired differences (median of A − B over alternating runs):
 *   `agentpulse --help` and `--version` against `node -e 0` (budget 150 ms);
 *   `agentpulse --db FILE sql 'select 1'` against importing `@duckdb/node-api` (budget 250 ms).
 *
 *   npm run build && node dist/bench/cli.bench.js [--quick] [--rounds N]
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { openStore } from '../store/index.js';
import { formatPaired, paired } from './pairedCommands.js';

const quick = process.argv.includes('--quick') || process.env.BENCH_QUICK === '1';
const roundsArg = process.argv.indexOf('--rounds');
const rounds = roundsArg > 0 ? Number(process.argv[roundsArg + 1]) : quick ? 5 : 15;
const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const CLI = join(ROOT, 'bin', 'agentpulse.js');

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'ap-cli-bench-'));
  try {
    const db = join(dir, 'cli.duckdb');
    await (await openStore(db)).close();
    const node0 = { argv: [process.execPath, '-e', '0'] };
    // Run from the package root so the baseline resolves @duckdb/node-api exactly as the CLI does.
    const duckdbImport = { argv: [process.execPath, '--input-type=module', '-e', "await import('@duckdb/node-api')"], cwd: ROOT };
    const cases = [
      { r: paired('agentpulse --help', { argv: [process.execPath, CLI, '--help'] }, node0, rounds), vs: 'node -e 0', budget: 150 },
      { r: paired('agentpulse --version', { argv: [process.execPath, CLI, '--version'] }, node0, rounds), vs: 'node -e 0', budget: 150 },
      { r: paired("agentpulse sql 'select 1'", { argv: [process.execPath, CLI, '--db', db, 'sql', 'select 1'], cwd: ROOT }, duckdbImport, rounds), vs: 'import @duckdb/node-api', budget: 250 },
    ];
    console.log(`cli: ${rounds} paired runs each; A = the command, B = its baseline`);
    for (const c of cases) console.log(`${formatPaired(c.r, c.budget)}  (B: ${c.vs})`);
    if (cases.some((c) => c.r.diffMs > c.budget)) process.exitCode = 1;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
