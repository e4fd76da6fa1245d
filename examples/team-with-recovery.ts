/**
 * A small multi-agent team that uses the recovery library, meant to run under the preload:
 *
 *   npm run build
 *   node --import agentpulse/register dist/examples/team-with-recovery.js
 *   npx agentpulse query recovery
 *
 * Three agents (planner, coder, reviewer) work a few tasks. The "LLM" is simulated and flaky:
 * rate limits, timeouts, a coder that sometimes loses its context, an unavailable model. The
 * RecoverySelector picks the strategy per error class (retry, checkpoint restore, fallback to an
 * equivalent agent…), and every decision is a span, so recovery shows up in the store.
 */
import { recordUsage, traceAgent, traceChat, traceTask, traceTeam } from '../instrumentation/index.js';
import { RecoverySelector } from '../recovery/index.js';
import type { AgentCallContext, AgentTask, RecoverableAgent } from '../recovery/index.js';

let seed = 7;
const rand = (): number => ((seed = (seed * 16807) % 2147483647) / 2147483647);
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** A simulated LLM call that fails the way real providers do, some of the time. */
async function flakyLlm(agent: string, model: string, ctx: AgentCallContext): Promise<string> {
  return traceChat({ provider: 'openai', model: ctx.model ?? model }, async (span) => {
    await sleep(5 + rand() * 20);
    const r = rand();
    if (r < 0.12) throw Object.assign(new Error('429 Too Many Requests'), { status: 429, headers: { 'retry-after': '0' } });
    if (r < 0.18) throw Object.assign(new Error('request timed out'), { code: 'ETIMEDOUT' });
    recordUsage(span, { inputTokens: 900 + Math.round(rand() * 400), outputTokens: 200, costUsd: 0.002 });
    return `${agent}: done`;
  });
}

function agent(name: string, capabilities: string[], model: string, opts: { losesContext?: number } = {}): RecoverableAgent<string, string> {
  return {
    name,
    capabilities,
    invoke: (task: AgentTask<string>, ctx: AgentCallContext) =>
      traceAgent({ name, model }, async () => {
        await ctx.saveCheckpoint({ step: 'started', task: task.input });
        if (opts.losesContext && ctx.restoredContext === undefined && rand() < opts.losesContext) {
          throw Object.assign(new Error('context lost: conversation state missing'), { code: 'context_lost' });
        }
        return flakyLlm(name, model, ctx);
      }),
  };
}

const planner = agent('planner', ['plan'], 'gpt-4o');
const coder = agent('coder', ['code'], 'gpt-4.1', { losesContext: 0.1 });
const backupCoder = agent('coder-backup', ['code'], 'gpt-4o-mini');
const reviewer = agent('reviewer', ['review'], 'gpt-4o');

const selector = new RecoverySelector({
  agents: [planner, coder, backupCoder, reviewer],
  fallbacks: { coder: ['coder-backup'] },
  retry: { initialDelayMs: 20, maxDelayMs: 200 },
  onEscalate: (e) => console.log(`escalated to a human: ${e.agent} on ${e.task.id} (${e.errorClass}) after ${e.tried.join(' → ')}`),
});

let ok = 0;
let failed = 0;
for (let i = 0; i < 12; i++) {
  const type = i % 3 === 0 ? 'feature' : 'bugfix';
  try {
    await traceTask({ type, id: `example-${i}` }, () =>
      traceTeam({ members: ['planner', 'coder', 'reviewer'] }, async () => {
        for (const a of [planner, coder, reviewer]) await selector.run(a, { id: `example-${i}-${a.name}`, type, input: `task ${i}` });
      }),
    );
    ok++;
  } catch (err) {
    failed++;
    console.log(`task ${i} failed: ${err instanceof Error ? err.message : String(err)}`);
  }
}
console.log(`${ok} tasks succeeded, ${failed} failed. See recovery: npx agentpulse query recovery`);
