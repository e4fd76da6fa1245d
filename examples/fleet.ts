/**
 * A simulated fleet of AI agents with realistic faults, emitted through the real
 * OpenTelemetry API (so through whatever provider is registered: the agentpulse preload,
 * `startAgentpulse`, or another SDK). Times are explicit, so a week of history takes
 * seconds. Deterministic for a given seed.
 */
import { context, SpanStatusCode, trace } from '@opentelemetry/api';
import { createRng } from '../analyzer/stats/rng.js';
import type { Rng } from '../analyzer/stats/rng.js';
import { fail, FleetWriter, hr, runAgent, type AgentSpec, type Delegation, type TaskRun } from './fleetAgent.js';

export interface FleetOptions {
  seed?: number;
  /** Number of tasks; each produces ~12 spans. */
  tasks?: number;
  /** History length ending at `nowMs`. */
  days?: number;
  nowMs?: number;
  /** Inject the demo's incidents in the last 24 h (coder slowdown, researcher rate limits). */
  incidents?: boolean;
  onProgress?: (done: number, total: number) => void;
}

export interface FleetResult {
  tasks: number;
  spans: number;
  failedTasks: number;
  faults: Record<string, number>;
  fromMs: number;
  toMs: number;
}

export const FLEET_AGENTS: Record<string, AgentSpec> = {
  planner: { provider: 'openai', model: 'gpt-4o', chatMs: 1800, tools: ['read_file', 'search_issues'] },
  researcher: { provider: 'anthropic', model: 'claude-sonnet-4', chatMs: 2600, tools: ['web_search', 'fetch_url'] },
  coder: { provider: 'openai', model: 'gpt-4.1', chatMs: 3200, tools: ['read_file', 'apply_patch', 'grep'] },
  reviewer: { provider: 'anthropic', model: 'claude-sonnet-4', chatMs: 2200, tools: ['read_file', 'grep'] },
  tester: { provider: 'openai', model: 'gpt-4o-mini', chatMs: 900, tools: ['run_tests'] },
  writer: { provider: 'anthropic', model: 'claude-haiku-4', chatMs: 1200, tools: ['read_file'] },
  summarizer: { provider: 'openai', model: 'gpt-4o-mini', chatMs: 700, tools: [] },
  triager: { provider: 'openai', model: 'gpt-4o-mini', chatMs: 600, tools: ['search_issues'] },
  orchestrator: { provider: 'anthropic', model: 'claude-sonnet-4', chatMs: 1500, tools: ['read_file'] },
};

/** Candidate teams per task type, with a hidden quality (probability the work is good). */
export const FLEET_TEAMS: Record<string, { members: string[]; quality: number; weight: number; plan?: Delegation }[]> = {
  bugfix: [
    { members: ['triager', 'coder', 'tester'], quality: 0.9, weight: 3 },
    { members: ['coder', 'reviewer', 'tester'], quality: 0.95, weight: 3 },
    { members: ['coder', 'tester'], quality: 0.7, weight: 2 },
    { members: ['planner', 'coder', 'reviewer', 'tester'], quality: 0.96, weight: 1 },
  ],
  feature: [
    { members: ['planner', 'coder', 'reviewer'], quality: 0.9, weight: 3 },
    { members: ['planner', 'coder', 'reviewer', 'tester'], quality: 0.95, weight: 2 },
    { members: ['coder', 'writer'], quality: 0.65, weight: 1 },
    { members: ['planner', 'researcher', 'coder', 'reviewer', 'tester'], quality: 0.93, weight: 1 },
  ],
  research: [
    { members: ['researcher', 'summarizer'], quality: 0.88, weight: 3 },
    { members: ['planner', 'researcher', 'writer'], quality: 0.92, weight: 2 },
    { members: ['researcher', 'reviewer', 'writer'], quality: 0.95, weight: 1 },
  ],
  docs: [
    { members: ['writer', 'reviewer'], quality: 0.94, weight: 3 },
    { members: ['researcher', 'writer'], quality: 0.88, weight: 2 },
    { members: ['writer', 'summarizer'], quality: 0.8, weight: 1 },
  ],
  triage: [
    { members: ['triager', 'summarizer'], quality: 0.93, weight: 3 },
    { members: ['triager', 'researcher'], quality: 0.95, weight: 1 },
  ],
  // Nested teams: an orchestrator delegates to agents that delegate in turn (agent paths, subtree costs, the agent graph).
  project: [
    {
      members: ['orchestrator', 'planner', 'coder', 'tester', 'reviewer'],
      quality: 0.93,
      weight: 2,
      plan: { agent: 'orchestrator', delegates: [{ agent: 'planner' }, { agent: 'coder', delegates: [{ agent: 'tester' }, { agent: 'reviewer' }] }] },
    },
    {
      members: ['orchestrator', 'researcher', 'writer', 'summarizer'],
      quality: 0.9,
      weight: 1,
      plan: { agent: 'orchestrator', delegates: [{ agent: 'researcher', delegates: [{ agent: 'summarizer' }] }, { agent: 'writer' }] },
    },
  ],
};

