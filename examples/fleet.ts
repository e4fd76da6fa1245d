/**
 * A simulated fleet of AI agents with realistic faults, emitted through the real
 * OpenTelemetry API (so through whatever provider is registered: the agentpulse preload,
 * `startAgentpulse`, or another SDK). Times are explicit, so a week of history takes
 * seconds. Deterministic for a given seed.
 */
import { context, SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import type { Attributes, Context, HrTime, Span } from '@opentelemetry/api';
import { createRng } from '../analyzer/stats/rng.js';
import type { Rng } from '../analyzer/stats/rng.js';

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

interface AgentSpec {
  provider: string;
  model: string;
  /** Median latency of one LLM call, ms. */
  chatMs: number;
  tools: string[];
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
};

/** USD per 1M tokens [input, output]. */
const PRICES: Record<string, [number, number]> = {
  'gpt-4o': [2.5, 10],
  'gpt-4.1': [2, 8],
  'gpt-4o-mini': [0.15, 0.6],
  'claude-sonnet-4': [3, 15],
  'claude-haiku-4': [0.8, 4],
};

/** Candidate teams per task type, with a hidden quality (probability the work is good). */
export const FLEET_TEAMS: Record<string, { members: string[]; quality: number; weight: number }[]> = {
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
};

const TASK_MIX: [string, number][] = [['bugfix', 0.3], ['feature', 0.2], ['research', 0.2], ['docs', 0.15], ['triage', 0.15]];

const hr = (ms: number): HrTime => {
  const sec = Math.floor(ms / 1000);
  return [sec, Math.round((ms - sec * 1000) * 1e6)];
};

function pick<T>(rng: Rng, items: [T, number][]): T {
  const total = items.reduce((s, [, w]) => s + w, 0);
  let r = rng.next() * total;
  for (const [v, w] of items) if ((r -= w) < 0) return v;
  return items[items.length - 1][0];
}

/** Log-normal latency with the given median and spread. */
function lognormal(rng: Rng, median: number, sigma = 0.45): number {
  return median * Math.exp(sigma * rng.normal());
}

class FleetWriter {
  spans = 0;
  readonly tracer = trace.getTracer('agentpulse.demo', '1');
  start(name: string, startMs: number, attributes: Attributes, parent: Context, kind = SpanKind.INTERNAL): Span {
    this.spans++;
    return this.tracer.startSpan(name, { startTime: hr(startMs), attributes, kind }, parent);
  }
}

function fail(span: Span, errorType: string, message: string): void {
  span.setAttribute('error.type', errorType);
  span.setStatus({ code: SpanStatusCode.ERROR, message });
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
    const inherited = { 'agentpulse.task.id': taskId, 'agentpulse.task.type': taskType, 'agentpulse.team.id': teamId, 'agentpulse.team.members': members };
    const root = context.active();
    const taskSpan = w.start(`task ${taskType}`, taskStart, { 'agentpulse.operation': 'task', ...inherited }, root);
    const taskCtx = trace.setSpan(root, taskSpan);
    const teamSpan = w.start(`team ${members.join('+')}`, taskStart + 2, { 'agentpulse.operation': 'team', ...inherited }, taskCtx);
    const teamCtx = trace.setSpan(taskCtx, teamSpan);
    let t = taskStart + 5;
    let taskError: string | null = null;

    for (const agent of team.members) {
      const spec = FLEET_AGENTS[agent];
      const queueDepth = Math.max(0, Math.round(rng.normal() * 2 + (agent === 'coder' && inIncident ? 14 : 4)));
      const contextSize = Math.round(lognormal(rng, agent === 'researcher' ? 40_000 : 16_000, 0.6));
      const agentAttrs = {
        ...inherited,
        'gen_ai.operation.name': 'invoke_agent',
        'gen_ai.agent.name': agent,
        'gen_ai.provider.name': spec.provider,
        'gen_ai.request.model': spec.model,
        'agentpulse.context.size': contextSize,
        'agentpulse.queue.depth': queueDepth,
      };
      const agentStart = t;
      const agentSpan = w.start(`invoke_agent ${agent}`, agentStart, agentAttrs, teamCtx);
      const agentCtx = trace.setSpan(teamCtx, agentSpan);
      let agentError: string | null = null;
      let tokensIn = 0;
      let tokensOut = 0;
      let cost = 0;
      const chats = 1 + Math.floor(rng.next() * 3);
      // A tool loop: the agent calls the same tool over and over; it rarely ends well.
      const toolLoop = spec.tools.length > 0 && rng.next() < 0.03;
      const toolCalls = toolLoop ? 5 + Math.floor(rng.next() * 4) : spec.tools.length === 0 ? 0 : Math.floor(rng.next() * 3);
      for (let c = 0; c < chats && !agentError; c++) {
        let median = spec.chatMs;
        if (agent === 'reviewer') median *= 1 + 0.3 * progress; // slow drift over the whole history
        if (agent === 'coder' && inIncident) median *= 1.6; // the incident: coder got slower
        let dur = lognormal(rng, median);
        const inTok = Math.round(contextSize / chats + lognormal(rng, 800, 0.5));
        const outTok = Math.round(lognormal(rng, 350, 0.6));
        const chat = w.start(
          `chat ${spec.model}`,
          t,
          {
            ...inherited,
            'gen_ai.operation.name': 'chat',
            'gen_ai.agent.name': agent,
            'gen_ai.provider.name': spec.provider,
            'gen_ai.request.model': spec.model,
            'agentpulse.context.size': contextSize,
          },
          agentCtx,
          SpanKind.CLIENT,
        );
        const rateLimitP = agent === 'researcher' && inIncident ? 0.14 : 0.03;
        const r = rng.next();
        let fault: string | null = null;
        if (contextSize > 120_000) fault = 'context_length_exceeded';
        else if (r < 0.02) fault = 'timeout';
        else if (r < 0.02 + rateLimitP) fault = 'rate_limit';
        if (fault) {
          count(fault);
          if (fault === 'timeout') dur = 30_000;
          if (fault === 'rate_limit') dur = lognormal(rng, 150, 0.3);
          fail(chat, fault, fault === 'timeout' ? 'request timed out after 30s' : fault === 'rate_limit' ? '429 Too Many Requests' : 'context window exceeded');
          chat.end(hr(t + dur));
          t += dur;
          // Recovery: retry with backoff for transient faults, reduced scope for context overflow.
          const strategy = fault === 'context_length_exceeded' ? 'reduce_scope' : 'retry';
          const recovered = rng.next() < (fault === 'timeout' ? 0.8 : fault === 'rate_limit' ? 0.9 : 0.7);
          const backoff = strategy === 'retry' ? 1000 * (1 + rng.next() * 0.2 - 0.1) : 50;
          const rec = w.start(
            `recovery ${strategy}`,
            t,
            {
              'gen_ai.agent.name': agent,
              'agentpulse.recovery.strategy': strategy,
              'agentpulse.recovery.error_class': fault === 'rate_limit' ? 'rate_limit' : fault === 'timeout' ? 'timeout' : 'context_loss',
              'agentpulse.recovery.attempt': 1,
              'agentpulse.recovery.delay_ms': Math.round(backoff),
              'agentpulse.recovery.outcome': recovered ? 'recovered' : 'failed',
              'error.type': fault,
            },
            agentCtx,
          );
          rec.addEvent('agentpulse.recovery.attempt', { 'agentpulse.recovery.attempt': 1, 'agentpulse.recovery.delay_ms': Math.round(backoff) }, hr(t + backoff));
          const retryDur = lognormal(rng, median);
          if (!recovered) fail(rec, fault, `recovery by ${strategy} failed`);
          rec.end(hr(t + backoff + retryDur));
          t += backoff + retryDur;
          if (!recovered) {
            agentError = fault;
            continue;
          }
          dur = 0;
        }
        tokensIn += inTok;
        tokensOut += outTok;
        const [pi, po] = PRICES[spec.model];
        const callCost = (inTok * pi + outTok * po) / 1e6;
        cost += callCost;
        if (!fault) {
          chat.setAttributes({ 'gen_ai.usage.input_tokens': inTok, 'gen_ai.usage.output_tokens': outTok, 'agentpulse.cost.usd': callCost, 'gen_ai.response.model': spec.model });
          chat.end(hr(t + dur));
        }
        t += dur + 5;
      }
      for (let k = 0; k < toolCalls && !agentError; k++) {
        const tool = toolLoop ? spec.tools[0] : spec.tools[Math.floor(rng.next() * spec.tools.length)];
        const dur = lognormal(rng, tool === 'run_tests' ? 4000 : tool === 'web_search' ? 900 : 120, 0.5);
        const span = w.start(`execute_tool ${tool}`, t, { ...inherited, 'gen_ai.operation.name': 'execute_tool', 'gen_ai.tool.name': tool, 'gen_ai.agent.name': agent }, agentCtx);
        if (rng.next() < 0.03) {
          count('tool_error');
          fail(span, 'tool_error', `${tool} failed`);
          span.end(hr(t + dur));
          t += dur;
          agentError = 'tool_error';
          break;
        }
        span.end(hr(t + dur));
        t += dur + 3;
      }
      if (!agentError && toolLoop && rng.next() < 0.7) agentError = 'tool_loop';
      agentSpan.setAttributes({ 'gen_ai.usage.input_tokens': tokensIn, 'gen_ai.usage.output_tokens': tokensOut, 'agentpulse.cost.usd': cost });
      if (agentError) {
        if (agentError === 'tool_loop') count('tool_loop');
        fail(agentSpan, agentError, `${agent} failed: ${agentError}`);
        taskError = agentError;
      }
      agentSpan.end(hr(t));
      t += 10;
      if (agentError) break;
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
