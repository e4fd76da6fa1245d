import { describe, expect, it } from 'vitest';
import { openStore } from '../store/index.js';
import { analyzeRun } from '../analyzer/analyze.js';
import { ReportSchema } from '../analyzer/reportSchema.js';
import { learningExtension } from '../analyzer/learning/index.js';
import { DEFAULT_SIM_START_NS, defaultWorld, simulate } from './fixtures/simulator.js';
import { feedbackRoute } from '../server/routes/feedbackRoute.js';

describe('learningExtension', () => {
  it('puts patterns and recommendations into a schema-valid analyzer report', async () => {
    const store = await openStore(':memory:');
    await store.writeBatch(simulate(defaultWorld(), { seed: 71, count: 2000, days: 2 }).spans);
    const now = new Date(Number((DEFAULT_SIM_START_NS + 2n * 86_400_000_000_000n) / 1_000_000n) + 60_000);
    const warnings: string[] = [];
    const { report } = await analyzeRun({ store, now, since: '3d', baseline: '1d', extensions: [learningExtension()], onWarning: (m) => warnings.push(m) });
    expect(warnings).toEqual([]);
    expect(ReportSchema.safeParse(report).success).toBe(true);
    // Tiny-model runs fail through their tool loops: the loop is the finding, the model folds under it.
    const loops = report.patterns.find((p) => p.kind === 'antipattern' && p.signature === 'feature/loop:*');
    expect(loops?.finding_id).toMatch(/^f_/);
    expect(loops?.aliases).toContainEqual({ signature: 'feature/model:tiny-model', relation: 'explained' });
    expect(report.patterns.some((p) => p.signature === 'feature/model:tiny-model')).toBe(false);
    expect(report.recommendations.some((r) => r.kind === 'team')).toBe(true);
    await store.close();
  });
});

describe('feedbackRoute', () => {
  it('stores feedback through the collector store instance and rejects bad bodies with 400', async () => {
    const store = await openStore(':memory:');
    const handler = feedbackRoute(store);
    const ctx = (body: unknown) => ({ json: async () => body }) as never;
    const out = await handler(ctx({ trace_id: 'ab'.repeat(16), label: 'bad', comment: 'wrong answer' }));
    expect(out).toEqual({ trace_id: 'ab'.repeat(16), score: null, label: 'failure', outcome: 'failure' });
    const rows = await store.query('SELECT trace_id, label, source, comment FROM feedback');
    expect(rows).toEqual([{ trace_id: 'ab'.repeat(16), label: 'failure', source: 'api', comment: 'wrong answer' }]);
    await expect(handler(ctx({ trace_id: 'x', score: 2 }))).rejects.toMatchObject({ statusCode: 400 });
    await store.close();
  });
});
