import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadPriceTable } from '../instrumentation/pricing.js';

function file(content: string): string {
  const p = join(mkdtempSync(join(tmpdir(), 'ap-prices-')), 'prices.json');
  writeFileSync(p, content);
  return p;
}

describe('PriceTable', () => {
  it('prices dated snapshots by their family, preferring the longest prefix', () => {
    const t = loadPriceTable({});
    expect(t.lookup('openai', 'gpt-4o-2024-08-06')).toEqual({ input: 2.5, output: 10 });
    expect(t.lookup('openai', 'gpt-4o-mini-2024-07-18')).toEqual({ input: 0.15, output: 0.6 });
    expect(t.lookup('anthropic', 'claude-3-5-haiku-20241022')).toEqual({ input: 0.8, output: 4 });
    expect(t.lookup('openai', 'gpt-4oz')).toBeNull();
    expect(t.cost('openai.chat', 'gpt-4o', 1_000_000, 1_000_000)).toBe(12.5);
  });

  it('lets AGENTPULSE_PRICES override and extend the built-in table', () => {
    const t = loadPriceTable({ AGENTPULSE_PRICES: file('{"providers":{"openai":{"gpt-4o":{"input":1,"output":2}},"acme":{"acme-1":{"input":5,"output":5}}}}') });
    expect(t.lookup('openai', 'gpt-4o')).toEqual({ input: 1, output: 2 });
    expect(t.lookup('acme', 'acme-1')).toEqual({ input: 5, output: 5 });
    expect(t.lookup('openai', 'gpt-4o-mini')).toEqual({ input: 0.15, output: 0.6 });
  });

  it('ignores an unreadable override and keeps the defaults', () => {
    const t = loadPriceTable({ AGENTPULSE_PRICES: file('{"providers":{"openai":{"gpt-4o":{"input":"cheap"}}}}') });
    expect(t.lookup('openai', 'gpt-4o')).toEqual({ input: 2.5, output: 10 });
  });
});
