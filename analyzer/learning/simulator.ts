/**
 * A seeded simulator of agent-team task histories with a known ground truth, used by the
 * learning tests (and usable by demos): some teams are truly better per task type, and a few
 * antipatterns are planted (an agent pair that fails together, oversized context, tool loops
 * that a weak model falls into, an agent degraded for a few days). Every task's true success
 * probability is returned beside the spans, so tests can score what the learner found.
 */
import { createRng } from '../stats/rng.js';
import type { Rng } from '../stats/rng.js';
import type { Attributes, SpanRecord } from '../../store/types.js';
import { assignVariant } from './assignment.js';

export interface SimTeam {
  members: string[];
  /** True success probability of this team on this task type before planted effects. */
  success: number;
}

export interface SimWorld {
  taskTypes: string[];
  teams: Record<string, SimTeam[]>;
  /** The static starting policy: one team signature per task type. */
  defaultTeam: Record<string, string>;
  tools: Record<string, string[]>;
  models: { name: string; weight: number; loopRate: number }[];
  /** Log-odds added when the team holds both agents of the pair. */
  badPair: { agents: [string, string]; logit: number } | null;
  /** Context at or above `minTokens` (drawn with probability `rate`) adds `logit`. */
  oversizedContext: { rate: number; minTokens: number; logit: number } | null;
  /** Log-odds added when the task falls into a tool loop (same tool ≥ 3 times in a row). */
  loopLogit: number;
  /** Agents degraded during [fromDay, toDay) of the history, adding `logit`. */
  degraded: { agent: string; fromDay: number; toDay: number; logit: number }[];
  /** Recovery success probability per task type and strategy (independent of task outcome). */
  recovery: Record<string, Record<string, number>>;
  /** Probability that a task needs a recovery episode. */
  recoveryRate: number;
}

const sig = (members: string[]): string => [...new Set(members)].sort().join('+');

/** The default world: three task types, four or five candidate teams each, every planted effect on. */
export function defaultWorld(): SimWorld {
  const teams: Record<string, SimTeam[]> = {
    bugfix: [
      { members: ['coder', 'reviewer'], success: 0.96 },
      { members: ['coder', 'planner', 'reviewer'], success: 0.93 },
      { members: ['coder'], success: 0.7 },
      { members: ['coder', 'tester'], success: 0.9 },
      { members: ['coder', 'planner', 'tester'], success: 0.92 },
    ],
    feature: [
      { members: ['coder', 'planner', 'reviewer'], success: 0.95 },
      { members: ['coder', 'planner'], success: 0.7 },
      { members: ['coder', 'planner', 'tester'], success: 0.9 },
      { members: ['coder', 'writer'], success: 0.12 },
    ],
    research: [
      { members: ['researcher', 'writer'], success: 0.95 },
      { members: ['researcher'], success: 0.7 },
      { members: ['planner', 'researcher'], success: 0.92 },
      { members: ['researcher', 'reviewer', 'writer'], success: 0.9 },
    ],
  };
  return {
    taskTypes: ['bugfix', 'feature', 'research'],
    teams,
    defaultTeam: { bugfix: 'coder', feature: 'coder+planner', research: 'researcher' },
    tools: {
      bugfix: ['search_code', 'read_file', 'edit_file', 'run_tests', 'git_diff'],
      feature: ['read_file', 'edit_file', 'run_tests', 'lint', 'git_diff'],
      research: ['web_search', 'fetch_url', 'read_pdf', 'summarize', 'cite'],
    },
    models: [
      { name: 'gpt-4o', weight: 0.45, loopRate: 0.02 },
      { name: 'claude-sonnet', weight: 0.4, loopRate: 0.02 },
      { name: 'tiny-model', weight: 0.15, loopRate: 0.85 },
    ],
    badPair: { agents: ['coder', 'tester'], logit: -4.5 },
    oversizedContext: { rate: 0.08, minTokens: 65_536, logit: -5 },
    loopLogit: -5,
    degraded: [{ agent: 'reviewer', fromDay: 9, toDay: 11, logit: -6 }],
    recovery: {
      bugfix: { retry: 0.85, fallback: 0.55, escalate: 0.6 },
      feature: { retry: 0.6, fallback: 0.8, escalate: 0.65 },
      research: { retry: 0.4, fallback: 0.88, escalate: 0.6 },
    },
    recoveryRate: 0.25,
  };
}

/** A world where nothing matters: every team equal, no planted effect (for false-positive checks). */
export function nullWorld(): SimWorld {
  const w = defaultWorld();
  for (const t of w.taskTypes) for (const team of w.teams[t]) team.success = 0.75;
  w.models = w.models.map((m) => ({ ...m, loopRate: 0 }));
  return { ...w, badPair: null, oversizedContext: null, loopLogit: 0, degraded: [] };
}

