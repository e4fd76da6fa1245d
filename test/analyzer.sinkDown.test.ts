import { spawn } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fillSynthetic } from './fixtures/synthetic.js';
import { openStore } from '../store/index.js';
import { ensureBuilt } from './build.js';
import { BIN, ROOT, tempDir } from './dashboardHelpers.js';

/** Runs the compiled CLI without blocking this process's event loop (the receiver below lives here). */
function run(args: string[]): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [BIN, ...args], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('close', (status) => resolve({ status, stdout, stderr }));
  });
}

/** A port nothing listens on: bind one, then close it. */
async function deadPort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const { port } = s.address() as AddressInfo;
  await new Promise((r) => s.close(r));
  return port;
}

let dir: string;
let db: string;
let rules: string;
const servers: Server[] = [];

beforeAll(async () => {
  ensureBuilt();
  dir = tempDir('ap-sinkdown-');
  db = join(dir, 'a.duckdb');
  const store = await openStore(db);
  await fillSynthetic(store, { spans: 2_000, days: 1, seed: 3 });
  await store.close();
  // One rule that is sure to fire on this data, for one scope.
  rules = join(dir, 'rules.yaml');
  writeFileSync(rules, 'rules:\n  - name: busy\n    kind: threshold\n    metric: count\n    op: ">"\n    threshold: 0\n    scope: { agent: "coder", operation: "invoke_agent" }\n');
}, 120_000);

afterAll(async () => {
  await Promise.all(servers.map((s) => new Promise((r) => s.close(r))));
});

describe('agentpulse analyze with a sink that is down', () => {
  it('retries, reports one line per sink, still writes the report, exits 3, and owes the notification to the next run', async () => {
    const [dead1, dead2] = [await deadPort(), await deadPort()];
    const out = join(dir, 'report.md');
    const t0 = Date.now();
    const first = await run(['--db', db, 'analyze', '--rules', rules, '--sink', `alertmanager:http://127.0.0.1:${dead1}`, '--sink', `webhook:http://127.0.0.1:${dead2}/hook`, '--incremental', '--out', out]);
    expect(first.status, first.stderr).toBe(3);
    // Retried as documented (4 attempts, backoff 500 ms doubling with jitter ≥ 0.5): at least 0.25 + 0.5 + 1 s.
    expect(Date.now() - t0).toBeGreaterThan(1_750);
    const lines = first.stderr.trim().split('\n');
    expect(lines).toHaveLength(2);
    expect(lines.find((l) => l.includes(`alertmanager:http://127.0.0.1:${dead1}`))).toMatch(/failed: .*gave up after 4 attempts \(connect ECONNREFUSED.*sent again next run$/);
    expect(lines.find((l) => l.includes(`webhook:http://127.0.0.1:${dead2}/hook`))).toMatch(/gave up after 4 attempts/);
    expect(first.stderr).not.toMatch(/\n\s+at /); // no stack trace
    expect(existsSync(out)).toBe(true);
    expect(readFileSync(out, 'utf8')).toMatch(/firing \| busy/);

    // The next run, with the receiver up, gets the owed notification …
    const received: { alerts: { rule: string; state: string; fingerprint: string }[] }[] = [];
    const server = createServer((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString()));
      req.on('end', () => {
        received.push(JSON.parse(body));
        res.writeHead(200).end();
      });
    });
    servers.push(server);
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const hook = `webhook:http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`;
    const second = await run(['--db', db, 'analyze', '--rules', rules, '--sink', hook, '--json']);
    expect(second.status, second.stderr).toBe(0);
    expect(second.stderr).toBe('');
    expect(received).toHaveLength(1);
    const report = JSON.parse(second.stdout) as { alerts: { rule: string; state: string; fingerprint: string }[] };
    const firing = report.alerts.filter((a) => a.rule === 'busy' && a.state === 'firing');
    expect(firing).toHaveLength(1);
    expect(received[0].alerts.map((a) => [a.rule, a.state, a.fingerprint])).toEqual([['busy', 'firing', firing[0].fingerprint]]);

    // … and, delivered, it is not owed any more.
    const third = await run(['--db', db, 'analyze', '--rules', rules, '--sink', hook, '--json']);
    expect(third.status, third.stderr).toBe(0);
    expect(received).toHaveLength(1);
  }, 180_000);
});
