import type { Attributes } from '@opentelemetry/api';
import { chunkAccumulator, tracedMethod } from './providerCall.js';
import type { ChunkFormat, StreamAccumulator } from './providerCall.js';
import { adapterTracer, captured, clean, num, obj, patchMethod, str } from './shared.js';
import type { Json } from './shared.js';

const tracer = adapterTracer('openai');

function requestAttributes(body: Json): Attributes {
  return clean({
    'gen_ai.operation.name': 'chat',
    'gen_ai.provider.name': 'openai',
    'gen_ai.request.model': str(body.model),
    'gen_ai.request.temperature': num(body.temperature),
    'gen_ai.request.top_p': num(body.top_p),
    'gen_ai.request.max_tokens': num(body.max_tokens) ?? num(body.max_completion_tokens) ?? num(body.max_output_tokens),
    'gen_ai.input.messages': captured(body.messages ?? body.input),
  });
}

function usageAttributes(usage: Json | undefined): Attributes {
  if (!usage) return {};
  return clean({
    'gen_ai.usage.input_tokens': num(usage.prompt_tokens) ?? num(usage.input_tokens),
    'gen_ai.usage.output_tokens': num(usage.completion_tokens) ?? num(usage.output_tokens),
    'gen_ai.usage.cache_read.input_tokens': num(obj(usage.prompt_tokens_details)?.cached_tokens) ?? num(obj(usage.input_tokens_details)?.cached_tokens),
  });
}

/** Chat completions: model, usage, finish reasons and tool-call names of a full response. */
function chatResult(r: unknown): Attributes {
  const o = obj(r);
  if (!o) return {};
  const choices = Array.isArray(o.choices) ? (o.choices as Json[]) : [];
  const finish = choices.map((c) => str(c.finish_reason)).filter((x): x is string => !!x);
  const tools = choices.flatMap((c) => ((obj(c.message)?.tool_calls as Json[] | undefined) ?? []).map((t) => str(obj(t.function)?.name) ?? 'unknown'));
  return clean({
    'gen_ai.response.model': str(o.model),
    'gen_ai.response.id': str(o.id),
    'gen_ai.response.finish_reasons': finish,
    'agentpulse.llm.tool_calls': tools,
    'gen_ai.output.messages': captured(choices.map((c) => c.message)),
    ...usageAttributes(obj(o.usage)),
  });
}

const chatChunks: ChunkFormat = {
  head: (c) => ({ model: str(c.model), id: str(c.id), usage: obj(c.usage) }),
  body(c, into) {
    for (const choice of Array.isArray(c.choices) ? (c.choices as Json[]) : []) {
      const f = str(choice.finish_reason);
      if (f) into.finish.push(f);
      const delta = obj(choice.delta);
      if (typeof delta?.content === 'string') into.text += delta.content;
      for (const t of Array.isArray(delta?.tool_calls) ? (delta.tool_calls as Json[]) : []) {
        const name = str(obj(t.function)?.name);
        if (name) into.tools.push(name);
      }
    }
  },
  message: (text) => [{ role: 'assistant', content: text }],
  usageAttributes,
};

const chatAccumulator = (): StreamAccumulator => chunkAccumulator(chatChunks);

/** Responses API: finish reason is derived from status, tool calls from `function_call` output items. */
function responsesResult(r: unknown): Attributes {
  const o = obj(r);
  if (!o) return {};
  const output = Array.isArray(o.output) ? (o.output as Json[]) : [];
  const tools = output.filter((i) => i.type === 'function_call').map((i) => str(i.name) ?? 'unknown');
  const status = str(o.status);
  const reason = status === 'completed' ? (tools.length > 0 ? 'tool_calls' : 'stop') : (str(obj(o.incomplete_details)?.reason) ?? status);
  return clean({
    'gen_ai.response.model': str(o.model),
    'gen_ai.response.id': str(o.id),
    'gen_ai.response.finish_reasons': reason ? [reason] : undefined,
    'agentpulse.llm.tool_calls': tools,
    'gen_ai.output.messages': captured(output),
    ...usageAttributes(obj(o.usage)),
  });
}

function responsesAccumulator(): StreamAccumulator {
  let last: Json | undefined;
  let error: unknown;
  return {
    add(event) {
      const e = obj(event);
      if (!e) return;
      if (obj(e.response)) last = obj(e.response);
      if (e.type === 'error') error = Object.assign(new Error(str(e.message) ?? 'stream error'), { code: e.code });
      if (e.type === 'response.failed') {
        const err = obj(last?.error);
        error = Object.assign(new Error(str(err?.message) ?? 'response failed'), { code: err?.code });
      }
    },
    finish: () => ({ attributes: { ...responsesResult(last), 'agentpulse.llm.streamed': true }, error }),
  };
}

/** Chat completions and responses: `chat` spans, streamed or not. */
function traceChat(fromResult: (r: unknown) => Attributes, newAccumulator: () => StreamAccumulator) {
  return tracedMethod((body) => ({
    tracer,
    operation: 'chat',
    model: str(body.model) ?? 'unknown',
    attributes: requestAttributes(body),
    stream: body.stream === true,
    fromResult,
    newAccumulator,
  }));
}

/** Embeddings: requested dimensions and encoding; the response's model and input tokens (there are no output tokens). */
function embeddingsRequest(body: Json): Attributes {
  const format = str(body.encoding_format);
  return clean({
    'gen_ai.operation.name': 'embeddings',
    'gen_ai.provider.name': 'openai',
    'gen_ai.request.model': str(body.model),
    'gen_ai.embeddings.dimension.count': num(body.dimensions),
    'gen_ai.request.encoding_formats': format ? [format] : undefined,
  });
}

function embeddingsResult(r: unknown): Attributes {
  const o = obj(r);
  if (!o) return {};
  return clean({ 'gen_ai.response.model': str(o.model), 'gen_ai.usage.input_tokens': num(obj(o.usage)?.prompt_tokens) });
}

const traceEmbeddings = tracedMethod((body) => ({
  tracer,
  operation: 'embeddings',
  model: str(body.model) ?? 'unknown',
  attributes: embeddingsRequest(body),
  stream: false,
  fromResult: embeddingsResult,
}));

interface OpenAIModule {
  OpenAI?: { Chat?: { Completions?: { prototype: object } }; Responses?: { prototype: object }; Embeddings?: { prototype: object } };
  default?: OpenAIModule['OpenAI'];
}

/** Patches `chat.completions.create`, `responses.create` and `embeddings.create` of one loaded copy of the `openai` package. */
export function instrumentOpenAI(mod: unknown): boolean {
  const m = mod as OpenAIModule;
  const OpenAI = m.OpenAI ?? m.default;
  if (!OpenAI) return false;
  const a = patchMethod(OpenAI.Chat?.Completions?.prototype, 'create', traceChat(chatResult, chatAccumulator));
  const b = patchMethod(OpenAI.Responses?.prototype, 'create', traceChat(responsesResult, responsesAccumulator));
  const c = patchMethod(OpenAI.Embeddings?.prototype, 'create', traceEmbeddings);
  return a || b || c;
}
