import type { Link, SpanContext } from '@opentelemetry/api';
import type { ReadableSpan } from '@opentelemetry/sdk-trace-base';

/*
 * LangGraph hands over from node to node by steps (supersteps): every node of step N runs after
 * the nodes of the step before it have finished. OpenInference records each node as a sibling
 * under the graph's span, so who handed over to whom is not in the tree; this links each node's
 * span to the node spans of the graph's previous step, the way the OpenAI Agents SDK bridge links
 * a receiving agent to its handoff (queries/agent_graph.sql reads such links as caller → callee).
 */

interface Step {
  step: number;
  spans: SpanContext[];
}

/** Graphs with open node spans at once; beyond this the oldest is forgotten (its later nodes get no link). */
const MAX_GRAPHS = 1024;

function nodeOf(span: ReadableSpan): { node: string; step: number } | undefined {
  const a = span.attributes;
  if (a['openinference.span.kind'] !== 'CHAIN' || typeof a.metadata !== 'string' || !a.metadata.includes('"langgraph_node"')) return undefined;
  try {
    const meta = JSON.parse(a.metadata) as { langgraph_node?: unknown; langgraph_step?: unknown };
    const node = meta.langgraph_node;
    const step = meta.langgraph_step;
    if (typeof node !== 'string' || node !== span.name || node.startsWith('__') || typeof step !== 'number') return undefined;
    return { node, step };
  } catch {
    return undefined;
  }
}

/** Tracks, per graph span, the node spans of its latest finished steps; called at each LangChain span's end. */
export class LangGraphHandoffs {
  /** Graph span id → the last two steps seen (the previous one gives the links of the current one). */
  private readonly graphs = new Map<string, { previous?: Step; current?: Step }>();

  /** Links a node span (in place, before any exporter sees it) to the previous step's nodes; forgets a graph when its span ends. */
  onEnd(span: ReadableSpan): void {
    this.graphs.delete(span.spanContext().spanId);
    const parent = span.parentSpanContext?.spanId;
    const at = parent === undefined ? undefined : nodeOf(span);
    if (parent === undefined || at === undefined) return;
    let g = this.graphs.get(parent);
    if (!g) {
      if (this.graphs.size >= MAX_GRAPHS) this.graphs.delete(this.graphs.keys().next().value!);
      this.graphs.set(parent, (g = {}));
    }
    if (g.current === undefined || at.step > g.current.step) {
      g.previous = g.current;
      g.current = { step: at.step, spans: [] };
    }
    const from = at.step === g.current.step ? g.previous : undefined;
    if (from && from.step < at.step) (span.links as Link[]).push(...from.spans.map((context) => ({ context, attributes: { 'agentpulse.link.type': 'handoff' } })));
    if (at.step === g.current.step) g.current.spans.push(span.spanContext());
  }
}
