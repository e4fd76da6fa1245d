import { describe, expect, it } from 'vitest';
import { openStore } from '../store/index.js';
import { evaluateClassifier, loadExecutionRecords, predictTask, startFeatures } from '../analyzer/learning/index.js';
import { defaultWorld, simulate } from './fixtures/simulator.js';

describe('evaluateClassifier', () => {
  it('predicts task success at start with ≥ 85 % accuracy on a time-based hold-out, calibrated', async () => {
    const store = await openStore(':memory:');
    const sim = simulate(defaultWorld(), { seed: 31, count: 6000 });
    await store.writeBatch(sim.spans);
    const records = await loadExecutionRecords(store);
    const { classifier, evaluation: e } = evaluateClassifier(records, 0.3);
    // The best any classifier can do here: predict success when the true probability ≥ ½.
    const truth = new Map(sim.tasks.map((t) => [t.taskId, t]));
    const sorted = [...records].sort((a, b) => (a.startNs < b.startNs ? -1 : 1));
    const test = sorted.slice(e.trainSize);
    const bayes = test.filter((r) => (truth.get(r.taskId)!.trueP >= 0.5) === r.success).length / test.length;
    console.log(
      `classifier hold-out (latest 30 %, n=${e.testSize}): accuracy ${e.accuracy.toFixed(3)} (Bayes-optimal ${bayes.toFixed(3)}, majority ${e.majorityAccuracy.toFixed(3)}), ` +
        `AUC ${e.auc.toFixed(3)}, Brier ${e.brier.toFixed(3)}, log loss ${e.logLoss.toFixed(3)}, ECE ${e.ece.toFixed(3)}, λ ${e.lambda}`,
    );
    console.log('top features', e.topFeatures.slice(0, 6).map((f) => `${f.feature} ${f.weight.toFixed(2)}`).join(', '));
    expect(e.accuracy).toBeGreaterThanOrEqual(0.85);
    expect(e.auc).toBeGreaterThanOrEqual(0.85);
    expect(e.ece).toBeLessThan(0.05);
    expect(BigInt(e.splitAtNs)).toBeGreaterThan(sorted[e.trainSize - 1].startNs - 1n);
    // The planted effects carry the biggest negative weights, and explanations add up.
    const negatives = e.topFeatures.filter((f) => f.weight < 0).map((f) => f.feature);
    expect(negatives).toEqual(expect.arrayContaining(['context=64k-256k', 'model=tiny-model']));
    const f = startFeatures(sorted)[sorted.length - 1];
    const ex = predictTask(classifier, f);
    expect(ex.baseLogit + ex.contributions.reduce((s, c) => s + c.contribution, 0)).toBeCloseTo(ex.logit, 9);
    await store.close();
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
