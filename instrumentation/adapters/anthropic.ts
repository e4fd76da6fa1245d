import type { Attributes } from '@opentelemetry/api';
import { tracedMethod } from './providerCall.js';
import type { StreamAccumulator } from './providerCall.js';
import { adapterTracer, captured, clean, num, obj, patchMethod, str } from './shared.js';
import type { Json } from './shared.js';

const tracer = adapterTracer('anthropic');

function requestAttributes(body: Json): Attributes {
  return clean({
    'gen_ai.operation.name': 'chat',
    'gen_ai.provider.name': 'anthropic',
    'gen_ai.request.model': str(body.model),
    'gen_ai.request.temperature': num(body.temperature),
    'gen_ai.request.top_p': num(body.top_p),
    'gen_ai.request.top_k': num(body.top_k),
    'gen_ai.request.max_tokens': num(body.max_tokens),
    'gen_ai.input.messages': captured(body.system === undefined ? body.messages : { system: body.system, messages: body.messages }),
  });
}

function usageAttributes(usage: Json | undefined): Attributes {
  if (!usage) return {};
  return clean({
    'gen_ai.usage.input_tokens': num(usage.input_tokens),
    'gen_ai.usage.output_tokens': num(usage.output_tokens),
    'gen_ai.usage.cache_read.input_tokens': num(usage.cache_read_input_tokens),
    'gen_ai.usage.cache_creation.input_tokens': num(usage.cache_creation_input_tokens),
  });
}

function toolNames(content: unknown): string[] {
  return (Array.isArray(content) ? (content as Json[]) : []).filter((b) => b.type === 'tool_use' || b.type === 'server_tool_use').map((b) => str(b.name) ?? 'unknown');
}

/** A full Message: model, usage, stop reason, tool_use blocks. */
function messageResult(r: unknown): Attributes {
  const m = obj(r);
  if (!m) return {};
  return clean({
    'gen_ai.response.model': str(m.model),
    'gen_ai.response.id': str(m.id),
    'gen_ai.response.finish_reasons': str(m.stop_reason) ? [str(m.stop_reason)] : undefined,
    'agentpulse.llm.tool_calls': toolNames(m.content),
    'gen_ai.output.messages': captured(m.content),
    ...usageAttributes(obj(m.usage)),
  });
}

/** SSE events: message_start (model, input usage), content_block_start (tool_use), message_delta (stop reason, output usage), error. */
function messageAccumulator(): StreamAccumulator {
  let message: Json | undefined;
  const usage: Json = {};
  let stop: string | undefined;
  const tools: string[] = [];
  let text = '';
  let error: unknown;
  return {
    add(event) {
      const e = obj(event);
      if (!e) return;
      switch (e.type) {
        case 'message_start':
          message = obj(e.message);
          Object.assign(usage, obj(message?.usage) ?? {});
          break;
        case 'content_block_start':
          tools.push(...toolNames([obj(e.content_block)]));
          break;
        case 'content_block_delta': {
          const d = obj(e.delta);
          if (d?.type === 'text_delta' && typeof d.text === 'string') text += d.text;
          break;
        }
        case 'message_delta':
          stop = str(obj(e.delta)?.stop_reason) ?? stop;
          // message_delta usage is cumulative; keep the non-null fields.
          for (const [k, v] of Object.entries(obj(e.usage) ?? {})) if (v !== null && v !== undefined) usage[k] = v;
          break;
        case 'error': {
          const inner = obj(e.error);
          error = Object.assign(new Error(str(inner?.message) ?? 'stream error'), { error: { type: 'error', error: inner } });
          break;
        }
      }
    },
    finish: () => ({
      attributes: clean({
        'gen_ai.response.model': str(message?.model),
        'gen_ai.response.id': str(message?.id),
        'gen_ai.response.finish_reasons': stop ? [stop] : undefined,
        'agentpulse.llm.tool_calls': tools,
        'agentpulse.llm.streamed': true,
        'gen_ai.output.messages': text ? captured([{ type: 'text', text }]) : undefined,
        ...usageAttributes(usage),
      }),
      error,
    }),
  };
}

const wrapCreate = tracedMethod((body) => ({
  tracer,
  operation: 'chat',
  model: str(body.model) ?? 'unknown',
  attributes: requestAttributes(body),
  stream: body.stream === true,
  fromResult: messageResult,
  newAccumulator: messageAccumulator,
}));

interface AnthropicModule {
  Anthropic?: { Messages?: { prototype: object }; Beta?: { Messages?: { prototype: object } } };
  default?: AnthropicModule['Anthropic'];
}

/**
 * Patches `messages.create` (and the beta twin) of one loaded copy of `@anthropic-ai/sdk`.
 * `messages.stream()` and `messages.parse()` call `create`, so they are covered too.
 */
export function instrumentAnthropic(mod: unknown): boolean {
  const m = mod as AnthropicModule;
  const Anthropic = m.Anthropic ?? m.default;
  if (!Anthropic) return false;
  const a = patchMethod(Anthropic.Messages?.prototype, 'create', wrapCreate);
  const b = patchMethod(Anthropic.Beta?.Messages?.prototype, 'create', wrapCreate);
  return a || b;
}
