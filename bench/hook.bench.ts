/**
 * The Claude Code hook's budget (≤ 50 ms over `node -e 0`, median of paired runs) for every hook
 * event, through the small bin (`node bin/agentpulse-hook.js --db FILE`) and through
 * `agentpulse hook`; the HTTP hook's acknowledgement time on loopback (p50/p95, budget 10 ms); and
 * what the journal costs the store's next writer (ingest per entry).
 *
 *   npm run build && node dist/bench/hook.bench.js [--quick] [--rounds N]
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startCollector } from '../collector/index.js';
import { openStore } from '../store/index.js';
import { recordHookEvent } from '../store/hooks/recordHook.js';
import { formatPaired, median, paired, type PairedResult } from './pairedCommands.js';

const quick = process.argv.includes('--quick') || process.env.BENCH_QUICK === '1';
const roundsArg = process.argv.indexOf('--rounds');
const rounds = roundsArg > 0 ? Number(process.argv[roundsArg + 1]) : quick ? 5 : 15;
const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const BIN = join(ROOT, 'bin', 'agentpulse-hook.js');
const CLI = join(ROOT, 'bin', 'agentpulse.js');
const BUDGET_MS = 50;

const sid = 'bench-session';
const common = { session_id: sid, prompt_id: 'p-1', transcript_path: '/nonexistent/t.jsonl', cwd: '/repo', permission_mode: 'default' };
const tool = { tool_name: 'Bash', tool_input: { command: 'npm test', description: 'run the tests' }, tool_use_id: 'toolu_bench_1' };
/** One event of each kind Claude Code sends (../shared/AGENT-TELEMETRY.md), as it sends them. */
const EVENTS: Record<string, Record<string, unknown>> = {
  SessionStart: { ...common, hook_event_name: 'SessionStart', source: 'startup' },
  UserPromptSubmit: { ...common, hook_event_name: 'UserPromptSubmit', prompt: 'fix the failing test' },
  PreToolUse: { ...common, ...tool, hook_event_name: 'PreToolUse' },
  PermissionRequest: { ...common, hook_event_name: 'PermissionRequest', tool_name: 'Bash', tool_input: tool.tool_input },
  PermissionDenied: { ...common, ...tool, hook_event_name: 'PermissionDenied', reason: 'user denied' },
  PostToolUse: { ...common, ...tool, hook_event_name: 'PostToolUse', tool_response: { stdout: 'x'.repeat(20_000), exit_code: 0 }, duration_ms: 812 },
  PostToolUseFailure: { ...common, ...tool, hook_event_name: 'PostToolUseFailure', error: 'exit code 1', is_interrupt: false, duration_ms: 90 },
  PostToolBatch: { ...common, hook_event_name: 'PostToolBatch' },
  SubagentStart: { ...common, hook_event_name: 'SubagentStart', agent_id: 'a-1', agent_type: 'code-reviewer' },
  SubagentStop: { ...common, hook_event_name: 'SubagentStop', agent_id: 'a-1', agent_type: 'code-reviewer', agent_transcript_path: '/nonexistent/a.jsonl', last_assistant_message: 'done' },
  TaskCreated: { ...common, hook_event_name: 'TaskCreated', task_id: 't-1', task_subject: 'write the fix', teammate_name: 'alice', team_name: 'squad' },
  TaskCompleted: { ...common, hook_event_name: 'TaskCompleted', task_id: 't-1', task_subject: 'write the fix', teammate_name: 'alice', team_name: 'squad' },
  Notification: { ...common, hook_event_name: 'Notification', message: 'Claude needs your permission' },
  PreCompact: { ...common, hook_event_name: 'PreCompact', trigger: 'auto' },
  PostCompact: { ...common, hook_event_name: 'PostCompact', trigger: 'auto' },
  Stop: { ...common, hook_event_name: 'Stop', stop_hook_active: false },
  StopFailure: { ...common, hook_event_name: 'StopFailure', error: 'rate limited' },
  SessionEnd: { ...common, hook_event_name: 'SessionEnd', reason: 'logout' },
};