const TASK_MIX: [string, number][] = [['bugfix', 0.27], ['feature', 0.18], ['research', 0.18], ['docs', 0.14], ['triage', 0.13], ['project', 0.1]];

function pick<T>(rng: Rng, items: [T, number][]): T {
  const total = items.reduce((s, [, w]) => s + w, 0);
  let r = rng.next() * total;
  for (const [v, w] of items) if ((r -= w) < 0) return v;
  return items[items.length - 1][0];
}

/** Runs the simulation; returns what it emitted. Yields to the event loop so exporters keep up. */
export async function simulateFleet(options: FleetOptions = {}): Promise<FleetResult> {
  const rng = createRng(options.seed ?? 42);
  const tasks = options.tasks ?? 4500;
  const days = options.days ?? 7;
  const toMs = options.nowMs ?? Date.now();
  const fromMs = toMs - days * 86_400_000;
  const incidentFrom = toMs - 86_400_000;
  const incidents = options.incidents ?? true;
  const w = new FleetWriter();
  const faults: Record<string, number> = {};
  const count = (k: string): void => void (faults[k] = (faults[k] ?? 0) + 1);
  let failedTasks = 0;

  for (let i = 0; i < tasks; i++) {
    const taskStart = fromMs + ((i + rng.next()) / tasks) * (toMs - fromMs - 600_000);
    const progress = (taskStart - fromMs) / (toMs - fromMs);
    const inIncident = incidents && taskStart >= incidentFrom;
    const taskType = pick(rng, TASK_MIX);
    const team = pick(rng, FLEET_TEAMS[taskType].map((t) => [t, t.weight] as [typeof t, number]));
    const members = [...team.members].sort();
    const taskId = `task-${(options.seed ?? 42).toString(36)}-${i}`;
    const teamId = `team-${i}`;
    // A session (conversation) holds about three tasks: the dashboard's sessions and the report's costs by session.
    const session = `session-${(options.seed ?? 42).toString(36)}-${Math.floor(i / 3)}`;
    const inherited = { 'agentpulse.task.id': taskId, 'agentpulse.task.type': taskType, 'agentpulse.team.id': teamId, 'agentpulse.team.members': members, 'gen_ai.conversation.id': session };
    const root = context.active();
    const taskSpan = w.start(`task ${taskType}`, taskStart, { 'agentpulse.operation': 'task', ...inherited }, root);
    const taskCtx = trace.setSpan(root, taskSpan);
    const teamSpan = w.start(`team ${members.join('+')}`, taskStart + 2, { 'agentpulse.operation': 'team', ...inherited }, taskCtx);
    const teamCtx = trace.setSpan(taskCtx, teamSpan);
    let t = taskStart + 5;
    let taskError: string | null = null;

    const run: TaskRun = { rng, w, agents: FLEET_AGENTS, count, inherited, inIncident, progress };
    // A flat team runs its members one after the other; a project's orchestrator delegates down a tree.
    const plan: Delegation[] = team.plan ? [team.plan] : team.members.map((agent) => ({ agent }));
    for (const d of plan) {
      const r = runAgent(run, d, teamCtx, t);
      t = r.endMs + 10;
      if (r.error) {
        taskError = r.cause ?? r.error;
        break;
      }
    }
    if (!taskError && rng.next() > team.quality) taskError = 'quality_check_failed';
    if (taskError) {
      failedTasks++;
      fail(teamSpan, taskError, `team failed: ${taskError}`);
      fail(taskSpan, taskError, `task failed: ${taskError}`);
    } else {
      taskSpan.setStatus({ code: SpanStatusCode.OK });
    }
    teamSpan.end(hr(t));
    taskSpan.end(hr(t + 2));
    if (i % 25 === 24) {
      options.onProgress?.(i + 1, tasks);
      // Let the span processor hand batches to the writer between bursts.
      await new Promise<void>((resolve) => setImmediate(resolve));
    }
  }
  options.onProgress?.(tasks, tasks);
  return { tasks, spans: w.spans, failedTasks, faults, fromMs, toMs };
}
