import { context, SpanStatusCode, trace } from '@opentelemetry/api';
import type { Attributes, AttributeValue, Context, Span, Tracer } from '@opentelemetry/api';
import { classifyError } from '../../recovery/classify/classifyError.js';
import { resolveConfig } from '../config.js';
import { errorTypeOf } from '../errorType.js';

/** The settings adapters read: whether content is captured, and its size limit. */
export interface AdapterSettings {
  captureContent: boolean;
  contentMaxChars: number;
}

let settings: AdapterSettings | null = null;

/** Adapter settings, resolved once from the same env vars as the SDK (`AGENTPULSE_CAPTURE_CONTENT`, `AGENTPULSE_CONTENT_MAX_CHARS`). */
export function adapterSettings(): AdapterSettings {
  if (!settings) {
    const c = resolveConfig();
    settings = { captureContent: c.captureContent, contentMaxChars: c.contentMaxChars };
  }
  return settings;
}

/** For tests and for `startAgentpulse` options that differ from the environment. */
export function setAdapterSettings(next: AdapterSettings | null): void {
  settings = next;
}

/** A tracer per adapter so `scope_name` says which adapter made a span. */
export function adapterTracer(adapter: string): Tracer {
  return trace.getTracer(`agentpulse.adapters.${adapter}`);
}

/** Content as a string truncated to the configured size, or undefined when capture is off. */
export function captured(value: unknown): string | undefined {
  const s = adapterSettings();
  if (!s.captureContent || value === undefined || value === null) return undefined;
  const text = typeof value === 'string' ? value : safeJson(value);
  return text.length > s.contentMaxChars ? `${text.slice(0, s.contentMaxChars)}…[truncated ${text.length - s.contentMaxChars} chars]` : text;
}

function safeJson(v: unknown): string {
  try {
    return JSON.stringify(v) ?? String(v);
  } catch {
    return String(v);
  }
}

/**
 * `error.type` for a provider failure: the recovery classifier's class (rate_limit, timeout, auth, …)
 * so adapters and recovery policies agree; otherwise the provider's own type or the error name.
 */
export function adapterErrorType(err: unknown): string {
  const cls = classifyError(err);
  if (cls !== 'unknown') return cls;
  const last = (err as { lastError?: unknown } | null)?.lastError;
  if (last !== undefined) {
    const inner = classifyError(last);
    if (inner !== 'unknown') return inner;
  }
  return errorTypeOf(err);
}

/** Marks a span failed: `error.type`, ERROR status, exception event. */
export function failSpan(span: Pick<Span, 'setAttribute' | 'recordException' | 'setStatus'>, err: unknown): void {
  span.setAttribute('error.type', adapterErrorType(err));
  const message = err instanceof Error ? err.message : String(err);
  span.recordException(err instanceof Error ? err : { name: 'Error', message });
  span.setStatus({ code: SpanStatusCode.ERROR, message });
}

/** Drops undefined/null values so attributes stay valid OTel attribute values. */
export function clean(attrs: Record<string, unknown>): Attributes {
  const out: Attributes = {};
  for (const [k, v] of Object.entries(attrs)) {
    if (v === undefined || v === null) continue;
    if (Array.isArray(v) && v.length === 0) continue;
    out[k] = v as AttributeValue;
  }
  return out;
}

/** Where an LLM call records itself when another framework already has a span for it. */
export interface LlmSpanTarget {
  setAttributes(attributes: Attributes): void;
}

/** Lets a framework bridge (OpenAI Agents SDK) give provider adapters the parent of a call. */
export interface CallContextSource {
  /** The OTel context provider spans should be children of, if the framework knows one. */
  parent(): Context | undefined;
  /** A span of the framework's that already stands for this LLM call; the adapter enriches it instead of adding a second. */
  llmSpan(): LlmSpanTarget | undefined;
}

const sources: CallContextSource[] = [];

/** Registers a bridge's call-context source; returns a dispose function. */
export function addCallContextSource(source: CallContextSource): () => void {
  sources.push(source);
  return () => {
    const i = sources.indexOf(source);
    if (i >= 0) sources.splice(i, 1);
  };
}

/** The parent context and (if any) the framework LLM span for a provider call made now. */
export function callContext(): { parent: Context; llmSpan?: LlmSpanTarget } {
  for (const s of sources) {
    const llmSpan = s.llmSpan();
    if (llmSpan) return { parent: context.active(), llmSpan };
    const parent = s.parent();
    if (parent) return { parent };
  }
  return { parent: context.active() };
}

const PATCHED = Symbol.for('agentpulse.patched');

/** Replaces `obj[method]` with `wrap(original)` once; returns whether it patched. */
export function patchMethod<T extends object>(obj: T | undefined | null, method: string, wrap: (original: (...args: unknown[]) => unknown) => (...args: unknown[]) => unknown): boolean {
  if (!obj) return false;
  const target = obj as Record<string, unknown>;
  const original = target[method];
  if (typeof original !== 'function' || (original as unknown as Record<symbol, unknown>)[PATCHED]) return false;
  const wrapped = wrap(original as (...args: unknown[]) => unknown);
  Object.defineProperty(wrapped, PATCHED, { value: true });
  Object.defineProperty(wrapped, 'name', { value: (original as { name: string }).name });
  target[method] = wrapped;
  return true;
}

/** Reads a number from a loosely typed provider payload. */
export function num(v: unknown): number | undefined {
  return typeof v === 'number' && Number.isFinite(v) ? v : undefined;
}

/** Reads a non-empty string from a loosely typed provider payload. */
export function str(v: unknown): string | undefined {
  return typeof v === 'string' && v.length > 0 ? v : undefined;
}

export type Json = Record<string, unknown>;

export function obj(v: unknown): Json | undefined {
  return v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Json) : undefined;
}