async function httpHook(dir: string, n: number): Promise<{ p50: number; p95: number; n: number }> {
  const store = await openStore(join(dir, 'http.duckdb'));
  const collector = await startCollector({ store, port: 0, spoolDir: join(dir, 'http.duckdb.spool') });
  const url = `${collector.url}/hooks/claude-code`;
  const times: number[] = [];
  try {
    const names = Object.keys(EVENTS);
    for (let i = 0; i < n; i++) {
      const body = JSON.stringify({ ...EVENTS[names[i % names.length]!], session_id: `http-${i % 7}` });
      const t0 = performance.now();
      const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
      await res.arrayBuffer();
      times.push(performance.now() - t0);
      if (res.status !== 200) throw new Error(`/hooks/claude-code answered ${res.status}`);
    }
  } finally {
    await collector.close();
    await store.close();
  }
  times.sort((a, b) => a - b);
  return { p50: median(times), p95: times[Math.floor(times.length * 0.95)]!, n };
}

async function ingestCost(dir: string, entries: number): Promise<{ entries: number; ms: number; usPerEntry: number }> {
  const db = join(dir, 'ingest.duckdb');
  await (await openStore(db)).close();
  const names = Object.keys(EVENTS);
  for (let i = 0; i < entries; i++) {
    const e = { ...EVENTS[names[i % names.length]!], session_id: `ingest-${i % 20}`, tool_use_id: `toolu_${i >> 1}` };
    recordHookEvent(JSON.stringify(e), { db, captureContent: false, contentMaxChars: 4096, nowNs: BigInt(Date.now()) * 1_000_000n + BigInt(i) * 1000n });
  }
  const t0 = performance.now();
  const store = await openStore(db);
  const ms = performance.now() - t0;
  await store.close();
  const t1 = performance.now();
  await (await openStore(db)).close();
  const emptyMs = performance.now() - t1;
  return { entries, ms: ms - emptyMs, usPerEntry: ((ms - emptyMs) * 1000) / entries };
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'ap-hook-bench-'));
  try {
    const db = join(dir, 'hooks.duckdb');
    const node0 = { argv: [process.execPath, '-e', '0'] };
    console.log(`hook: ${rounds} paired runs per event, A = the hook with the event on stdin, B = node -e 0 with the same stdin (budget: A−B ≤ ${BUDGET_MS} ms)`);
    const results: PairedResult[] = [];
    for (const [name, event] of Object.entries(EVENTS)) {
      const input = JSON.stringify(event);
      const r = paired(`agentpulse-hook ${name}`, { argv: [process.execPath, BIN, '--db', db], input }, { ...node0, input }, rounds);
      results.push(r);
      console.log(formatPaired(r, BUDGET_MS));
    }
    const viaCli = paired('agentpulse hook PostToolUse', { argv: [process.execPath, CLI, '--db', db, 'hook'], input: JSON.stringify(EVENTS.PostToolUse) }, { ...node0, input: JSON.stringify(EVENTS.PostToolUse) }, rounds);
    console.log(formatPaired(viaCli, BUDGET_MS));
    const worst = Math.max(...results.map((r) => r.diffMs), viaCli.diffMs);
    console.log(`hook overhead over node -e 0: median of medians ${median(results.map((r) => r.diffMs)).toFixed(1)} ms, worst event ${worst.toFixed(1)} ms (budget ${BUDGET_MS} ms)`);
    const http = await httpHook(dir, quick ? 300 : 2000);
    console.log(`POST /hooks/claude-code on loopback, ${http.n} sequential requests: p50 ${http.p50.toFixed(2)} ms, p95 ${http.p95.toFixed(2)} ms (budget p95 ≤ 10 ms)`);
    const ing = await ingestCost(dir, quick ? 500 : 2000);
    console.log(`journal ingest at the next writer's open: ${ing.entries} entries in ${ing.ms.toFixed(0)} ms over an empty open (${ing.usPerEntry.toFixed(0)} µs/entry)`);
    if (worst > BUDGET_MS) process.exitCode = 1;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