/** Ground truth of one simulated task. */
export interface SimTask {
  taskId: string;
  traceId: string;
  taskType: string;
  team: string;
  model: string;
  contextSize: number;
  oversized: boolean;
  loop: boolean;
  degraded: boolean;
  badPair: boolean;
  /** True success probability given everything, including the (unforeseeable) loop. */
  trueP: number;
  success: boolean;
  startNs: bigint;
  variant: string | null;
}

export interface SimExperiment {
  name: string;
  variants: string[];
  /** Intended shares (used by the hash assignment). */
  weights?: number[];
  /** Added to the success probability per variant, e.g. { treatment: 0.1 }. */
  effect?: Record<string, number>;
  /** Overrides the hash with a skewed assignment (share per variant) to simulate a broken split. */
  skewedShares?: number[];
}

export interface SimulateOptions {
  seed: number;
  count: number;
  /** First task start (epoch ns); default 2025-01-06T00:00Z. */
  startNs?: bigint;
  /** Span of time the tasks are spread over, in days (default 28). */
  days?: number;
  /** Day offset of the first task inside the world's calendar (for degraded windows). */
  dayOffset?: number;
  /** Team per task; default uniform over the world's teams for the task type. */
  chooseTeam?: (taskType: string, rng: Rng, index: number) => string;
  experiment?: SimExperiment;
  /** Prefix for task ids, so several simulated batches never collide. */
  idPrefix?: string;
}

export interface Simulation {
  tasks: SimTask[];
  spans: SpanRecord[];
}

export const DEFAULT_SIM_START_NS = 1_736_121_600_000_000_000n; // 2025-01-06T00:00:00Z
const DAY_NS = 86_400_000_000_000;

const sigmoid = (x: number): number => 1 / (1 + Math.exp(-x));
const logit = (p: number): number => Math.log(p / (1 - p));

function hex(rng: Rng, bytes: number): string {
  let s = '';
  for (let i = 0; i < bytes; i++) s += rng.int(256).toString(16).padStart(2, '0');
  return s;
}

function span(over: Partial<SpanRecord> & Pick<SpanRecord, 'traceId' | 'spanId' | 'name' | 'startNs' | 'endNs' | 'attributes'>): SpanRecord {
  return {
    parentSpanId: null,
    kind: 'internal',
    statusCode: 'OK',
    statusMessage: null,
    resource: { 'service.name': 'sim-agents' },
    scopeName: 'agentpulse',
    scopeVersion: null,
    events: [],
    links: [],
    ...over,
  };
}

