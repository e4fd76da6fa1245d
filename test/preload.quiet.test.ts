import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeProviders } from './fixtures/adapters/fakeProviders.js';
import type { FakeProviders } from './fixtures/adapters/fakeProviders.js';
import { fixtureProject, readSpans, runThroughPreload } from './adaptersHelpers.js';

// `.ci/run` runs this file on Node 22, 24 and 26 as well as on the machine's Node.
// Run `npm run build` first so dist/ is fresh.

let fake: FakeProviders;
beforeAll(async () => {
  fake = await startFakeProviders();
});
afterAll(async () => {
  await fake?.close();
});

describe('agentpulse/register', () => {
  it(`prints nothing into an app that loads every instrumented package, as ESM and through require() (Node ${process.versions.node})`, async () => {
    const project = fixtureProject('quietApp.mjs', { ai: 'ai-7' });
    try {
      const run = await runThroughPreload(project.app, { FAKE_URL: fake.url });
      expect([run.code, run.stdout, run.stderr]).toEqual([0, 'quiet\n', '']);
      // …and it was at work: all three calls are recorded (LangChain's by the OpenInference library the preload loads for it).
      const spans = await readSpans(run.db);
      expect(spans.map((s) => `${s.scope_name} ${s.operation}`).sort()).toEqual([
        '@arizeai/openinference-instrumentation-langchain chat',
        'agentpulse.adapters.ai agent_step',
        'agentpulse.adapters.ai chat',
        'agentpulse.adapters.ai invoke_agent',
        'agentpulse.adapters.openai chat',
      ]);
    } finally {
      project.remove();
    }
  });
});
