/**
 * One simulated agent run inside a fleet task (examples/fleet.ts): its model calls and tool calls,
 * the faults they meet and the recovery the recovery library would apply to each (its strategy
 * matrix, docs/recovery.md), and — for orchestrators — the agents it delegates to, nested inside
 * its own span, so agent paths, subtree costs and the agent graph have something to show.
 */
import { SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import type { Attributes, Context, HrTime, Span } from '@opentelemetry/api';
import type { Rng } from '../analyzer/stats/rng.js';

export interface AgentSpec {
  provider: string;
  model: string;
  /** Median latency of one LLM call, ms. */
  chatMs: number;
  tools: string[];
}

/** Who an agent hands work to, recursively (an orchestrator's plan). */
export interface Delegation {
  agent: string;
  delegates?: Delegation[];
}

/** USD per 1M tokens [input, output]. */
const PRICES: Record<string, [number, number]> = {
  'gpt-4o': [2.5, 10],
  'gpt-4.1': [2, 8],
  'gpt-4o-mini': [0.15, 0.6],
  'claude-sonnet-4': [3, 15],
  'claude-haiku-4': [0.8, 4],
};

export const hr = (ms: number): HrTime => {
  const sec = Math.floor(ms / 1000);
  return [sec, Math.round((ms - sec * 1000) * 1e6)];
};

/** Log-normal latency with the given median and spread. */
export function lognormal(rng: Rng, median: number, sigma = 0.45): number {
  return median * Math.exp(sigma * rng.normal());
}

export function fail(span: Span, errorType: string, message: string): void {
  span.setAttribute('error.type', errorType);
  span.setStatus({ code: SpanStatusCode.ERROR, message });
}

export class FleetWriter {
  spans = 0;
  readonly tracer = trace.getTracer('agentpulse.demo', '1');
  start(name: string, startMs: number, attributes: Attributes, parent: Context, kind = SpanKind.INTERNAL): Span {
    this.spans++;
    return this.tracer.startSpan(name, { startTime: hr(startMs), attributes, kind }, parent);
  }
}

/** What a task's agents share. */
export interface TaskRun {
  rng: Rng;
  w: FleetWriter;
  agents: Record<string, AgentSpec>;
  count(fault: string): void;
  inherited: Attributes;
  inIncident: boolean;
  /** Position of the task in the history, 0..1 (drifts grow with it). */
  progress: number;
}

type ErrorClass = 'timeout' | 'rate_limit' | 'context_loss' | 'capability_missing' | 'agent_failure' | 'performance_degradation';

/** The recovery matrix's rows the fleet meets, and the chance each strategy brings the call back. */
const MATRIX: Record<ErrorClass, [string, number][]> = {
  timeout: [['retry', 0.8], ['fallback_agent', 0.85]],
  rate_limit: [['retry', 0.9], ['fallback_agent', 0.9]],
  context_loss: [['checkpoint_restore', 0.6], ['rebuild_context', 0.8]],
  capability_missing: [['equivalent_agent', 0.75], ['decompose', 0.7]],
  agent_failure: [['circuit_breaker', 0.5], ['escalate', 0]],
  performance_degradation: [['scale_resources', 0.7], ['reduce_scope', 0.95]],
};

/**
 * One recovery episode per strategy, in the matrix's order, until one recovers (escalate hands the
 * call to a person: outcome escalated). Returns the time after it and whether the call came back.
 */
function recover(run: TaskRun, agent: string, errorClass: ErrorClass, errorType: string, parent: Context, t: number, medianMs: number): { t: number; recovered: boolean } {
  const { rng, w } = run;
  for (const [attempt, [strategy, p]] of MATRIX[errorClass].entries()) {
    const delay = strategy === 'retry' ? 1000 * (1 + rng.next() * 0.2 - 0.1) : strategy === 'escalate' ? 0 : 50;
    const recovered = strategy !== 'escalate' && rng.next() < p;
    const outcome = strategy === 'escalate' ? 'escalated' : recovered ? 'recovered' : 'failed';
    const rec = w.start(`recovery ${strategy}`, t, {
      ...run.inherited,
      'gen_ai.agent.name': agent,
      'agentpulse.recovery.strategy': strategy,
      'agentpulse.recovery.error_class': errorClass,
      'agentpulse.recovery.attempt': attempt + 1,
      'agentpulse.recovery.delay_ms': Math.round(delay),
      'agentpulse.recovery.outcome': outcome,
      'error.type': errorType,
      ...(strategy === 'fallback_agent' || strategy === 'equivalent_agent' ? { 'agentpulse.recovery.target_agent': `${agent}-backup` } : {}),
      ...(strategy === 'reduce_scope' ? { 'agentpulse.recovery.degradation': 'reduced_scope' } : {}),
    }, parent);
    rec.addEvent('agentpulse.recovery.attempt', { 'agentpulse.recovery.attempt': attempt + 1, 'agentpulse.recovery.delay_ms': Math.round(delay) }, hr(t + delay));
    const dur = strategy === 'escalate' ? 5 : lognormal(rng, medianMs);
    if (!recovered) fail(rec, errorType, `recovery by ${strategy} ${outcome}`);
    rec.end(hr(t + delay + dur));
    t += delay + dur;
    if (recovered) return { t, recovered: true };
  }
  return { t, recovered: false };
}

/**
 * Runs `d.agent` from `startMs` under `parent`, then the agents it delegates to, inside its span.
 * Returns when it ended, its error (`delegate_failed` when one of its delegates failed) and the
 * error at the bottom of it (`cause`).
 */
export function runAgent(run: TaskRun, d: Delegation, parent: Context, startMs: number): { endMs: number; error: string | null; cause: string | null } {
  const { rng, w, inherited, inIncident } = run;
  const agent = d.agent;
  const spec = run.agents[agent]!;
  const queueDepth = Math.max(0, Math.round(rng.normal() * 2 + (agent === 'coder' && inIncident ? 14 : 4)));
  const contextSize = Math.round(lognormal(rng, agent === 'researcher' ? 40_000 : 16_000, 0.6));
  const agentSpan = w.start(`invoke_agent ${agent}`, startMs, {
    ...inherited,
    'gen_ai.operation.name': 'invoke_agent',
    'gen_ai.agent.name': agent,
    'gen_ai.provider.name': spec.provider,
    'gen_ai.request.model': spec.model,
    'agentpulse.context.size': contextSize,
    'agentpulse.queue.depth': queueDepth,
  }, parent);
  const ctx = trace.setSpan(parent, agentSpan);
  let t = startMs + 1;
  let error: string | null = null;
  const chats = 1 + Math.floor(rng.next() * 3);
  // A tool loop: the agent calls the same tool over and over; it rarely ends well.
  const toolLoop = spec.tools.length > 0 && rng.next() < 0.03;
  const toolCalls = toolLoop ? 5 + Math.floor(rng.next() * 4) : spec.tools.length === 0 ? 0 : Math.floor(rng.next() * 3);
  // The agent itself crashes now and then: its breaker re-invokes it once, else a person is paged.
  if (rng.next() < 0.006) {
    run.count('agent_crashed');
    const r = recover(run, agent, 'agent_failure', 'agent_crashed', ctx, t, spec.chatMs);
    t = r.t;
    if (!r.recovered) error = 'agent_crashed';
  }
  for (let c = 0; c < chats && !error; c++) {
    let median = spec.chatMs;
    if (agent === 'reviewer') median *= 1 + 0.3 * run.progress; // slow drift over the whole history
    if (agent === 'coder' && inIncident) median *= 1.6; // the incident: coder got slower
    let dur = lognormal(rng, median);
    const inTok = Math.round(contextSize / chats + lognormal(rng, 800, 0.5));
    const outTok = Math.round(lognormal(rng, 350, 0.6));
    const chat = w.start(`chat ${spec.model}`, t, {
      ...inherited,
      'gen_ai.operation.name': 'chat',
      'gen_ai.agent.name': agent,
      'gen_ai.provider.name': spec.provider,
      'gen_ai.request.model': spec.model,
      'agentpulse.context.size': contextSize,
    }, ctx, SpanKind.CLIENT);
    const rateLimitP = agent === 'researcher' && inIncident ? 0.14 : 0.03;
    const r = rng.next();
    let fault: string | null = null;
    if (contextSize > 120_000) fault = 'context_length_exceeded';
    else if (r < 0.02) fault = 'timeout';
    else if (r < 0.02 + rateLimitP) fault = 'rate_limit';
    if (fault) {
      run.count(fault);
      if (fault === 'timeout') dur = 30_000;
      if (fault === 'rate_limit') dur = lognormal(rng, 150, 0.3);
      fail(chat, fault, fault === 'timeout' ? 'request timed out after 30s' : fault === 'rate_limit' ? '429 Too Many Requests' : 'context window exceeded');
      chat.end(hr(t + dur));
      t += dur;
      const errorClass: ErrorClass = fault === 'context_length_exceeded' ? 'context_loss' : fault === 'timeout' ? 'timeout' : 'rate_limit';
      const rec = recover(run, agent, errorClass, fault, ctx, t, median);
      t = rec.t;
      if (!rec.recovered) {
        error = fault;
        continue;
      }
      dur = 0;
    } else if (inIncident && agent === 'coder' && queueDepth > 16 && dur > 2 * spec.chatMs) {
      // Degraded service: the call is slow enough to count; more capacity, else a smaller job.
      run.count('slow_call');
      recover(run, agent, 'performance_degradation', 'slow_call', ctx, t + dur, median * 0.5);
    }
    const [pi, po] = PRICES[spec.model]!;
    if (!fault) {
      chat.setAttributes({ 'gen_ai.usage.input_tokens': inTok, 'gen_ai.usage.output_tokens': outTok, 'agentpulse.cost.usd': (inTok * pi + outTok * po) / 1e6, 'gen_ai.response.model': spec.model });
      chat.end(hr(t + dur));
    }
    t += dur + 5;
  }
  for (let k = 0; k < toolCalls && !error; k++) {
    const tool = toolLoop ? spec.tools[0]! : spec.tools[Math.floor(rng.next() * spec.tools.length)]!;
    const dur = lognormal(rng, tool === 'run_tests' ? 4000 : tool === 'web_search' ? 900 : 120, 0.5);
    const span = w.start(`execute_tool ${tool}`, t, { ...inherited, 'gen_ai.operation.name': 'execute_tool', 'gen_ai.tool.name': tool, 'gen_ai.agent.name': agent }, ctx);
    const roll = rng.next();
    if (roll < 0.03) {
      run.count('tool_error');
      fail(span, 'tool_error', `${tool} failed`);
      span.end(hr(t + dur));
      t += dur;
      error = 'tool_error';
      break;
    }
    if (roll < 0.045) {
      // The tool is not available to this agent: another agent that has it, else split the job.
      run.count('capability_missing');
      fail(span, 'tool_not_found', `${tool} is not available to ${agent}`);
      span.end(hr(t + 20));
      const r = recover(run, agent, 'capability_missing', 'tool_not_found', ctx, t + 20, dur);
      t = r.t;
      if (!r.recovered) error = 'capability_missing';
      continue;
    }
    span.end(hr(t + dur));
    t += dur + 3;
  }
  if (!error && toolLoop && rng.next() < 0.7) error = 'tool_loop';
  let cause = error;
  for (const sub of d.delegates ?? []) {
    if (error) break;
    const r = runAgent(run, sub, ctx, t + 2);
    t = r.endMs + 2;
    if (r.error) {
      error = 'delegate_failed';
      cause = r.cause;
    }
  }
  // Tokens and cost stay on the model calls: an agent span carrying their sum would count them twice.
  if (error) {
    if (error === 'tool_loop') run.count('tool_loop');
    fail(agentSpan, error, `${agent} failed: ${error}`);
  }
  agentSpan.end(hr(t));
  return { endMs: t, error, cause };
}