/** Simulates `count` tasks into spans, deterministically from `seed`. */
export function simulate(world: SimWorld, options: SimulateOptions): Simulation {
  const rng = createRng(options.seed);
  const start = options.startNs ?? DEFAULT_SIM_START_NS;
  const days = options.days ?? 28;
  const dayOffset = options.dayOffset ?? 0;
  const step = (days * DAY_NS) / options.count;
  const prefix = options.idPrefix ?? `s${options.seed}`;
  const tasks: SimTask[] = [];
  const spans: SpanRecord[] = [];
  const modelTotal = world.models.reduce((s, m) => s + m.weight, 0);

  for (let i = 0; i < options.count; i++) {
    const taskType = world.taskTypes[rng.int(world.taskTypes.length)];
    const candidates = world.teams[taskType];
    const team = options.chooseTeam ? options.chooseTeam(taskType, rng, i) : sig(candidates[rng.int(candidates.length)].members);
    const members = team.split('+');
    const known = candidates.find((c) => sig(c.members) === team);
    let u = rng.next() * modelTotal;
    const model = world.models.find((m) => (u -= m.weight) < 0) ?? world.models[world.models.length - 1];
    const oversized = world.oversizedContext !== null && rng.next() < world.oversizedContext.rate;
    const contextSize = oversized
      ? Math.round(world.oversizedContext!.minTokens * (1 + 2 * rng.next()))
      : Math.round(2_000 * Math.pow(2, 4 * rng.next()));
    const loop = rng.next() < model.loopRate;
    const offsetNs = Math.floor(i * step + rng.next() * step * 0.5);
    const startNs = start + BigInt(offsetNs);
    const day = dayOffset + offsetNs / DAY_NS;
    const degraded = world.degraded.some((d) => members.includes(d.agent) && day >= d.fromDay && day < d.toDay);
    const badPair = world.badPair !== null && world.badPair.agents.every((a) => members.includes(a));

    let eta = logit(known?.success ?? 0.5);
    if (badPair) eta += world.badPair!.logit;
    if (oversized) eta += world.oversizedContext!.logit;
    if (loop) eta += world.loopLogit;
    for (const d of world.degraded) if (members.includes(d.agent) && day >= d.fromDay && day < d.toDay) eta += d.logit;
    let trueP = sigmoid(eta);

    let variant: string | null = null;
    const exp = options.experiment;
    const taskId = `${prefix}-t${i}`;
    if (exp) {
      if (exp.skewedShares) {
        let v = rng.next();
        const total = exp.skewedShares.reduce((a, b) => a + b, 0);
        variant = exp.variants.find((_, k) => (v -= exp.skewedShares![k] / total) < 0) ?? exp.variants[exp.variants.length - 1];
      } else {
        variant = assignVariant(exp.name, taskId, exp.variants, exp.weights);
      }
      trueP = Math.min(1, Math.max(0, trueP + (exp.effect?.[variant] ?? 0)));
    }
    const success = rng.next() < trueP;
    const traceId = hex(rng, 16);
    tasks.push({ taskId, traceId, taskType, team, model: model.name, contextSize, oversized, loop, degraded, badPair, trueP, success, startNs, variant });

    // Spans: task → team → one invoke_agent per member (each calling some tools) → optional recovery.
    const taskSpanId = hex(rng, 8);
    const teamSpanId = hex(rng, 8);
    const scope: Attributes = { 'agentpulse.task.id': taskId, 'agentpulse.task.type': taskType };
    const teamScope: Attributes = { ...scope, 'agentpulse.team.id': `${taskId}-team`, 'agentpulse.team.members': members };
    let t = startNs + 1_000_000n;
    const children: SpanRecord[] = [];
    const toolPool = world.tools[taskType];
    // A random order of a random subset: tool sequences carry no signal of their own.
    const tools = toolPool.filter(() => rng.next() < 0.6);
    for (let k = tools.length - 1; k > 0; k--) {
      const j = rng.int(k + 1);
      [tools[k], tools[j]] = [tools[j], tools[k]];
    }
    if (tools.length === 0) tools.push(toolPool[rng.int(toolPool.length)]);
    const calls: string[] = [];
    for (const tool of tools) calls.push(tool);
    if (loop) {
      const at = rng.int(calls.length);
      calls.splice(at, 0, calls[at], calls[at], calls[at]);
    }
    const perAgent = Math.ceil(calls.length / members.length);
    members.forEach((agent, a) => {
      const agentSpanId = hex(rng, 8);
      const agentStart = t;
      const myCalls = calls.slice(a * perAgent, (a + 1) * perAgent);
      for (const tool of myCalls) {
        const d = BigInt(5_000_000 + rng.int(50_000_000));
        children.push(
          span({
            traceId, spanId: hex(rng, 8), parentSpanId: agentSpanId, name: `execute_tool ${tool}`, startNs: t, endNs: t + d,
            attributes: { ...teamScope, 'gen_ai.agent.name': agent, 'gen_ai.operation.name': 'execute_tool', 'gen_ai.tool.name': tool },
          }),
        );
        t += d + 1_000n;
      }
      t += BigInt(20_000_000 + rng.int(200_000_000));
      children.push(
        span({
          traceId, spanId: agentSpanId, parentSpanId: teamSpanId, name: `invoke_agent ${agent}`, startNs: agentStart, endNs: t,
          attributes: {
            ...teamScope, 'gen_ai.operation.name': 'invoke_agent', 'gen_ai.agent.name': agent, 'gen_ai.request.model': model.name,
            'gen_ai.provider.name': model.name.startsWith('claude') ? 'anthropic' : 'openai', 'agentpulse.context.size': contextSize,
            'agentpulse.cost.usd': 0.002 + rng.next() * 0.02,
          },
        }),
      );
      t += 1_000n;
    });
    if (rng.next() < world.recoveryRate) {
      const strategies = Object.keys(world.recovery[taskType]);
      const strategy = strategies[rng.int(strategies.length)];
      const recovered = rng.next() < world.recovery[taskType][strategy];
      children.push(
        span({
          traceId, spanId: hex(rng, 8), parentSpanId: teamSpanId, name: `recovery ${strategy}`, startNs: t, endNs: t + 30_000_000n,
          attributes: { ...teamScope, 'agentpulse.recovery.strategy': strategy, 'agentpulse.recovery.outcome': recovered ? 'recovered' : 'escalated', 'error.type': 'timeout' },
        }),
      );
      t += 30_000_001n;
    }
    const taskAttrs: Attributes = { 'agentpulse.operation': 'task', ...scope };
    if (exp && variant) {
      taskAttrs[`agentpulse.experiment.${exp.name}`] = variant;
      taskAttrs[`agentpulse.experiment.${exp.name}.unit`] = taskId;
    }
    spans.push(
      span({
        traceId, spanId: taskSpanId, name: `task ${taskType}`, startNs, endNs: t + 1_000_000n, attributes: taskAttrs,
        statusCode: success ? 'OK' : 'ERROR', statusMessage: success ? null : 'task failed',
      }),
      span({
        traceId, spanId: teamSpanId, parentSpanId: taskSpanId, name: `team ${team}`, startNs: startNs + 500_000n, endNs: t + 500_000n,
        attributes: { 'agentpulse.operation': 'team', ...teamScope },
      }),
      ...children,
    );
  }
  return { tasks, spans };
}

/** Team signatures the world knows for a task type (its candidate catalogue). */
export function worldCandidates(world: SimWorld, taskType: string): string[] {
  return world.teams[taskType].map((t) => sig(t.members));
}
