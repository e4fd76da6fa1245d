import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fillSynthetic } from './fixtures/synthetic.js';
import { openStore } from '../store/index.js';
import { BIN, build, cli, tempDir } from './dashboardHelpers.js';

let db: string;

beforeAll(async () => {
  build();
  db = join(tempDir('ap-top-'), 'top.duckdb');
  const store = await openStore(db);
  await fillSynthetic(store, { spans: 16_000, days: 0.01, seed: 5 });
  await store.close();
}, 120_000);

afterAll(() => undefined);

describe('agentpulse top', () => {
  it('redraws a table in a pseudo-terminal and quits on q', async () => {
    // util-linux `script` gives the child a real pty (isTTY, raw mode), like a user's terminal.
    const cmd = `${process.execPath} ${BIN} --db ${db} top --interval 0.3`;
    const child = spawn('script', ['-qfec', cmd, '/dev/null'], { stdio: ['pipe', 'pipe', 'pipe'], env: { ...process.env, TERM: 'xterm-256color', COLUMNS: '140', LINES: '40' } });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    const frames = (): number => out.split('\x1b[H\x1b[2J').length - 1;
    const deadline = Date.now() + 20_000;
    while (frames() < 3 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    expect(frames()).toBeGreaterThanOrEqual(3);
    child.stdin.write('q');
    const code = await new Promise<number | null>((res) => child.once('exit', res));
    expect(code).toBe(0);
    const last = out.split('\x1b[H\x1b[2J').at(-1)!.replace(/\x1b\[[0-9;?]*[A-Za-z]/g, '');
    expect(last).toMatch(/AGENT\s+STATUS\s+RATE\/MIN\s+P95\s+ERRORS \(5m\)\s+ERR %\s+SPANS\s+BREAKER/);
    for (const a of ['planner', 'coder', 'reviewer', 'researcher', 'tester', 'writer']) expect(last).toContain(a);
    expect(out).toContain('\x1b[?25h'); // cursor restored on exit
  }, 30_000);

  it('prints one plain snapshot with --once, and JSON with --json', () => {
    const r = cli(['--db', db, 'top', '--once']);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).not.toContain('\x1b[');
    expect(r.stdout).toContain('coder');
    const j = cli(['--db', db, '--json', 'top', '--once']);
    const agents = JSON.parse(j.stdout) as { agent: string; p95_ms: number }[];
    expect(agents.map((a) => a.agent).sort()).toEqual(['coder', 'planner', 'researcher', 'reviewer', 'tester', 'writer']);
    expect(agents.every((a) => a.p95_ms > 0)).toBe(true);
  });
  it('shows the time in UTC, whatever the local time zone', () => {
    // A zone 5 h 45 min from UTC: a local clock can never pass for UTC here.
    const before = Date.now();
    const r = cli(['--db', db, 'top', '--once'], { env: { TZ: 'Asia/Kathmandu' } });
    const after = Date.now();
    expect(r.status, r.stderr).toBe(0);
    const m = / · (\d\d):(\d\d):(\d\d) UTC$/m.exec(r.stdout);
    expect(m, r.stdout.split('\n')[0]).not.toBeNull();
    const [h, min, sec] = m!.slice(1).map(Number);
    const shown = h * 3600 + min * 60 + sec;
    const utcSeconds = (ms: number): number => Math.floor((ms % 86_400_000) / 1000);
    const [lo, hi] = [utcSeconds(before), utcSeconds(after)];
    expect(lo <= hi ? shown >= lo && shown <= hi : shown >= lo || shown <= hi).toBe(true);
  });
});
