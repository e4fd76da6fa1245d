import { readFileSync } from 'node:fs';

/** USD per 1M tokens. */
export interface ModelPrice {
  input: number;
  output: number;
}

type Providers = Record<string, Record<string, ModelPrice>>;

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const isPrice = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v) && v >= 0;

/**
 * Checks a price table's JSON (`{ "providers": { p: { model: { "input": n, "output": n } } } }`),
 * keeping only those fields. By hand rather than with zod: the store loads this, and zod alone
 * would add ~0.1 s to every command's start.
 */
function parseTable(v: unknown): Providers {
  if (!isObject(v) || !isObject(v.providers)) throw new Error('expected { "providers": { … } }');
  const out: Providers = {};
  for (const [provider, models] of Object.entries(v.providers)) {
    if (!isObject(models)) throw new Error(`providers.${provider}: expected an object of models`);
    out[provider] = {};
    for (const [model, price] of Object.entries(models)) {
      if (!isObject(price) || !isPrice(price.input) || !isPrice(price.output)) {
        throw new Error(`providers.${provider}.${model}: expected { "input": USD per 1M tokens, "output": USD per 1M tokens }, numbers ≥ 0`);
      }
      out[provider][model] = { input: price.input, output: price.output };
    }
  }
  return out;
}

/** Provider names as SDKs spell them → the key used in the table. */
const PROVIDER_ALIASES: Record<string, string> = {
  'openai.chat': 'openai',
  'openai.responses': 'openai',
  azure: 'openai',
  'azure.ai.openai': 'openai',
  'anthropic.messages': 'anthropic',
  'aws.bedrock': 'anthropic',
  google: 'gcp.gemini',
  'google.generative-ai': 'gcp.gemini',
  'gcp.vertex_ai': 'gcp.gemini',
  'gcp.gen_ai': 'gcp.gemini',
  mistral: 'mistral_ai',
};

/**
 * A price table: per provider and model, USD per 1M input and output tokens.
 * Model ids match exactly, else by the longest listed prefix, so dated snapshots
 * (`gpt-4o-2024-08-06`) price like their family.
 */
export class PriceTable {
  constructor(readonly providers: Providers) {}

  /** The price for a model, looking in the provider's list first, then in every list. */
  lookup(provider: string | null | undefined, model: string): ModelPrice | null {
    const key = `${provider ?? ''}\u0000${model}`;
    let hit = this.memo.get(key);
    if (hit === undefined) {
      if (this.memo.size > 1000) this.memo.clear();
      this.memo.set(key, (hit = this.find(provider, model)));
    }
    return hit;
  }

  private readonly memo = new Map<string, ModelPrice | null>();

  private find(provider: string | null | undefined, model: string): ModelPrice | null {
    const m = model.toLowerCase().replace(/^models\//, '');
    const key = provider ? (PROVIDER_ALIASES[provider.toLowerCase()] ?? provider.toLowerCase().split('.')[0]) : null;
    const own = key ? this.providers[key] : undefined;
    const hit = own ? bestMatch(own, m) : null;
    if (hit) return hit;
    let best: { len: number; price: ModelPrice } | null = null;
    for (const list of Object.values(this.providers)) {
      const h = bestMatchWithLength(list, m);
      if (h && (!best || h.len > best.len)) best = h;
    }
    return best?.price ?? null;
  }

  /** Cost in USD of one call, or null when the model is not in the table. */
  cost(provider: string | null | undefined, model: string, inputTokens: number, outputTokens: number): number | null {
    const p = this.lookup(provider, model);
    if (!p) return null;
    return (inputTokens * p.input + outputTokens * p.output) / 1_000_000;
  }
}

function bestMatch(list: Record<string, ModelPrice>, model: string): ModelPrice | null {
  return bestMatchWithLength(list, model)?.price ?? null;
}

function bestMatchWithLength(list: Record<string, ModelPrice>, model: string): { len: number; price: ModelPrice } | null {
  const exact = list[model];
  if (exact) return { len: Number.MAX_SAFE_INTEGER, price: exact };
  let best: { len: number; price: ModelPrice } | null = null;
  for (const [id, price] of Object.entries(list)) {
    const lower = id.toLowerCase();
    // A prefix only counts at a boundary: gpt-4o matches gpt-4o-2024-08-06, not gpt-4oz.
    if (model.startsWith(lower) && /^[-@:._]/.test(model.slice(lower.length)) && (!best || lower.length > best.len)) {
      best = { len: lower.length, price };
    }
  }
  return best;
}

function readTable(url: URL | string): Providers {
  return parseTable(JSON.parse(readFileSync(url, 'utf8')));
}

function defaultProviders(): Providers {
  // The JSON ships in instrumentation/: one level up from a source run (vitest), two from the compiled dist/store/.
  for (const rel of ['../instrumentation/prices.json', '../../instrumentation/prices.json']) {
    try {
      return readTable(new URL(rel, import.meta.url));
    } catch {
      // try the next location
    }
  }
  return {};
}

function merge(base: Providers, over: Providers): Providers {
  const out: Providers = {};
  for (const [p, models] of Object.entries(base)) out[p] = { ...models };
  for (const [p, models] of Object.entries(over)) out[p.toLowerCase()] = { ...(out[p.toLowerCase()] ?? {}), ...models };
  return out;
}

/**
 * Loads the built-in table, overlaid with the file named by `AGENTPULSE_PRICES` (same JSON shape:
 * `{ "providers": { "openai": { "gpt-4o": { "input": 2.5, "output": 10 } } } }`).
 * An unreadable override is reported once on stderr and ignored.
 */
export function loadPriceTable(env: Record<string, string | undefined> = process.env): PriceTable {
  const base = defaultProviders();
  const file = env.AGENTPULSE_PRICES?.trim();
  if (!file) return new PriceTable(base);
  try {
    return new PriceTable(merge(base, readTable(file)));
  } catch (err) {
    process.stderr.write(`agentpulse: ignoring AGENTPULSE_PRICES=${file}: ${err instanceof Error ? err.message.split('\n')[0] : String(err)}\n`);
    return new PriceTable(base);
  }
}

let cached: PriceTable | null = null;

/** The process-wide price table, loaded on first use. */
export function priceTable(): PriceTable {
  return (cached ??= loadPriceTable());
}

const PRICED_OPERATIONS = new Set(['chat', 'text_completion', 'generate_content', 'embeddings']);

function n(v: unknown): number | undefined {
  return typeof v === 'number' && Number.isFinite(v) ? v : undefined;
}

/** Sets `agentpulse.cost.usd` from tokens × price when the span has none and the model is priced. */
export function fillCost(a: Record<string, unknown>, prices: PriceTable): void {
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
