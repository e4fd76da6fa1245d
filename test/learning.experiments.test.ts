import { context, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { describe, expect, it } from 'vitest';
import { openStore } from '../store/index.js';
import { analyzeCounts, analyzeExperiment, assignVariant, defineExperiment, listExperiments, runLearning } from '../analyzer/learning/index.js';
import { nullWorld, simulate } from './fixtures/simulator.js';
import type { SimExperiment } from './fixtures/simulator.js';
import { variant } from '../instrumentation/experiments.js';
import { createRng } from '../analyzer/stats/rng.js';
import { traceTask } from '../instrumentation/api.js';

async function run(exp: SimExperiment, seed: number, count = 4000) {
  const store = await openStore(':memory:');
  await store.writeBatch(simulate(nullWorld(), { seed, count, experiment: exp }).spans);
  await defineExperiment(store, { name: exp.name, variants: exp.variants, weights: exp.weights });
  const result = await analyzeExperiment(store, { name: exp.name, variants: exp.variants, weights: exp.weights });
  return { store, result };
}

describe('assignVariant', () => {
  it('is deterministic per unit, independent across experiments, and follows the weights', () => {
    expect(assignVariant('e1', 'user-1', ['a', 'b'])).toBe(assignVariant('e1', 'user-1', ['a', 'b']));
    const n = 20_000;
    let b = 0;
    let agree = 0;
    for (let i = 0; i < n; i++) {
      const v = assignVariant('e1', `u${i}`, ['a', 'b'], [0.8, 0.2]);
      if (v === 'b') b++;
      if ((assignVariant('e2', `u${i}`, ['a', 'b']) === 'a') === (assignVariant('e3', `u${i}`, ['a', 'b']) === 'a')) agree++;
    }
    expect(b / n).toBeGreaterThan(0.19);
    expect(b / n).toBeLessThan(0.21);
    expect(agree / n).toBeGreaterThan(0.48);
    expect(agree / n).toBeLessThan(0.52);
  });
});

describe('variant', () => {
  it('tags the active span with the experiment, variant and unit', async () => {
    const exporter = new InMemorySpanExporter();
    const provider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
    const cm = new AsyncLocalStorageContextManager().enable();
    context.setGlobalContextManager(cm);
    trace.setGlobalTracerProvider(provider);
    const chosen = await traceTask({ type: 'support', id: 'task-1' }, async () => variant('prompt-v2', 'user-42'));
    const [span] = exporter.getFinishedSpans();
    expect(chosen).toBe(assignVariant('prompt-v2', 'user-42', ['control', 'treatment']));
    expect(span.attributes).toMatchObject({ 'agentpulse.experiment.prompt-v2': chosen, 'agentpulse.experiment.prompt-v2.unit': 'user-42' });
    trace.disable();
    context.disable();
  });
});

describe('analyzeExperiment', () => {
  it('does not declare an A/A test significant', async () => {
    const { store, result } = await run({ name: 'aa', variants: ['control', 'treatment'] }, 51);
    console.log(`A/A: ${result.summary}; p = ${result.comparisons[0].pValue.toFixed(3)}, SRM p = ${result.srm.pValue.toFixed(3)}`);
    expect(result.srm.mismatch).toBe(false);
    expect(result.verdict).toBe('not_significant');
    expect(result.winner).toBeNull();
    await store.close();
  });

  it('finds an injected 10-point difference and names the winner', async () => {
    const { store, result } = await run({ name: 'ab', variants: ['control', 'treatment'], effect: { treatment: 0.1 } }, 52);
    const [c, t] = result.variants;
    console.log(`A/B +10 points: control ${c.successes}/${c.tasks}, treatment ${t.successes}/${t.tasks}, diff ${result.comparisons[0].diff.toFixed(3)}, p = ${result.comparisons[0].pValue.toExponential(2)}, min sample/arm ${result.minSamplePerArm}`);
    expect(result.verdict).toBe('significant');
    expect(result.winner).toBe('treatment');
    expect(result.comparisons[0].diff).toBeGreaterThan(0.05);
    await store.close();
  });

  it('detects a sample ratio mismatch when assignment is skewed, and withholds the verdict', async () => {
    const { store, result } = await run({ name: 'srm', variants: ['control', 'treatment'], skewedShares: [0.55, 0.45], effect: { treatment: 0.1 } }, 53);
    console.log(`SRM: counts ${result.variants.map((v) => v.tasks).join('/')}, chi² ${result.srm.chiSquare.toFixed(1)}, p = ${result.srm.pValue.toExponential(2)}`);
    expect(result.srm.mismatch).toBe(true);
    expect(result.verdict).toBe('srm_mismatch');
    expect(result.winner).toBeNull();
    await store.close();
  });

  it('keeps the A/A false positive rate at α over 400 repeated tests', () => {
    const rng = createRng(55);
    let significant = 0;
    for (let k = 0; k < 400; k++) {
      const draw = (n: number): number => { let s = 0; for (let i = 0; i < n; i++) if (rng.next() < 0.6) s++; return s; };
      const r = analyzeCounts({ name: 'aa', variants: ['a', 'b'] }, new Map([['a', { tasks: 1500, successes: draw(1500) }], ['b', { tasks: 1500, successes: draw(1500) }]]), { mde: 0.06 });
      if (r.verdict === 'significant') significant++;
    }
    console.log(`A/A repeated: ${significant}/400 declared significant (α = 0.05)`);
    expect(significant / 400).toBeLessThan(0.08);
  });

  it('waits for the minimum sample before declaring anything', () => {
    const r = analyzeCounts({ name: 'x', variants: ['a', 'b'] }, new Map([['a', { tasks: 100, successes: 50 }], ['b', { tasks: 100, successes: 75 }]]));
    expect(r.minSamplePerArm).toBeGreaterThan(100);
    expect(r.verdict).toBe('collecting');
  });

  it('lands verdicts in the learning run as experiment recommendations', async () => {
    const store = await openStore(':memory:');
    await store.writeBatch(simulate(nullWorld(), { seed: 54, count: 2000, experiment: { name: 'ab2', variants: ['control', 'treatment'], effect: { treatment: 0.15 } } }).spans);
    await defineExperiment(store, { name: 'ab2', variants: ['control', 'treatment'] });
    expect((await listExperiments(store)).map((e) => e.name)).toEqual(['ab2']);
    const out = await runLearning(store, { untilNs: 2n ** 62n });
    const rec = out.recommendations.find((r) => r.id === 'rec_experiment_ab2')!;
    expect(rec.action).toBe('ship treatment from experiment ab2');
    const saved = await store.query(`SELECT kind, action FROM recommendations WHERE id = 'rec_experiment_ab2'`);
    expect(saved[0]).toMatchObject({ kind: 'experiment' });
    await store.close();
  });
});
