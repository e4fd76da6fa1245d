import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeProviders } from './fixtures/adapters/fakeProviders.js';
import type { FakeProviders } from './fixtures/adapters/fakeProviders.js';
import { family, fixtureProject, cleanSpans, runApps, versionFor } from './adaptersHelpers.js';
import type { AppRun, SpanRow } from './adaptersHelpers.js';

// Unmodified OpenAI Agents SDK programs through the preload against the loopback fake provider:
// the repository's @openai/agents (0.20, with the openai 7 it depends on), from ESM and CommonJS,
// and 0.14 (installed beside it as `openai-agents-0-14`, with the repository's openai 6). Each app
// runs in a throwaway project whose node_modules gives it those packages under their real names.
// Run `npm run build` first so dist/ is fresh.

let fake: FakeProviders;
let runs: Map<string, AppRun>;
const projects: { remove: () => void }[] = [];

function project(app: string, links: Record<string, string>, agents: string, openai: string): string {
  const p = fixtureProject(app, links);
  projects.push(p);
  expect([versionFor(p.app, '@openai/agents'), versionFor(p.app, 'openai')]).toEqual([expect.stringMatching(agents), expect.stringMatching(openai)]);
  return p.app;
}

beforeAll(async () => {
  fake = await startFakeProviders();
  // openai 7 is not hoisted (the repository's own openai is 6): the Agents SDK's copy.
  const current = { openai: '@openai/agents/node_modules/openai' };
  runs = await runApps(
    [
      { key: '0.20', app: project('agentsApp.mjs', current, '^0\\.20\\.', '^7\\.') },
      { key: '0.20.cjs', app: project('agentsApp.cjs', current, '^0\\.20\\.', '^7\\.') },
      { key: '0.14', app: project('agentsApp.mjs', { '@openai/agents': 'openai-agents-0-14' }, '^0\\.14\\.', '^6\\.') },
    ],
    { FAKE_URL: fake.url },
  );
}, 90_000);

afterAll(async () => {
  for (const p of projects) p.remove();
  await fake?.close();
});

function spansOf(key: string): SpanRow[] {
  return cleanSpans(runs, key);
}

const traceWith = (spans: SpanRow[], name: string): SpanRow[] => spans.filter((s) => s.trace_id === spans.find((x) => x.name === name)?.trace_id);

/** The successful run: workflow root, agents, generations, tool, handoff linked to the next agent. */
function expectRoutedRun(spans: SpanRow[]): SpanRow[] {
  const run = traceWith(spans, 'handoff triage -> billing');
  const { ancestors } = family(run);
  expect(run.filter((s) => s.parent_span_id === null).map((s) => s.name)).toEqual(['workflow Agent workflow']);
  const triage = run.find((s) => s.name === 'invoke_agent triage')!;
  const billing = run.find((s) => s.name === 'invoke_agent billing')!;
  expect([triage.operation, triage.agent_name, billing.agent_name]).toEqual(['invoke_agent', 'triage', 'billing']);
  expect([triage.attributes['agentpulse.agent.tools'], triage.attributes['agentpulse.agent.handoffs']]).toEqual([['get_weather'], ['billing']]);
  const tool = run.find((s) => s.operation === 'execute_tool')!;
  expect([tool.tool_name, tool.agent_name]).toEqual(['get_weather', 'triage']);
  expect(ancestors(tool)).toContain(triage);
  const chats = run.filter((s) => s.operation === 'chat');
  expect(chats.map((s) => s.agent_name)).toEqual(['triage', 'triage', 'billing']);
  for (const c of chats) {
    expect([c.name, c.provider, c.model, c.input_tokens, c.output_tokens]).toEqual(['chat gpt-4o-mini', 'openai', 'gpt-4o-mini', 13, 5]);
    expect(c.cost_usd).toBeCloseTo((13 * 0.15 + 5 * 0.6) / 1e6, 12);
  }
  const handoff = run.find((s) => s.name === 'handoff triage -> billing')!;
  expect(ancestors(handoff)).toContain(triage);
  expect(billing.links).toEqual([expect.objectContaining({ span_id: handoff.span_id, trace_id: handoff.trace_id })]);
  // The openai adapter enriches the Agents SDK's generation span instead of adding a second one.
  expect(spans.some((s) => s.scope_name === 'agentpulse.adapters.openai')).toBe(false);
  expect(run.every((s) => s.status_code !== 'ERROR')).toBe(true);
  return run;
}

describe.each(['0.20', '0.14'])('OpenAI Agents SDK %s bridge', (version) => {
  it('mirrors a run: workflow root, agents, generations, tool, guardrail, handoff linked to the next agent', () => {
    const spans = spansOf(version);
    expect(new Set(spans.map((s) => s.trace_id)).size).toBe(3);
    const run = expectRoutedRun(spans);
    const guardrail = run.find((s) => s.name === 'guardrail no_secrets')!;
    expect([guardrail.agent_name, guardrail.attributes['agentpulse.guardrail.triggered']]).toEqual(['triage', false]);
  });

  it('gives the failed generation error.type rate_limit, and the agent and the run above it the same', () => {
    const spans = spansOf(version);
    const failedChat = spans.find((s) => s.operation === 'chat' && s.status_code === 'ERROR')!;
    expect(failedChat.error_type).toBe('rate_limit');
    const failedTrace = spans.filter((s) => s.trace_id === failedChat.trace_id);
    expect(failedTrace.find((s) => s.parent_span_id === null)?.error_type).toBe('rate_limit');
    expect(failedTrace.find((s) => s.name === 'invoke_agent triage')?.error_type).toBe('rate_limit');
  });

  it('marks a run a guardrail stopped with error.type guardrail_tripwire', () => {
    const spans = spansOf(version);
    const tripped = spans.find((s) => s.name === 'guardrail no_secrets' && s.attributes['agentpulse.guardrail.triggered'] === true)!;
    const run = spans.filter((s) => s.trace_id === tripped.trace_id);
    const root = run.find((s) => s.parent_span_id === null)!;
    expect([root.name, root.status_code, root.error_type]).toEqual(['workflow Agent workflow', 'ERROR', 'guardrail_tripwire']);
    expect(run.find((s) => s.name === 'invoke_agent triage')?.error_type).toBe('guardrail_tripwire');
  });
});

describe('OpenAI Agents SDK from CommonJS', () => {
  it('instruments require("@openai/agents")', () => {
    const spans = spansOf('0.20.cjs');
    expect(new Set(spans.map((s) => s.trace_id)).size).toBe(1);
    expectRoutedRun(spans);
  });
});
