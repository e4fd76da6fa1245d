import type { Attributes } from '@opentelemetry/api';
import { chunkAccumulator, tracedMethod } from './providerCall.js';
import type { ChunkFormat, StreamAccumulator } from './providerCall.js';
import { adapterTracer, captured, clean, num, obj, patchMethod, str } from './shared.js';
import type { Json } from './shared.js';

const tracer = adapterTracer('google-genai');

/**
 * `gen_ai.provider.name` by backend, as the GenAI conventions name them: the Gemini Developer API
 * (generativelanguage.googleapis.com) is `gcp.gemini`, Vertex AI is `gcp.vertex_ai`, and
 * `gcp.gen_ai` is for a Google endpoint whose backend is unknown.
 */
function providerOf(models: unknown): string {
  const client = obj(obj(models)?.apiClient) as { isVertexAI?: () => unknown } | undefined;
  if (typeof client?.isVertexAI !== 'function') return 'gcp.gen_ai';
  try {
    return client.isVertexAI() ? 'gcp.vertex_ai' : 'gcp.gemini';
  } catch {
    return 'gcp.gen_ai';
  }
}

/** `models/gemini-2.5-flash` and `gemini-2.5-flash` are the same model; one spelling keeps them in one group. */
function modelName(v: unknown): string | undefined {
  return str(v)?.replace(/^models\//, '');
}

function requestAttributes(params: Json, provider: string): Attributes {
  const config = obj(params.config) ?? {};
  return clean({
    'gen_ai.operation.name': 'chat',
    'gen_ai.provider.name': provider,
    'gen_ai.request.model': modelName(params.model),
    'gen_ai.request.temperature': num(config.temperature),
    'gen_ai.request.top_p': num(config.topP),
    'gen_ai.request.top_k': num(config.topK),
    'gen_ai.request.max_tokens': num(config.maxOutputTokens),
    'gen_ai.request.seed': num(config.seed),
    'gen_ai.request.choice.count': num(config.candidateCount),
    'gen_ai.input.messages': captured(config.systemInstruction === undefined ? params.contents : { systemInstruction: config.systemInstruction, contents: params.contents }),
  });
}

/**
 * Gemini bills thinking tokens as output but reports them apart from the answer's
 * (`thoughtsTokenCount` beside `candidatesTokenCount`); both count as output, as OpenAI's
 * `completion_tokens` include reasoning. `promptTokenCount` already includes cached tokens.
 */
function usageAttributes(usage: Json | undefined): Attributes {
  if (!usage) return {};
  const candidates = num(usage.candidatesTokenCount);
  const thoughts = num(usage.thoughtsTokenCount);
  return clean({
    'gen_ai.usage.input_tokens': num(usage.promptTokenCount),
    'gen_ai.usage.output_tokens': candidates === undefined && thoughts === undefined ? undefined : (candidates ?? 0) + (thoughts ?? 0),
    'gen_ai.usage.cache_read.input_tokens': num(usage.cachedContentTokenCount),
    'gen_ai.usage.reasoning.output_tokens': thoughts,
  });
}

function candidatesOf(r: Json): Json[] {
  return Array.isArray(r.candidates) ? (r.candidates as Json[]) : [];
}

function partsOf(candidate: Json): Json[] {
  const parts = obj(candidate.content)?.parts;
  return Array.isArray(parts) ? (parts as Json[]) : [];
}

function toolNames(candidate: Json): string[] {
  return partsOf(candidate)
    .filter((p) => obj(p.functionCall))
    .map((p) => str(obj(p.functionCall)?.name) ?? 'unknown');
}

/** A full GenerateContentResponse: model version, response id, finish reasons, function calls, usage. */
function contentResult(r: unknown): Attributes {
  const o = obj(r);
  if (!o) return {};
  const candidates = candidatesOf(o);
  return clean({
    'gen_ai.response.model': str(o.modelVersion),
    'gen_ai.response.id': str(o.responseId),
    'gen_ai.response.finish_reasons': candidates.map((c) => str(c.finishReason)).filter((x): x is string => !!x),
    'agentpulse.llm.tool_calls': candidates.flatMap(toolNames),
    'gen_ai.output.messages': captured(candidates.map((c) => c.content)),
    ...usageAttributes(obj(o.usageMetadata)),
  });
}

/** Stream chunks are partial responses; usage is cumulative, so the last chunk's counts are the call's. */
const contentChunks: ChunkFormat = {
  head: (c) => ({ model: str(c.modelVersion), id: str(c.responseId), usage: obj(c.usageMetadata) }),
  body(c, into) {
    for (const candidate of candidatesOf(c)) {
      const f = str(candidate.finishReason);
      if (f) into.finish.push(f);
      into.tools.push(...toolNames(candidate));
      for (const p of partsOf(candidate)) if (typeof p.text === 'string' && p.thought !== true) into.text += p.text;
    }
  },
  message: (text) => [{ role: 'model', parts: [{ text }] }],
  usageAttributes,
};

const contentAccumulator = (): StreamAccumulator => chunkAccumulator(contentChunks);

function wrapGenerate(stream: boolean) {
  return tracedMethod((params, models) => ({
    tracer,
    operation: 'chat',
    model: modelName(params.model) ?? 'unknown',
    attributes: requestAttributes(params, providerOf(models)),
    stream,
    fromResult: contentResult,
    newAccumulator: contentAccumulator,
  }));
}

/**
 * An EmbedContentResponse's input tokens: `usageMetadata.promptTokenCount` where the API reports
 * it, else the sum of Vertex AI's per-embedding `statistics.tokenCount`; none from the Gemini API's
 * batch endpoint, which reports no usage.
 */
function embedResult(r: unknown): Attributes {
  const o = obj(r);
  if (!o) return {};
  let tokens = num(obj(o.usageMetadata)?.promptTokenCount);
  if (tokens === undefined && Array.isArray(o.embeddings)) {
    const counts = (o.embeddings as unknown[]).map((e) => num(obj(obj(e)?.statistics)?.tokenCount));
    if (counts.length > 0 && counts.every((c) => c !== undefined)) tokens = counts.reduce((a: number, b) => a + (b as number), 0);
  }
  return clean({ 'gen_ai.usage.input_tokens': tokens });
}

const wrapEmbed = tracedMethod((params, models) => {
  const model = modelName(params.model);
  return {
    tracer,
    operation: 'embeddings',
    model: model ?? 'unknown',
    attributes: clean({
      'gen_ai.operation.name': 'embeddings',
      'gen_ai.provider.name': providerOf(models),
      'gen_ai.request.model': model,
      'gen_ai.embeddings.dimension.count': num(obj(params.config)?.outputDimensionality),
    }),
    stream: false,
    fromResult: embedResult,
  };
});

interface GoogleGenaiModule {
  Models?: { prototype: object };
  default?: GoogleGenaiModule;
}

/**
 * Patches one loaded copy of `@google/genai`. `models.generateContent` / `generateContentStream`
 * are per-instance arrow functions, but every HTTP request they make (and those of
 * `chats.create(...).sendMessage` / `sendMessageStream`, automatic function calling and automatic
 * continuation) goes through the prototype's `generateContentInternal` /
 * `generateContentStreamInternal`: one `chat` span per request to the model. `models.embedContent`
 * goes through `embedContentInternal`: one `embeddings` span per request.
 */
export function instrumentGoogleGenai(mod: unknown): boolean {
  const m = mod as GoogleGenaiModule;
  const Models = m.Models ?? m.default?.Models;
  if (!Models) return false;
  const a = patchMethod(Models.prototype, 'generateContentInternal', wrapGenerate(false));
  const b = patchMethod(Models.prototype, 'generateContentStreamInternal', wrapGenerate(true));
  const c = patchMethod(Models.prototype, 'embedContentInternal', wrapEmbed);
  return a || b || c;
}
