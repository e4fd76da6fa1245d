import { describe, expect, it } from 'vitest';
import { openStore } from '../store/index.js';
import { evaluateClassifier, loadExecutionRecords, predictTask, startFeatures } from '../analyzer/learning/index.js';
import { defaultWorld, sharpWorld, simulate } from './fixtures/simulator.js';
import { classifierVsCeiling } from './fixtures/learningEval.js';

describe('evaluateClassifier', () => {
  it('predicts task success at start within 95 % of the Bayes ceiling on a time-based hold-out, calibrated', async () => {
    const c = await classifierVsCeiling(defaultWorld(), 31);
    const e = c.evaluation;
    console.log(
      `classifier hold-out (latest 30 %, n=${e.testSize}): accuracy ${e.accuracy.toFixed(3)} vs ceiling ${c.ceilingAccuracyRealised.toFixed(3)} ` +
        `(expected ${c.ceilingAccuracy.toFixed(3)}; ${(100 * c.shareOfCeiling).toFixed(1)} % of it; with the unforeseeable loop known ${c.fullInformationAccuracy.toFixed(3)}; majority ${e.majorityAccuracy.toFixed(3)}), ` +
        `AUC ${e.auc.toFixed(3)} vs ${c.ceilingAuc.toFixed(3)}, ECE ${e.ece.toFixed(3)} vs ${c.ceilingEce.toFixed(3)}, Brier ${e.brier.toFixed(3)}, log loss ${e.logLoss.toFixed(3)}, λ ${e.lambda}`,
    );
    console.log('top features', e.topFeatures.slice(0, 6).map((f) => `${f.feature} ${f.weight.toFixed(2)}`).join(', '));
    expect(c.shareOfCeiling).toBeGreaterThanOrEqual(0.95);
    expect(e.auc).toBeGreaterThanOrEqual(0.95 * c.ceilingAuc);
    expect(e.ece).toBeLessThan(0.05);
    // The ceiling itself is below 0.90 here: the ≥ 0.90 target applies where the data allows it (next test).
    expect(c.ceilingAccuracyRealised).toBeLessThan(0.9);
    // The planted effects carry the biggest negative weights, and explanations add up.
    const negatives = e.topFeatures.filter((f) => f.weight < 0).map((f) => f.feature);
    expect(negatives).toEqual(expect.arrayContaining(['context=64k-256k', 'model=tiny-model']));
  });

  it('reaches ≥ 0.90 accuracy where the ceiling allows it', async () => {
    const c = await classifierVsCeiling(sharpWorld(), 33);
    console.log(`sharp world: accuracy ${c.evaluation.accuracy.toFixed(3)} vs ceiling ${c.ceilingAccuracyRealised.toFixed(3)} (${(100 * c.shareOfCeiling).toFixed(1)} %), AUC ${c.evaluation.auc.toFixed(3)} vs ${c.ceilingAuc.toFixed(3)}`);
    expect(c.ceilingAccuracyRealised).toBeGreaterThanOrEqual(0.9);
    expect(c.evaluation.accuracy).toBeGreaterThanOrEqual(0.9);
    expect(c.shareOfCeiling).toBeGreaterThanOrEqual(0.95);
  });

  it('explains a prediction as per-feature contributions that add up to its log-odds', async () => {
    const store = await openStore(':memory:');
    const sim = simulate(defaultWorld(), { seed: 31, count: 1500 });
    await store.writeBatch(sim.spans);
    const records = await loadExecutionRecords(store);
    await store.close();
    const { classifier, evaluation: e } = evaluateClassifier(records, 0.3);
    const sorted = [...records].sort((a, b) => (a.startNs < b.startNs ? -1 : 1));
    expect(BigInt(e.splitAtNs)).toBeGreaterThan(sorted[e.trainSize - 1].startNs - 1n);
    const f = startFeatures(sorted)[sorted.length - 1];
    const ex = predictTask(classifier, f);
    expect(ex.baseLogit + ex.contributions.reduce((s, c) => s + c.contribution, 0)).toBeCloseTo(ex.logit, 9);
  });

  it('uses only outcomes finished before a task starts for the agent-health feature', () => {
    const sim = simulate(defaultWorld(), { seed: 32, count: 400 });
    const rec = sim.tasks.map((t, i) => ({
      taskId: t.taskId, traceId: t.traceId, taskType: t.taskType, teamSignature: t.team, startNs: t.startNs, endNs: t.startNs + 1n,
      durationNs: 1, agents: [], tools: [], models: [t.model], contextSize: t.contextSize, recoveries: 0, recovered: 0,
      recoveryStrategies: [], errorTypes: [], costUsd: 0, statusSuccess: t.success, feedbackSuccess: null, success: i < 200 ? t.success : false, variant: null, unitId: null,
    }));
    const a = startFeatures(rec);
    // Flipping outcomes of later tasks cannot change features of earlier ones.
    const b = startFeatures(rec.map((r, i) => (i >= 300 ? { ...r, success: !r.success } : r)));
    expect(b.slice(0, 301)).toEqual(a.slice(0, 301));
  });
});
