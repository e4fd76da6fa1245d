import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runHook, sessionTraceId } from '../instrumentation/adapters/claudeCode.js';
import type { HookEvent } from '../instrumentation/adapters/claudeCode.js';
import { openStore } from '../store/DuckDbStore.js';
import { FIXTURES, ROOT, readSpans as readStored } from './adaptersHelpers.js';

const DIR = join(FIXTURES, 'claude-code');
const BASE_NS = BigInt(Date.parse('2025-01-01T00:00:00.000Z')) * 1_000_000n;

function events(): HookEvent[] {
  const text = readFileSync(join(DIR, 'events.json'), 'utf8').replaceAll('TRANSCRIPT', join(DIR, 'transcript.jsonl'));
  return JSON.parse(text) as HookEvent[];
}

/** Hook spans are built when the store's next writer opens: open it as one, then read. */
async function readSpans(db: string): ReturnType<typeof readStored> {
  await (await openStore(db)).close();
  return readStored(db);
}

function tempDb(): string {
  return join(mkdtempSync(join(tmpdir(), 'ap-hook-')), 'spans.duckdb');
}

/** Runs the real CLI (`agentpulse hook`) with `input` on stdin. */
async function cli(db: string, input: string): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, [join(ROOT, 'bin/agentpulse.js'), '--db', db, 'hook'], { cwd: ROOT, stdio: ['pipe', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  child.stdin.end(input);
  const code = await new Promise<number | null>((r) => child.on('exit', (c) => r(c)));
  return { code, stdout, stderr };
}

describe('runHook', () => {
  it('builds one trace per session from separate hook calls: turn, tools, subagent, messages with cost', async () => {
    const db = tempDb();
    const all = events();
    for (const [i, e] of all.entries()) {
      await runHook(JSON.stringify(e), { db, captureContent: false, contentMaxChars: 100, nowNs: BASE_NS + BigInt(i) * 1_000_000_000n });
    }
    const spans = await readSpans(db);
    expect(new Set(spans.map((s) => s.trace_id))).toEqual(new Set([sessionTraceId('abc-123')]));
    const by = (name: string) => spans.filter((s) => s.name === name);
    const root = by('session claude-code');
    expect(root).toHaveLength(1);
    expect(root[0].parent_span_id).toBeNull();
    const turn = by('invoke_agent claude-code')[0];
    expect([turn.operation, turn.agent_name, turn.parent_span_id]).toEqual(['invoke_agent', 'claude-code', root[0].span_id]);

    const bash = by('execute_tool Bash')[0];
    expect([bash.operation, bash.tool_name, bash.agent_name, bash.parent_span_id]).toEqual(['execute_tool', 'Bash', 'claude-code', turn.span_id]);
    const task = by('execute_tool Task')[0];
    expect(task.parent_span_id).toBe(turn.span_id);
    const sub = by('invoke_agent code-reviewer')[0];
    expect([sub.operation, sub.agent_name, sub.parent_span_id]).toEqual(['invoke_agent', 'code-reviewer', task.span_id]);
    const read = by('execute_tool Read')[0];
    expect([read.agent_name, read.parent_span_id]).toEqual(['code-reviewer', sub.span_id]);

    const chats = spans.filter((s) => s.operation === 'chat').sort((a, b) => (a.input_tokens ?? 0) - (b.input_tokens ?? 0));
    expect(chats.map((s) => [s.model, s.provider, s.input_tokens, s.output_tokens, s.parent_span_id])).toEqual([
      ['claude-sonnet-4-5-20250929', 'anthropic', 1200, 80, turn.span_id],
      ['claude-sonnet-4-5-20250929', 'anthropic', 1500, 200, turn.span_id],
    ]);
    expect(chats[0].cost_usd).toBeCloseTo((1200 * 3 + 80 * 15) / 1e6, 12);
    expect(chats[1].cost_usd).toBeCloseTo((1500 * 3 + 200 * 15) / 1e6, 12);
    expect(by('Notification')).toHaveLength(1);
    expect(by('PreCompact')).toHaveLength(1);
    expect(new Set(spans.map((s) => s.attributes['gen_ai.conversation.id']))).toEqual(new Set(['abc-123']));
    // Durations come from the Pre/Post pair: PreToolUse Bash at +2 s, PostToolUse at +3 s.
    const rows = await readSpans(db);
    expect(rows.length).toBe(spans.length);
    // No content without AGENTPULSE_CAPTURE_CONTENT.
    for (const s of spans) {
      expect(s.attributes['gen_ai.tool.call.arguments']).toBeUndefined();
      expect(s.attributes['gen_ai.input.messages']).toBeUndefined();
    }
  });

  it('records truncated content only when capture is on', async () => {
    const db = tempDb();
    const all = events();
    for (const [i, e] of all.slice(0, 4).entries()) {
      await runHook(JSON.stringify(e), { db, captureContent: true, contentMaxChars: 10, nowNs: BASE_NS + BigInt(i) * 1_000_000_000n });
    }
    const [bash] = await readSpans(db);
    expect(bash.attributes['gen_ai.tool.call.arguments']).toMatch(/^\{"command"…\[truncated \d+ chars\]$/);
  });

  it('a PostToolUse sent twice (a retried hook) stores its span once, in one ingest or across two', async () => {
    const [, , pre, post] = events();
    for (const split of [false, true]) {
      const db = tempDb();
      await runHook(JSON.stringify(pre), { db, captureContent: false, contentMaxChars: 10, nowNs: BASE_NS });
      await runHook(JSON.stringify(post), { db, captureContent: false, contentMaxChars: 10, nowNs: BASE_NS + 1_000_000_000n });
      if (split) await readSpans(db);
      await runHook(JSON.stringify(post), { db, captureContent: false, contentMaxChars: 10, nowNs: BASE_NS + 2_000_000_000n });
      expect((await readSpans(db)).map((s) => s.name)).toEqual(['execute_tool Bash']);
    }
  });
});

describe('agentpulse hook', () => {
  it('records an event from stdin and prints nothing', async () => {
    const db = tempDb();
    const [, , pre, post] = events();
    expect(await cli(db, JSON.stringify(pre))).toEqual({ code: 0, stdout: '', stderr: '' });
    expect((await cli(db, JSON.stringify(post))).code).toBe(0);
    expect((await readSpans(db)).map((s) => s.name)).toEqual(['execute_tool Bash']);
  });

  it.each([
    ['not JSON', 'this is not json', /hook input is not JSON/],
    ['empty input', '', /hook input is not JSON \(got nothing\)/],
    ['an array', '[1,2]', /must be a JSON object/],
    ['no event name', '{"session_id":"s"}', /no "hook_event_name"/],
    ['no session id', '{"hook_event_name":"Stop"}', /no "session_id"/],
  ])('rejects %s with one line on stderr and exit code 1 (never the blocking 2)', async (_label, input, message) => {
    const r = await cli(tempDb(), input);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(message);
  });
});
