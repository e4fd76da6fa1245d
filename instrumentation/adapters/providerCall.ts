import { context, SpanKind, trace } from '@opentelemetry/api';
import type { Attributes, Span, Tracer } from '@opentelemetry/api';
import { insideLangChainModel } from './langchain.js';
import { EMBED_OPS, LLM_OPS } from './vercelAi.js';
import { adapterErrorType, callContext, captured, clean, failSpan, obj } from './shared.js';
import type { Json, LlmSpanTarget } from './shared.js';

/** Folds the events of a streamed response into span attributes. */
export interface StreamAccumulator {
  add(event: unknown): void;
  /** Attributes once the stream ended; an `error` means the stream reported a failure in-band. */
  finish(): { attributes: Attributes; error?: unknown };
}

/** What a streamed chat response's chunks add up to. */
export interface ChunkState {
  finish: string[];
  tools: string[];
  text: string;
}

/** How one provider's chunks carry the response: the header fields, and the choices/candidates. */
export interface ChunkFormat {
  /** Response model, response id and usage of a chunk (usage is cumulative: the last one counts). */
  head(chunk: Json): { model?: string; id?: string; usage?: Json };
  /** Adds a chunk's finish reasons, requested tool names and text. */
  body(chunk: Json, into: ChunkState): void;
  /** The output message, in the provider's shape, for content capture. */
  message(text: string): unknown;
  usageAttributes(usage: Json | undefined): Attributes;
}

/** An accumulator for chat streams whose chunks are partial responses (OpenAI chat completions, Gemini). */
export function chunkAccumulator(format: ChunkFormat): StreamAccumulator {
  let model: string | undefined;
  let id: string | undefined;
  let usage: Json | undefined;
  const state: ChunkState = { finish: [], tools: [], text: '' };
  return {
    add(event) {
      const c = obj(event);
      if (!c) return;
      const h = format.head(c);
      model ??= h.model;
      id ??= h.id;
      if (h.usage) usage = h.usage;
      format.body(c, state);
    },
    finish: () => ({
      attributes: clean({
        'gen_ai.response.model': model,
        'gen_ai.response.id': id,
        'gen_ai.response.finish_reasons': state.finish,
        'agentpulse.llm.tool_calls': state.tools,
        'agentpulse.llm.streamed': true,
        'gen_ai.output.messages': state.text ? captured(format.message(state.text)) : undefined,
        ...format.usageAttributes(usage),
      }),
    }),
  };
}

/** What a provider adapter knows about one call before it is made. */
export interface ProviderCallSpec {
  tracer: Tracer;
  /** `gen_ai.operation.name`, e.g. `chat`. */
  operation: string;
  model: string;
  attributes: Attributes;
  stream: boolean;
  /** Response attributes of a non-streamed result. */
  fromResult(result: unknown): Attributes;
  /** Folds a streamed response's events (needed only where `stream` can be true). */
  newAccumulator?(): StreamAccumulator;
}

/**
 * A patch (for `patchMethod`) of an SDK method whose first argument is the request: `describe`
 * turns the request and the object the method was called on into the call's spec. A call without
 * an object argument runs untraced.
 * @example
 * patchMethod(OpenAI.Embeddings.prototype, 'create', tracedMethod((body) => ({ tracer, operation: 'embeddings', … })));
 */
export function tracedMethod(describe: (request: Json, self: unknown) => ProviderCallSpec) {
  return (original: (...args: unknown[]) => unknown) =>
    function (this: unknown, ...args: unknown[]): unknown {
      const request = obj(args[0]);
      if (!request) return original.apply(this, args);
      return traceProviderCall(describe(request, this), () => original.apply(this, args));
    };
}

interface Sink {
  set(attributes: Attributes): void;
  fail(err: unknown): void;
  end(): void;
}

function spanSink(span: Span): Sink {
  let ended = false;
  return {
    set: (a) => span.setAttributes(a),
    fail: (err) => failSpan(span, err),
    end: () => {
      if (ended) return;
      ended = true;
      span.end();
    },
  };
}

function targetSink(target: LlmSpanTarget): Sink {
  return { set: (a) => target.setAttributes(a), fail: (err) => target.setAttributes({ 'error.type': adapterErrorType(err) }), end: () => undefined };
}

interface StainlessPromise {
  responsePromise: Promise<unknown>;
  parseResponse: (client: unknown, props: unknown) => Promise<unknown>;
}

/** Stainless-generated SDKs (openai, @anthropic-ai/sdk) return an APIPromise with these two fields. */
function isStainlessPromise(v: unknown): v is StainlessPromise {
  const p = v as Partial<StainlessPromise> | null;
  return !!p && typeof p === 'object' && typeof p.parseResponse === 'function' && typeof (p.responsePromise as Promise<unknown> | undefined)?.then === 'function';
}

