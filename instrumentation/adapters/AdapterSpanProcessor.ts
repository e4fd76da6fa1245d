import type { Context } from '@opentelemetry/api';
import type { ReadableSpan, Span, SpanProcessor } from '@opentelemetry/sdk-trace-base';
import { fillCost, priceTable } from '../pricing.js';
import type { PriceTable } from '../pricing.js';
import { LangGraphHandoffs } from './langGraphHandoffs.js';
import { cutLangChainContent, fillLangChainCost, LANGCHAIN_SCOPE } from './langchain.js';
import { adapterErrorType, adapterSettings, setAdapterSettings } from './shared.js';
import type { AdapterSettings } from './shared.js';
import { mapAiSdkAttributes } from './vercelAi.js';

type MutableAttributes = Record<string, unknown>;

function moveTotals(a: MutableAttributes): void {
  for (const k of ['input_tokens', 'output_tokens']) {
    if (a[`gen_ai.usage.${k}`] === undefined) continue;
    a[`agentpulse.ai.usage.${k}`] = a[`gen_ai.usage.${k}`];
    delete a[`gen_ai.usage.${k}`];
  }
}

export { fillCost };

/**
 * Runs before the exporting processor and finishes spans in place at `onEnd`:
 * maps the Vercel AI SDK's `ai.*` attributes to GenAI ones and fills `agentpulse.cost.usd`
 * from the price table for LLM spans that carry a model and token counts but no cost (for
 * OpenInference's LangChain spans, `llm.cost.total`, LangGraph node-to-node handoff links, and
 * content cut to AGENTPULSE_CONTENT_MAX_CHARS).
 */
export class AdapterSpanProcessor implements SpanProcessor {
  private readonly handoffs = new LangGraphHandoffs();

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
      // @ai-sdk/otel (when the app registers it, our AI SDK 7 integration steps aside) repeats the run's
      // token totals on its invoke_agent span; keep them beside, as ours does, so tokens count once.
      if (span.instrumentationScope.name === 'gen_ai' && a['gen_ai.operation.name'] === 'invoke_agent') moveTotals(a);
      // The Anthropic SDK's built-in spans (if the user keeps them on) report the provider's error type.
      if (span.instrumentationScope.name === 'com.anthropic.sdk.typescript' && typeof a['error.type'] === 'string') {
        a['agentpulse.provider.error_type'] = a['error.type'];
        a['error.type'] = adapterErrorType({ error: { type: a['error.type'] } });
      }
      // OpenInference's LangChain spans (kept library) carry tokens but no cost, and LangGraph's node-to-node handoffs are not in their tree.
      if (span.instrumentationScope.name === LANGCHAIN_SCOPE) {
        cutLangChainContent(a);
        fillLangChainCost(a, this.prices());
        this.handoffs.onEnd(span);
      } else fillCost(a, this.prices());
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
