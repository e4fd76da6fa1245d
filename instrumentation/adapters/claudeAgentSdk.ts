import { context, propagation, SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import type { Span } from '@opentelemetry/api';
import { adapterTracer, captured, clean, failSpan, num, obj, str } from './shared.js';
import type { Json } from './shared.js';

/*
 * The Claude Agent SDK (`@anthropic-ai/claude-agent-sdk` 0.3), which runs Claude Code as a child
 * process. Each `query()` is an `invoke_agent claude-code` span that lasts while the app reads its
 * messages; the child is started with the span's W3C `TRACEPARENT` (Claude Code's beta traces
 * continue it) and, when the app knows an agentpulse collector, with Claude Code's own OTel
 * telemetry switched on towards it. The `system`/`init` message gives the session id and model,
 * the `result` message the run's tokens, cost, turns, duration and outcome.
 */

const tracer = adapterTracer('claude-agent-sdk');

type Env = Record<string, string | undefined>;

/** Claude Code's telemetry switches, as docs/coding-agents.md sets them by hand. */
function telemetryEnv(endpoint: string): Env {
  return {
    CLAUDE_CODE_ENABLE_TELEMETRY: '1',
    OTEL_LOGS_EXPORTER: 'otlp',
    OTEL_METRICS_EXPORTER: 'otlp',
    OTEL_EXPORTER_OTLP_PROTOCOL: 'http/protobuf',
    OTEL_EXPORTER_OTLP_ENDPOINT: endpoint,
  };
}

/** The agentpulse collector the app reports to: its OTLP endpoint, else the collector the CLI reads (`AGENTPULSE_URL`). */
function collectorUrl(appEnv: Env): string | undefined {
  return str(appEnv.OTEL_EXPORTER_OTLP_ENDPOINT?.trim()) ?? str(appEnv.AGENTPULSE_URL?.trim());
}

const truthy = (v: string | undefined): boolean => v !== undefined && ['1', 'true', 'yes', 'on'].includes(v.trim().toLowerCase());

/**
 * The environment Claude Code is started with: the app's own (`options.env`, or `process.env`,
 * which the SDK uses when none is given) plus the span's trace context, and the telemetry
 * switches the user did not set themselves when a collector is known.
 * @example
 * childEnv(undefined, trace.setSpan(context.active(), span), process.env);
 */
export function childEnv(userEnv: Env | undefined, ctx: ReturnType<typeof context.active>, appEnv: Env = process.env): Env {
  const env: Env = { ...(userEnv ?? appEnv) };
  const carrier: Record<string, string> = {};
  propagation.inject(ctx, carrier);
  // As the SDK does with its own context: a traceparent of ours replaces an inherited pair, never one the user passed.
  if ('traceparent' in carrier) {
    for (const k of ['TRACEPARENT', 'TRACESTATE']) if (!(userEnv && k in userEnv)) delete env[k];
  }
  for (const [k, v] of Object.entries(carrier)) {
    const key = k.toUpperCase();
    if (!(userEnv && key in userEnv)) env[key] = v;
  }
  const url = collectorUrl(appEnv);
  if (url) for (const [k, v] of Object.entries(telemetryEnv(url))) if (env[k] === undefined) env[k] = v;
  return env;
}

/** Sums the result's per-model totals (main loop, subagents, internal calls), which the SDK says to prefer over `usage`. */
function modelTotals(result: Json): Json | undefined {
  const per = obj(result.modelUsage);
  if (!per || Object.keys(per).length === 0) return undefined;
  const sum = (field: string): number | undefined => {
    const values = Object.values(per).map((u) => num(obj(u)?.[field]));
    return values.every((v) => v === undefined) ? undefined : values.reduce<number>((a, v) => a + (v ?? 0), 0);
  };
  return { input_tokens: sum('inputTokens'), output_tokens: sum('outputTokens'), cache_read_input_tokens: sum('cacheReadInputTokens'), cache_creation_input_tokens: sum('cacheCreationInputTokens') };
}

/** One query's span and what its messages said. */
class QueryRun {
  private ended = false;

  constructor(
    private readonly span: Span,
    /** Claude Code reports each model call itself (telemetry on): the run's totals stay beside, so tokens and cost count once. */
    private readonly childReports: boolean,
  ) {}

  add(message: unknown): void {
    const m = obj(message);
    if (!m) return;
    if (m.type === 'system' && m.subtype === 'init') {
      this.span.setAttributes(clean({ 'gen_ai.conversation.id': str(m.session_id), 'gen_ai.response.model': str(m.model), 'agentpulse.claude_code.version': str(m.claude_code_version) }));
    } else if (m.type === 'result') {
      this.result(m);
    }
  }

  /** Results are cumulative within a query (streaming input gives one per turn): the latest wins. */
  private result(r: Json): void {
    const usage = modelTotals(r) ?? obj(r.usage) ?? {};
    const prefix = this.childReports ? 'agentpulse.claude_code.usage' : 'gen_ai.usage';
    this.span.setAttributes(
      clean({
        'gen_ai.conversation.id': str(r.session_id),
        [`${prefix}.input_tokens`]: num(usage.input_tokens),
        [`${prefix}.output_tokens`]: num(usage.output_tokens),
        [`${prefix}.cache_read.input_tokens`]: num(usage.cache_read_input_tokens),
        [`${prefix}.cache_creation.input_tokens`]: num(usage.cache_creation_input_tokens),
        [this.childReports ? 'agentpulse.claude_code.cost_usd' : 'agentpulse.cost.usd']: num(r.total_cost_usd),
        'agentpulse.claude_code.num_turns': num(r.num_turns),
        'agentpulse.claude_code.duration_ms': num(r.duration_ms),
        'agentpulse.claude_code.result_subtype': str(r.subtype),
        'gen_ai.response.finish_reasons': str(r.stop_reason) ? [r.stop_reason as string] : undefined,
        'gen_ai.output.messages': typeof r.result === 'string' ? captured(r.result) : undefined,
      }),
    );
    if (r.is_error === true) {
      // error_max_turns, error_during_execution, error_max_budget_usd…; a failed `success` is a model/API error.
      const subtype = str(r.subtype);
      this.span.setAttribute('error.type', subtype && subtype !== 'success' ? subtype : 'error_result');
      const errors = Array.isArray(r.errors) ? r.errors.filter((e): e is string => typeof e === 'string').join('; ') : '';
      this.span.setStatus({ code: SpanStatusCode.ERROR, message: errors || str(r.result) || subtype || 'error result' });
    }
  }

  finish(err?: unknown): void {
    if (this.ended) return;
    this.ended = true;
    if (err !== undefined) failSpan(this.span, err);
    this.span.end();
  }
}

type IterResult = IteratorResult<unknown>;
type IterMethod = (...args: unknown[]) => Promise<IterResult>;

function watched(p: Promise<IterResult>, run: QueryRun): Promise<IterResult> {
  return p.then(
    (r) => {
      if (r.done) run.finish();
      else run.add(r.value);
      return r;
    },
    (err: unknown) => {
      run.finish(err);
      throw err;
    },
  );
}

/** Replaces next/return/throw on `target` (an iterator) with ones that report to `run`. */
function watchIterator(target: Record<string, unknown>, run: QueryRun): void {
  const next = target.next as IterMethod | undefined;
  const ret = target.return as IterMethod | undefined;
  const thr = target.throw as IterMethod | undefined;
  if (typeof next === 'function') target.next = function (this: unknown, ...a: unknown[]) { return watched(Promise.resolve(next.apply(this, a)), run); };
  if (typeof ret === 'function') target.return = function (this: unknown, ...a: unknown[]) { run.finish(); return ret.apply(this, a); };
  if (typeof thr === 'function') target.throw = function (this: unknown, ...a: unknown[]) { run.finish(a[0]); return thr.apply(this, a); };
}

/**
 * Observes the SDK's `Query` in place, keeping the object (interrupt, setPermissionMode… still
 * work): its own next/return/throw for callers that step it by hand, and the iterator its
 * `[Symbol.asyncIterator]` hands `for await` (the SDK's inner generator, not the Query itself).
 */
function observeQuery(q: unknown, run: QueryRun): void {
  const target = q as Record<string | symbol, unknown> | null;
  const iterate = target?.[Symbol.asyncIterator];
  if (!target || typeof iterate !== 'function') {
    run.finish();
    return;
  }
  watchIterator(target as Record<string, unknown>, run);
  target[Symbol.asyncIterator] = function (this: unknown): unknown {
    const it = (iterate as () => unknown).call(this);
    if (it === this || !it || typeof it !== 'object') return it;
    const inner = it as AsyncIterator<unknown>;
    const outer: Record<string | symbol, unknown> = {
      next: (...a: unknown[]) => (inner.next as IterMethod)(...a),
      [Symbol.asyncIterator]() {
        return this;
      },
    };
    if (inner.return) outer.return = (...a: unknown[]) => (inner.return as IterMethod)(...a);
    if (inner.throw) outer.throw = (...a: unknown[]) => (inner.throw as IterMethod)(...a);
    watchIterator(outer as Record<string, unknown>, run);
    return outer;
  };
}

/**
 * Wraps the SDK's `query` export: one `invoke_agent claude-code` span per call, ended when the
 * returned messages end (done, error, or the app stops early); Claude Code joins its trace.
 * @example
 * const traced = wrapClaudeAgentQuery(sdk.query);
 */
export function wrapClaudeAgentQuery<F extends (...args: never[]) => unknown>(original: F): F {
  const call = original as unknown as (...a: unknown[]) => unknown;
  const wrapped = function (this: unknown, ...args: unknown[]): unknown {
    const params = obj(args[0]);
    if (!params) return call.apply(this, args);
    const options = obj(params.options) ?? {};
    const span = tracer.startSpan('invoke_agent claude-code', {
      kind: SpanKind.CLIENT,
      attributes: clean({
        'gen_ai.operation.name': 'invoke_agent',
        'gen_ai.agent.name': 'claude-code',
        'gen_ai.provider.name': 'anthropic',
        'gen_ai.request.model': str(options.model),
        'gen_ai.conversation.id': str(options.resume),
        'gen_ai.input.messages': typeof params.prompt === 'string' ? captured(params.prompt) : undefined,
      }),
    });
    const ctx = trace.setSpan(context.active(), span);
    let q: unknown;
    let run: QueryRun;
    try {
      const env = childEnv(obj(options.env) as Env | undefined, ctx);
      run = new QueryRun(span, truthy(env.CLAUDE_CODE_ENABLE_TELEMETRY));
      const traced = { ...params, options: { ...options, env } };
      q = context.with(ctx, () => call.apply(this, [traced, ...args.slice(1)]));
    } catch (err) {
      failSpan(span, err);
      span.end();
      throw err;
    }
    observeQuery(q, run);
    return q;
  };
  Object.defineProperty(wrapped, 'name', { value: original.name });
  return wrapped as unknown as F;
}
