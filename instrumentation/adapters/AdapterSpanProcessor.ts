import type { Context } from '@opentelemetry/api';
import type { ReadableSpan, Span, SpanProcessor } from '@opentelemetry/sdk-trace-base';
import { priceTable } from '../pricing.js';
import type { PriceTable } from '../pricing.js';
import { adapterErrorType, adapterSettings, setAdapterSettings } from './shared.js';
import type { AdapterSettings } from './shared.js';
import { mapAiSdkAttributes } from './vercelAi.js';

const PRICED_OPERATIONS = new Set(['chat', 'text_completion', 'generate_content', 'embeddings']);

type MutableAttributes = Record<string, unknown>;

function n(v: unknown): number | undefined {
  return typeof v === 'number' && Number.isFinite(v) ? v : undefined;
}

/**
 * Runs before the exporting processor and finishes spans in place at `onEnd`:
 * maps the Vercel AI SDK's `ai.*` attributes to GenAI ones and fills `agentpulse.cost.usd`
 * from the price table for LLM spans that carry a model and token counts but no cost.
 */
export class AdapterSpanProcessor implements SpanProcessor {
  constructor(settings?: AdapterSettings, private readonly prices: () => PriceTable = priceTable) {
    if (settings) setAdapterSettings(settings);
  }

  onStart(_span: Span, _ctx: Context): void {}

  onEnd(span: ReadableSpan): void {
    try {
      // ReadableSpan is read-only by type only; this runs before any exporter sees the span.
      const a = span.attributes as MutableAttributes;
      if (span.instrumentationScope.name === 'ai' && a['ai.operationId'] !== undefined) {
        const s = adapterSettings();
        mapAiSdkAttributes(a as Parameters<typeof mapAiSdkAttributes>[0], s.captureContent, s.contentMaxChars);
      }
      // The Anthropic SDK's built-in spans (if the user keeps them on) report the provider's error type.
      if (span.instrumentationScope.name === 'com.anthropic.sdk.typescript' && typeof a['error.type'] === 'string') {
        a['agentpulse.provider.error_type'] = a['error.type'];
        a['error.type'] = adapterErrorType({ error: { type: a['error.type'] } });
      }
      fillCost(a, this.prices());
    } catch {
      // Enrichment must never cost the host a span.
    }
  }

  forceFlush(): Promise<void> {
    return Promise.resolve();
  }

  shutdown(): Promise<void> {
    return Promise.resolve();
  }
}

/** Sets `agentpulse.cost.usd` from tokens × price when the span has none and the model is priced. */
export function fillCost(a: MutableAttributes, prices: PriceTable): void {
  if (a['agentpulse.cost.usd'] !== undefined) return;
  const op = a['gen_ai.operation.name'];
  if (typeof op !== 'string' || !PRICED_OPERATIONS.has(op)) return;
  const input = n(a['gen_ai.usage.input_tokens']) ?? n(a['gen_ai.usage.prompt_tokens']);
  const output = n(a['gen_ai.usage.output_tokens']) ?? n(a['gen_ai.usage.completion_tokens']);
  if (input === undefined && output === undefined) return;
  const model = a['gen_ai.response.model'] ?? a['gen_ai.request.model'];
  if (typeof model !== 'string') return;
  const provider = a['gen_ai.provider.name'] ?? a['gen_ai.system'];
  const cost = prices.cost(typeof provider === 'string' ? provider : null, model, input ?? 0, output ?? 0);
  if (cost !== null) a['agentpulse.cost.usd'] = cost;
}
