import { describe, expect, it } from 'vitest';
import { openStore } from '../store/index.js';
import type { DuckDbStore } from '../store/index.js';
import { countFeatures, featuresOf, fisherExactTest, listPatterns, loadExecutionRecords, minePatterns, recordFeedback, updatePatternDb } from '../analyzer/learning/index.js';
import { defaultWorld, nullWorld, simulate } from './fixtures/simulator.js';
import type { ExecutionRecord, MinedPattern } from '../analyzer/learning/index.js';
import type { SimTask, SimWorld } from './fixtures/simulator.js';

const FDR = 0.05;
const END = 2n ** 62n;

async function storeWith(world: SimWorld, seed: number, count: number): Promise<{ store: DuckDbStore; tasks: SimTask[] }> {
  const store = await openStore(':memory:');
  const sim = simulate(world, { seed, count });
  await store.writeBatch(sim.spans);
  return { store, tasks: sim.tasks };
}

/**
 * Ground truth of a flagged feature: mean true success probability of the tasks that have it
 * minus that of the same task type's tasks without it. A flag is a false discovery unless the
 * feature is truly worse by more than 2 points.
 */
function trueGap(p: MinedPattern, records: ExecutionRecord[], truth: Map<string, SimTask>): number {
  let inS = 0, inN = 0, outS = 0, outN = 0;
  for (const r of records) {
    if (r.taskType !== p.taskType) continue;
    const has = featuresOf(r).some((f) => f.signature === p.signature);
    const tp = truth.get(r.taskId)!.trueP;
    if (has) { inS += tp; inN++; } else { outS += tp; outN++; }
  }
  return inS / inN - outS / outN;
}

describe('fisherExactTest', () => {
  it('matches the textbook tea-tasting table and is 1 for identical rows', () => {
    expect(fisherExactTest(3, 1, 1, 3)).toBeCloseTo(0.4857, 4);
    expect(fisherExactTest(10, 10, 10, 10)).toBeCloseTo(1, 9);
    expect(fisherExactTest(0, 12, 12, 0)).toBeLessThan(1e-6);
  });
});

describe('featuresOf', () => {
  it('finds a tool loop once and keeps it out of the bigrams', () => {
    const r = { taskType: 'x', teamSignature: 'a+b+c', agents: [], tools: ['s', 'e', 'e', 'e', 't'], models: ['m'], contextSize: 70_000 } as unknown as ExecutionRecord;
    const sigs = featuresOf(r).map((f) => f.signature);
    expect(sigs).toEqual(expect.arrayContaining(['team:a+b+c', 'pair:a+b', 'pair:a+c', 'pair:b+c', 'model:m', 'context:64k-256k', 'loop:e', 'seq:s>e', 'seq:e>t']));
    expect(sigs).not.toContain('seq:e>e');
  });
});

describe('minePatterns', () => {
  it('finds every planted antipattern, with evidence, and keeps the false discovery proportion near the FDR', async () => {
    const fdps: number[] = [];
    for (const seed of [11, 12, 13]) {
      const { store, tasks } = await storeWith(defaultWorld(), seed, 4000);
      const records = await loadExecutionRecords(store);
      const { features, bases } = countFeatures(records);
      const mined = minePatterns(features, bases, { fdr: FDR });
      const anti = mined.filter((p) => p.kind === 'antipattern');
      const flagged = (t: string, sig: string): boolean => anti.some((p) => p.taskType === t && p.signature === sig);
      for (const t of ['bugfix', 'feature', 'research']) {
        expect(flagged(t, 'model:tiny-model'), `${t} tiny-model loops`).toBe(true);
        expect(flagged(t, 'context:64k-256k'), `${t} oversized context`).toBe(true);
        expect(anti.some((p) => p.taskType === t && p.signature.startsWith('loop:')), `${t} tool loop`).toBe(true);
      }
      expect(flagged('bugfix', 'pair:coder+tester')).toBe(true);
      expect(flagged('feature', 'pair:coder+tester')).toBe(true);
      expect(flagged('feature', 'team:coder+writer')).toBe(true);
      for (const p of anti) {
        expect(p.qValue).toBeLessThanOrEqual(FDR);
        expect(p.successRate).toBeLessThan(p.restRate);
      }
      const truth = new Map(tasks.map((t) => [t.taskId, t]));
      const false_ = anti.filter((p) => trueGap(p, records, truth) > -0.02);
      fdps.push(false_.length / Math.max(1, anti.length));
      console.log(`seed ${seed}: ${anti.length} antipatterns flagged, ${false_.length} false (${false_.map((p) => `${p.taskType} ${p.signature}`).join(', ') || 'none'}) of ${mined.length} tested`);
      await store.close();
    }
    const meanFdp = fdps.reduce((a, b) => a + b, 0) / fdps.length;
    console.log(`mean false discovery proportion ${meanFdp.toFixed(3)} (stated FDR ${FDR})`);
    expect(meanFdp).toBeLessThanOrEqual(FDR);
  });

  it('flags nothing in a world where nothing matters', async () => {
    let flagged = 0;
    let tested = 0;
    for (const seed of [21, 22, 23]) {
      const { store } = await storeWith(nullWorld(), seed, 3000);
      const { features, bases } = countFeatures(await loadExecutionRecords(store));
      const mined = minePatterns(features, bases, { fdr: FDR });
      tested += mined.length;
      flagged += mined.filter((p) => p.kind === 'antipattern').length;
      await store.close();
    }
    console.log(`null world: ${flagged} flagged of ${tested} tests`);
    expect(flagged).toBe(0);
  });
});

