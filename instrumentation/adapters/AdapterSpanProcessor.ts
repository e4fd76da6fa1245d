import type { Context } from '@opentelemetry/api';
import type { ReadableSpan, Span, SpanProcessor } from '@opentelemetry/sdk-trace-base';
import { fillCost, priceTable } from '../pricing.js';
import type { PriceTable } from '../pricing.js';
import { adapterErrorType, adapterSettings, setAdapterSettings } from './shared.js';
import type { AdapterSettings } from './shared.js';
import { mapAiSdkAttributes } from './vercelAi.js';

type MutableAttributes = Record<string, unknown>;

export { fillCost };

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
