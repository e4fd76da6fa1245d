/**
 * A recorded-shape Claude Code session (every 2026 hook event, two parallel subagents, a permission
 * granted and one denied, failures) through the real command hook (bin/agentpulse-hook.js, one
 * process per event) and through `POST /hooks/claude-code` on a running collector; then the same
 * session's OTel events on /v1/logs, which must not add a second span for any call.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { OTLPLogExporter } from '@opentelemetry/exporter-logs-otlp-proto';
import { afterAll, describe, expect, it } from 'vitest';
import { startCollector } from '../collector/index.js';
import { openStore, type DuckDbStore } from '../store/index.js';
import { claudeSession, sendClaudeEvents, type ClaudeSession } from './fixtures/codingAgents.js';
import { hookSession, writeTranscript, type HookStep, type HookTruth } from './fixtures/claudeHooks.js';
import { ROOT } from './adaptersHelpers.js';

const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

function tempDir(): string {
  const d = mkdtempSync(join(tmpdir(), 'ap-hooks-'));
  dirs.push(d);
  return d;
}

/** Runs the command hook as Claude Code does: a process with the event on stdin. */
function commandHook(db: string, event: Record<string, unknown>): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, [join(ROOT, 'bin/agentpulse-hook.js'), '--db', db], { stdio: ['pipe', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  child.stdin.end(JSON.stringify(event));
  return new Promise((resolve) => child.on('exit', (code) => resolve({ code, stdout, stderr })));
}

async function play(steps: HookStep[], send: (e: Record<string, unknown>) => Promise<void>): Promise<void> {
  for (const step of steps) {
    if (step.transcript) {
      await sleep(5); // the transcript's lines come after the turn (or subagent) began
      writeTranscript(step.transcript);
    }
    await send(step.event);
  }
}

interface Row {
  span_id: string;
  parent_span_id: string | null;
  name: string;
  operation: string | null;
  agent_name: string | null;
  call_id: string | null;
  status_code: string;
  error_type: string | null;
  cost_usd: number | null;
  team_id: string | null;
  scope_name: string | null;
  duration_ms: number;
}

async function sessionSpans(store: DuckDbStore, sid: string): Promise<Row[]> {
  return (await store.query(
    `SELECT span_id, parent_span_id, name, operation, agent_name, call_id, status_code, error_type, cost_usd, team_id, scope_name, duration_ns / 1e6 AS duration_ms
     FROM spans WHERE session_id = $s ORDER BY start_ns, span_id`,
    { s: sid },
  )) as unknown as Row[];
}

/** What happened, checked span by span. */
function expectSession(rows: Row[], s: ClaudeSession, truth: HookTruth): void {
  const ids = rows.map((r) => r.span_id);
  expect(new Set(ids).size, 'no span twice').toBe(ids.length);
  const byId = new Map(rows.map((r) => [r.span_id, r]));
  const tools = rows.filter((r) => r.operation === 'execute_tool');
  expect(tools).toHaveLength(truth.toolCount);
  expect(new Set(tools.map((t) => t.call_id)).size).toBe(truth.toolCount);
  const subagent = (type: string): Row => {
    const found = rows.filter((r) => r.name === `invoke_agent ${type}`);
    expect(found, type).toHaveLength(1);
    return found[0]!;
  };
  for (const t of tools) {
    const agent = truth.toolAgent.get(t.call_id!);
    expect(t.agent_name, t.name).toBe(agent);
    // Exact attribution: a subagent's tool call hangs under that subagent, however they interleave.
    if (agent !== 'claude-code') expect(t.parent_span_id, t.name).toBe(subagent(agent!).span_id);
    else expect(byId.get(t.parent_span_id!)?.name, t.name).toBe('invoke_agent claude-code');
    expect(t.status_code, `${t.name} ${t.call_id}`).toBe(truth.failed.has(t.call_id!) ? 'ERROR' : 'UNSET');
  }
  expect(tools.find((t) => t.call_id === truth.denied)?.error_type).toBe('permission_denied');
  for (const [type, taskCall] of truth.launches) {
    const task = tools.find((t) => t.call_id === taskCall)!;
    expect(subagent(type).parent_span_id, type).toBe(task.span_id);
  }
  // Time blocked on the user: one wait per permission request, allowed and denied, under its tool call.
  const waits = rows.filter((r) => r.name.startsWith('permission_wait'));
  expect(waits.map((w) => [w.name, byId.get(w.parent_span_id!)?.operation]).sort()).toEqual([
    [`permission_wait ${s.tools[1]!.name}`, 'execute_tool'],
    ['permission_wait WebFetch', 'execute_tool'],
  ]);
  // Model calls from the transcripts, each under its own agent.
  const chats = rows.filter((r) => r.operation === 'chat');
  expect(chats).toHaveLength(s.requests.length);
  expect(chats.map((c) => [c.call_id, c.agent_name]).sort()).toEqual(s.requests.map((r) => [r.requestId, r.agent ?? 'claude-code']).sort());
  const turns = rows.filter((r) => r.name === 'invoke_agent claude-code');
  expect(turns.map((t) => t.status_code)).toEqual(['UNSET', 'ERROR']);
  const task = rows.find((r) => r.name === 'task write the fix');
  expect([task?.team_id, task?.agent_name]).toEqual(['squad', 'alice']);
  expect(rows.filter((r) => r.name === 'compaction')).toHaveLength(1);
  expect(rows.filter((r) => r.parent_span_id === null).map((r) => r.name)).toEqual(['session claude-code']);
}

describe('a Claude Code session through hooks', () => {
  it('through command hooks: each event journalled by its own process, spans built when the store opens', async () => {
    const dir = tempDir();
    const db = join(dir, 'agents.duckdb');
    const s = claudeSession(501);
    const { steps, truth } = hookSession(s, join(dir, 'transcripts'));
    await play(steps, async (e) => {
      const r = await commandHook(db, e);
      expect(r, String(e.hook_event_name)).toEqual({ code: 0, stdout: '', stderr: '' });
    });
    const store = await openStore(db);
    try {
      expectSession(await sessionSpans(store, s.sessionId), s, truth);
    } finally {
      await store.close();
    }
  }, 120_000);

  it('through HTTP hooks on a running collector (SessionStart as a command hook, as Claude Code requires), then the OTel events: every call once', async () => {
    const dir = tempDir();
    const db = join(dir, 'agents.duckdb');
    const store = await openStore(db);
    const collector = await startCollector({ store, port: 0, spoolDir: join(dir, 'agents.duckdb.spool'), storeSpoolPollMs: 50 });
    try {
      const s = claudeSession(502);
      const { steps, truth } = hookSession(s, join(dir, 'transcripts'));
      await play(steps, async (e) => {
        if (e.hook_event_name === 'SessionStart') {
          expect((await commandHook(db, e)).code).toBe(0);
          return;
        }
        const res = await fetch(`${collector.url}/hooks/claude-code`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(e) });
        expect([res.status, await res.text()], String(e.hook_event_name)).toEqual([200, '']);
      });
      await collector.flush(10_000);
      // The command hook's entry is taken in by the collector's own poll.
      for (let i = 0; i < 100 && (await sessionSpans(store, s.sessionId)).every((r) => r.name !== 'session claude-code'); i++) await sleep(50);
      const hooked = await sessionSpans(store, s.sessionId);
      expectSession(hooked, s, truth);
      const hookCost = hooked.reduce((a, r) => a + (r.cost_usd ?? 0), 0);
      expect(hookCost).toBeGreaterThan(0); // priced from the transcripts' tokens

      // Claude Code's own OTel events for the same session: the cost is theirs, the spans stay one per call.
      await sendClaudeEvents(new OTLPLogExporter({ url: `${collector.url}/v1/logs` }), s);
      await collector.flush(10_000);
      const both = await sessionSpans(store, s.sessionId);
      expectSession(both, s, truth);
      expect(both.filter((r) => r.scope_name === 'agentpulse.events' && (r.operation === 'chat' || r.operation === 'execute_tool'))).toEqual([]);
      const cost = both.reduce((a, r) => a + (r.cost_usd ?? 0), 0);
      expect(Math.round(cost * 1e9)).toBe(Math.round(s.requests.reduce((a, r) => a + r.cost, 0) * 1e9));
      // Every hook event is also kept as a log record.
      const [logs] = await store.query(`SELECT count(*) AS n FROM log_records WHERE session_id = $s AND event_name LIKE 'claude_code.hook.%'`, { s: s.sessionId });
      expect(Number(logs!.n)).toBe(steps.length);
    } finally {
      await collector.close();
      await store.close();
    }
  }, 120_000);

  it('answers bad hook input with 400 and no decision, and keeps going', async () => {
    const dir = tempDir();
    const store = await openStore(join(dir, 'agents.duckdb'));
    const collector = await startCollector({ store, port: 0, spoolDir: join(dir, 'spool') });
    try {
      for (const body of ['not json', '[1]', '{"session_id":"s"}', '{"hook_event_name":"Stop"}']) {
        const res = await fetch(`${collector.url}/hooks/claude-code`, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
        expect(res.status, body).toBe(400);
        expect(((await res.json()) as { error: string }).error).toMatch(/not a Claude Code hook event/);
      }
      const wrongType = await fetch(`${collector.url}/hooks/claude-code`, { method: 'POST', headers: { 'content-type': 'text/plain' }, body: '{}' });
      expect(wrongType.status).toBe(415);
      const ok = await fetch(`${collector.url}/hooks/claude-code`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ hook_event_name: 'Notification', session_id: 'ok-1', message: 'hi' }) });
      expect([ok.status, await ok.text()]).toEqual([200, '']);
    } finally {
      await collector.close();
      await store.close();
    }
  });
});
