import { context, propagation, ROOT_CONTEXT, SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import type { Attributes, Span } from '@opentelemetry/api';
import { adapterTracer, captured, clean, failSpan, obj, patchMethod, str } from './shared.js';
import type { Json } from './shared.js';

/*
 * The MCP TypeScript SDK (`@modelcontextprotocol/sdk` 1.x), per the OpenTelemetry MCP semantic
 * conventions: every request a client (or a server, for sampling/elicitation) sends is a CLIENT
 * span `{mcp.method.name} {target}` — `tools/call` ones are `execute_tool` with the tool's name —
 * and the W3C trace context travels in the request's `params._meta` (`traceparent`,
 * `tracestate`); every request handled is a SERVER span that continues it, so a client and a
 * server in different processes join one trace. Both sides live on the SDK's `Protocol` class,
 * which `Client` and `Server` extend: its `request` and `setRequestHandler` are wrapped once.
 */

const tracer = adapterTracer('mcp');

/** The low-cardinality target of a method: a tool, prompt or resource template name. */
function targetOf(method: string, params: Json | undefined): string | undefined {
  if (!params) return undefined;
  if (method === 'tools/call' || method === 'prompts/get') return str(params.name);
  if (method === 'resources/read' || method === 'resources/subscribe' || method === 'resources/unsubscribe') return str(params.uri);
  return undefined;
}

function transportOf(t: unknown): string | undefined {
  const name = (t as { constructor?: { name?: string } } | null)?.constructor?.name ?? '';
  if (/stdio/i.test(name)) return 'pipe';
  if (/http|sse|websocket/i.test(name)) return 'tcp';
  return undefined;
}

function attributesOf(method: string, params: Json | undefined, side: 'client' | 'server', sessionId: unknown, transport: unknown): Attributes {
  const target = targetOf(method, params);
  return clean({
    'mcp.method.name': method,
    'mcp.session.id': str(sessionId),
    'network.transport': transportOf(transport),
    // One execute_tool per tool call: the caller's span counts it. The handler's span is its server
    // side, named after the tool but without gen_ai.tool.name, which the store would count again.
    'gen_ai.operation.name': method === 'tools/call' && side === 'client' ? 'execute_tool' : undefined,
    'gen_ai.tool.name': method === 'tools/call' && side === 'client' ? target : undefined,
    'gen_ai.tool.call.arguments': method === 'tools/call' ? captured(params?.arguments) : undefined,
    'gen_ai.prompt.name': method === 'prompts/get' ? target : undefined,
    'mcp.resource.uri': method.startsWith('resources/') ? target : undefined,
  });
}

const spanName = (method: string, params: Json | undefined): string => {
  const target = targetOf(method, params);
  return target ? `${method} ${target}` : method;
};

/** A tool result with `isError: true` failed, though the JSON-RPC call succeeded. */
function endWithResult(span: Span, method: string, result: unknown): void {
  const r = obj(result);
  if (method === 'tools/call' && r?.isError === true) {
    span.setAttribute('error.type', 'tool_error');
    span.setStatus({ code: SpanStatusCode.ERROR, message: 'tool returned isError' });
  }
  if (method === 'tools/call') {
    const out = captured(r?.content);
    if (out !== undefined) span.setAttribute('gen_ai.tool.call.result', out);
  }
  span.end();
}

/** JSON-RPC errors carry a numeric code: that is their error.type, as the conventions ask. */
function endWithError(span: Span, err: unknown): void {
  failSpan(span, err);
  const code = (err as { code?: unknown } | null)?.code;
  if (typeof code === 'number') span.setAttribute('error.type', String(code));
  span.end();
}

function wrapRequest(original: (...args: unknown[]) => unknown) {
  return function (this: { _transport?: { sessionId?: unknown } }, ...args: unknown[]): unknown {
    const request = obj(args[0]);
    const method = str(request?.method);
    if (!request || !method) return original.apply(this, args);
    const params = obj(request.params);
    const span = tracer.startSpan(spanName(method, params), { kind: SpanKind.CLIENT, attributes: attributesOf(method, params, 'client', this._transport?.sessionId, this._transport) });
    const ctx = trace.setSpan(context.active(), span);
    const meta: Json = { ...(obj(params?._meta) ?? {}) };
    propagation.inject(ctx, meta);
    const sent = { ...request, params: { ...(params ?? {}), _meta: meta } };
    let pending: unknown;
    try {
      pending = context.with(ctx, () => original.apply(this, [sent, ...args.slice(1)]));
    } catch (err) {
      endWithError(span, err);
      throw err;
    }
    if (!(pending instanceof Promise)) {
      span.end();
      return pending;
    }
    return settle(span, method, pending);
  };
}

/** Ends the span when the call settles, with its result or error; hands the outcome on unchanged. */
function settle(span: Span, method: string, pending: Promise<unknown>): Promise<unknown> {
  return pending.then(
    (result) => {
      endWithResult(span, method, result);
      return result;
    },
    (err: unknown) => {
      endWithError(span, err);
      throw err;
    },
  );
}

function wrapSetRequestHandler(original: (...args: unknown[]) => unknown) {
  return function (this: { _transport?: unknown }, ...args: unknown[]): unknown {
    const handler = args[1];
    if (typeof handler !== 'function') return original.apply(this, args);
    const transport = (): unknown => this._transport;
    const traced = function (this: unknown, request: unknown, extra: unknown): unknown {
      const req = obj(request);
      const method = str(req?.method) ?? 'unknown';
      const params = obj(req?.params);
      // The caller's context, from the request's _meta; a request without one starts a trace here.
      const parent = propagation.extract(ROOT_CONTEXT, obj(params?._meta) ?? {});
      const span = tracer.startSpan(spanName(method, params), { kind: SpanKind.SERVER, attributes: attributesOf(method, params, 'server', obj(extra)?.sessionId, transport()) }, parent);
      const ctx = trace.setSpan(parent, span);
      let out: unknown;
      try {
        out = context.with(ctx, () => (handler as (...a: unknown[]) => unknown).call(this, request, extra));
      } catch (err) {
        endWithError(span, err);
        throw err;
      }
      return settle(span, method, Promise.resolve(out));
    };
    return original.apply(this, [args[0], traced, ...args.slice(2)]);
  };
}

/** Instruments the SDK's `Protocol` (from its `shared/protocol.js`, ESM or CommonJS); returns whether it did. */
export function instrumentMcp(mod: unknown): boolean {
  const Protocol: unknown = obj(mod)?.Protocol;
  const proto = typeof Protocol === 'function' ? (Protocol.prototype as object | undefined) : undefined;
  if (!proto) return false;
  const a = patchMethod(proto, 'request', wrapRequest);
  const b = patchMethod(proto, 'setRequestHandler', wrapSetRequestHandler);
  return a || b;
}