/** Wraps a stream object's async iterator so the span ends when iteration ends (done, error or break). */
function observeStream(stream: object, acc: StreamAccumulator, sink: Sink): void {
  const s = stream as { [Symbol.asyncIterator]?: () => AsyncIterator<unknown> };
  const original = s[Symbol.asyncIterator];
  if (typeof original !== 'function') {
    sink.end();
    return;
  }
  let done = false;
  const finish = (err?: unknown): void => {
    if (done) return;
    done = true;
    const r = acc.finish();
    sink.set(r.attributes);
    if (err !== undefined) sink.fail(err);
    else if (r.error !== undefined) sink.fail(r.error);
    sink.end();
  };
  s[Symbol.asyncIterator] = function (this: unknown): AsyncIterator<unknown> {
    const it = original.call(this);
    return {
      async next(...args: [] | [unknown]) {
        try {
          const r = await it.next(...args);
          if (r.done) finish();
          else acc.add(r.value);
          return r;
        } catch (err) {
          finish(err);
          throw err;
        }
      },
      async return(value?: unknown) {
        finish();
        return it.return ? it.return(value) : { done: true, value };
      },
      async throw(e?: unknown) {
        finish(e);
        if (it.throw) return it.throw(e);
        throw e;
      },
      [Symbol.asyncIterator]() {
        return this;
      },
    } as AsyncIterator<unknown> & AsyncIterable<unknown>;
  };
}

/**
 * The active span, when it already stands for this call: an AI SDK 5/6 model-call span
 * (`ai.generateText.doGenerate`, `ai.embed.doEmbed`, …: a custom AI SDK provider built on a provider
 * SDK) or any span recorded with the call's `gen_ai.operation.name` (the explicit API's `traceChat`
 * around an SDK call). The adapter fills that span instead of adding a second one: tokens count once.
 */
function activeCallSpan(operation: string): LlmSpanTarget | undefined {
  const span = trace.getSpan(context.active());
  const a = (span as { attributes?: Record<string, unknown> } | undefined)?.attributes;
  if (!span || !a || typeof a !== 'object') return undefined;
  if (a['gen_ai.operation.name'] === operation) return span;
  const op = a['ai.operationId'];
  const ops = operation === 'chat' ? LLM_OPS : operation === 'embeddings' ? EMBED_OPS : undefined;
  return typeof op === 'string' && ops?.has(op) ? span : undefined;
}

/**
 * Runs one provider call inside a `{operation} {model}` client span (or fills the span that already
 * stands for it: an Agents SDK generation, an AI SDK 5/6 model call, the explicit API's `traceChat`)
 * and returns the SDK's own promise object untouched in type. Responses are observed where the SDK
 * parses them, never by parsing a second time.
 */
export function traceProviderCall(spec: ProviderCallSpec, invoke: () => unknown): unknown {
  // A traced LangChain chat model's LLM span already stands for this call.
  if (insideLangChainModel()) return invoke();
  // A span that already stands for this call is filled instead: an Agents SDK generation (chat calls
  // only), or an open span of the same operation. Any other call gets a span of its own.
  const { parent, llmSpan: generation } = callContext();
  const llmSpan = (spec.operation === 'chat' ? generation : undefined) ?? activeCallSpan(spec.operation);
  let sink: Sink;
  let result: unknown;
  if (llmSpan) {
    sink = targetSink(llmSpan);
    sink.set(spec.attributes);
    result = invoke();
  } else {
    const span = spec.tracer.startSpan(`${spec.operation} ${spec.model}`, { kind: SpanKind.CLIENT, attributes: spec.attributes }, parent);
    sink = spanSink(span);
    try {
      result = context.with(trace.setSpan(parent, span), invoke);
    } catch (err) {
      sink.fail(err);
      sink.end();
      throw err;
    }
  }
  const onValue = (value: unknown): void => {
    if (spec.stream && spec.newAccumulator && value !== null && typeof value === 'object') {
      observeStream(value, spec.newAccumulator(), sink);
      return;
    }
    sink.set(spec.fromResult(value));
    sink.end();
  };
  const onError = (err: unknown): void => {
    sink.fail(err);
    sink.end();
  };
  if (isStainlessPromise(result)) {
    const p = result;
    const parse = p.parseResponse;
    p.parseResponse = async (client, props) => {
      try {
        const value = await parse.call(p, client, props);
        onValue(value);
        return value;
      } catch (err) {
        onError(err);
        throw err;
      }
    };
    // HTTP errors (429, 5xx after retries) reject the response promise before any parse.
    p.responsePromise.then(undefined, onError);
  } else if (result && typeof (result as PromiseLike<unknown>).then === 'function') {
    (result as PromiseLike<unknown>).then(onValue, onError);
  } else {
    onValue(result);
  }
  return result;
}