describe('updatePatternDb', () => {
  it('counts incrementally: two windows give the same pattern DB as one', async () => {
    const sim = simulate(defaultWorld(), { seed: 5, count: 2000 });
    const mid = sim.tasks[1000].startNs;
    const a = await openStore(':memory:');
    const b = await openStore(':memory:');
    await a.writeBatch(sim.spans);
    await b.writeBatch(sim.spans);
    const first = await updatePatternDb(a, { untilNs: mid });
    const second = await updatePatternDb(a, { untilNs: END });
    const again = await updatePatternDb(a, { untilNs: END });
    expect(first.tasks + second.tasks).toBe(2000);
    expect(again.tasks).toBe(0);
    await updatePatternDb(b, { untilNs: END });
    const pa = await listPatterns(a);
    const pb = await listPatterns(b);
    expect(pa.map((p) => [p.id, p.support, p.successes, p.kind])).toEqual(pb.map((p) => [p.id, p.support, p.successes, p.kind]));
    const anti = pa.find((p) => p.kind === 'antipattern' && p.signature === 'model:tiny-model')!;
    expect(anti.status).toBe('flagged');
    expect(anti.evidence).toMatchObject({ test: 'fisher_exact_two_sided', fdr_control: 'benjamini_hochberg' });
    expect((anti.evidence.examples as string[]).length).toBeGreaterThan(0);
    const outcomes = await a.query('SELECT count(DISTINCT run_id) AS runs FROM pattern_outcomes');
    expect(outcomes[0].runs).toBe(2);
    await a.close();
    await b.close();
  });
});

describe('recordFeedback', () => {
  it('overrides the span-status outcome of the task, latest feedback winning', async () => {
    const { store, tasks } = await storeWith(defaultWorld(), 7, 50);
    const failed = tasks.find((t) => !t.success)!;
    const ok = tasks.find((t) => t.success)!;
    await recordFeedback(store, { trace_id: failed.traceId, label: 'good', source: 'test' });
    await recordFeedback(store, { trace_id: ok.traceId, score: 0.1 });
    let recs = await loadExecutionRecords(store);
    const byId = new Map(recs.map((r) => [r.taskId, r]));
    expect(byId.get(failed.taskId)).toMatchObject({ statusSuccess: false, feedbackSuccess: true, success: true });
    expect(byId.get(ok.taskId)).toMatchObject({ statusSuccess: true, feedbackSuccess: false, success: false });
    await new Promise((r) => setTimeout(r, 5));
    await recordFeedback(store, { trace_id: failed.traceId, label: 'wrong' });
    recs = await loadExecutionRecords(store);
    expect(recs.find((r) => r.taskId === failed.taskId)!.success).toBe(false);
    await expect(recordFeedback(store, { trace_id: 'nothex' })).rejects.toThrow(/trace_id/);
    await expect(recordFeedback(store, { trace_id: failed.traceId })).rejects.toThrow(/score/);
    await store.close();
  });
});
