/**
 * Success/failure classifier on features known when a task starts.
 *
 * Model: L2-regularised logistic regression (analyzer/stats/logistic.ts). Chosen over boosted
 * stumps because (1) every prediction decomposes exactly into per-feature log-odds pushes, which
 * is the explanation a reviewer needs ("team coder+tester: −2.1"), (2) its probabilities come out
 * reasonably calibrated without a separate calibration step, and (3) the fit is convex and
 * deterministic. The penalty λ is picked by log loss on the most recent 20 % of the training
 * period (time order kept, never shuffled), then the model is refit on the whole training period.
 */
import { fitLogistic, explainPrediction, predictProba } from '../stats/logistic.js';
import type { LogisticModel, PredictionExplanation } from '../stats/logistic.js';
import { accuracy, brierScore, calibration, logLoss, rocAuc } from '../stats/evaluate.js';
import type { ReliabilityBin } from '../stats/evaluate.js';
import { contextBand } from './features.js';
import type { ExecutionRecord } from './records.js';

/** What is known when a task starts. */
export interface StartFeatures {
  taskType: string;
  team: string;
  models: string[];
  contextSize: number | null;
  /** Worst recent-vs-usual failure-rate gap among the team's agents (0 = healthy). */
  healthGap: number;
}

/** Recent window per agent for the health feature (tasks). Long enough to be stable, short enough to react within a day here. */
export const HEALTH_WINDOW = 20;

/**
 * Start features for records (sorted by start): the health gap uses only outcomes of tasks that
 * ended before each task started, so nothing from the future leaks in.
 */
export function startFeatures(records: readonly ExecutionRecord[]): StartFeatures[] {
  const order = records.map((_, i) => i).sort((a, b) => (records[a].startNs < records[b].startNs ? -1 : records[a].startNs > records[b].startNs ? 1 : 0));
  const byEnd = [...order].sort((a, b) => (records[a].endNs < records[b].endNs ? -1 : records[a].endNs > records[b].endNs ? 1 : 0));
  const recent = new Map<string, number[]>();
  const total = new Map<string, { n: number; fail: number }>();
  const out: StartFeatures[] = new Array(records.length);
  let e = 0;
  for (const i of order) {
    const r = records[i];
    while (e < byEnd.length && records[byEnd[e]].endNs <= r.startNs) {
      const done = records[byEnd[e++]];
      for (const a of membersOf(done)) {
        const q = recent.get(a) ?? [];
        q.push(done.success ? 0 : 1);
        if (q.length > HEALTH_WINDOW) q.shift();
        recent.set(a, q);
        const t = total.get(a) ?? { n: 0, fail: 0 };
        t.n++;
        t.fail += done.success ? 0 : 1;
        total.set(a, t);
      }
    }
    let gap = 0;
    for (const a of membersOf(r)) {
      const q = recent.get(a);
      const t = total.get(a);
      if (!q || !t || q.length < 5) continue;
      const recentRate = q.reduce((s, x) => s + x, 0) / q.length;
      gap = Math.max(gap, recentRate - t.fail / t.n);
    }
    out[i] = { taskType: r.taskType ?? '?', team: r.teamSignature ?? '?', models: r.models, contextSize: r.contextSize, healthGap: gap };
  }
  return out;
}

function membersOf(r: ExecutionRecord): string[] {
  return r.teamSignature ? r.teamSignature.split('+') : [...new Set(r.agents)];
}

/** One-hot vocabulary + numeric columns, learned from the training rows only. */
export interface FeatureEncoder {
  names: string[];
  encode(f: StartFeatures): number[];
}

function categories(f: StartFeatures): string[] {
  const out = [`type=${f.taskType}`, `team=${f.team}@${f.taskType}`];
  for (const m of f.team.split('+')) out.push(`agent=${m}`);
  for (const m of f.models) out.push(`model=${m}`);
  if (f.contextSize !== null) out.push(`context=${contextBand(f.contextSize)}`);
  return out;
}

/** Builds the encoder from training rows: categories seen in training, plus log2 context and the health gap. */
export function buildEncoder(train: readonly StartFeatures[]): FeatureEncoder {
  const vocab = new Map<string, number>();
  for (const f of train) for (const c of categories(f)) if (!vocab.has(c)) vocab.set(c, vocab.size);
  const names = [...vocab.keys(), 'log2_context', 'agent_health_gap'];
  return {
    names,
    encode(f) {
      const x = new Array<number>(names.length).fill(0);
      for (const c of categories(f)) {
        const j = vocab.get(c);
        if (j !== undefined) x[j] = 1;
      }
      x[vocab.size] = f.contextSize !== null && f.contextSize > 0 ? Math.log2(f.contextSize) : 0;
      x[vocab.size + 1] = f.healthGap;
      return x;
    },
  };
}

export interface TrainedClassifier {
  model: LogisticModel;
  encoder: FeatureEncoder;
}

/** The λ grid searched: four decades around the standardised-scale default of 1. */
export const LAMBDA_GRID = [0.1, 1, 10, 100];

/** Fits the classifier on time-ordered training rows, choosing λ on the last 20 % of them. */
export function trainClassifier(features: readonly StartFeatures[], labels: readonly number[]): TrainedClassifier {
  const cut = Math.floor(features.length * 0.8);
  let bestLambda = 1;
  let bestLoss = Infinity;
  if (cut >= 20 && features.length - cut >= 10) {
    const enc = buildEncoder(features.slice(0, cut));
    const Xa = features.slice(0, cut).map(enc.encode);
    const Xb = features.slice(cut).map(enc.encode);
    for (const lambda of LAMBDA_GRID) {
      const m = fitLogistic(Xa, labels.slice(0, cut), { lambda });
      const loss = logLoss(labels.slice(cut), Xb.map((x) => predictProba(m, x)));
      if (loss < bestLoss) {
        bestLoss = loss;
        bestLambda = lambda;
      }
    }
  }
  const encoder = buildEncoder(features);
  const model = fitLogistic(features.map(encoder.encode), labels, { lambda: bestLambda, featureNames: encoder.names });
  return { model, encoder };
}

/** Probability of success and its explanation for one task at start. */
export function predictTask(c: TrainedClassifier, f: StartFeatures): PredictionExplanation {
  return explainPrediction(c.model, c.encoder.encode(f));
}

export interface ClassifierEvaluation {
  trainSize: number;
  testSize: number;
  /** Test rows start at or after this task start (epoch ns). */
  splitAtNs: string;
  lambda: number;
  accuracy: number;
  /** Accuracy of always predicting the training majority class, for scale. */
  majorityAccuracy: number;
  auc: number;
  brier: number;
  logLoss: number;
  /** Expected calibration error over 10 equal-width bins. */
  ece: number;
  calibration: ReliabilityBin[];
  /** Largest standardised weights: what drives the predictions. */
  topFeatures: { feature: string; weight: number }[];
  probabilities: number[];
  labels: number[];
}

/**
 * Time-based hold-out evaluation: trains on the earliest `1 − testShare` of the tasks and
 * scores the latest `testShare` (default 0.3), the way the model would be used on new tasks.
 */
export function evaluateClassifier(records: readonly ExecutionRecord[], testShare = 0.3): { classifier: TrainedClassifier; evaluation: ClassifierEvaluation } {
  const sorted = [...records].filter((r) => r.taskType).sort((a, b) => (a.startNs < b.startNs ? -1 : a.startNs > b.startNs ? 1 : 0));
  if (sorted.length < 50) throw new RangeError(`the classifier needs at least 50 tasks, got ${sorted.length}`);
  const feats = startFeatures(sorted);
  const labels: number[] = sorted.map((r) => (r.success ? 1 : 0));
  const cut = Math.floor(sorted.length * (1 - testShare));
  const classifier = trainClassifier(feats.slice(0, cut), labels.slice(0, cut));
  const testLabels = labels.slice(cut);
  const probs = feats.slice(cut).map((f) => predictProba(classifier.model, classifier.encoder.encode(f)));
  const trainPos = labels.slice(0, cut).reduce<number>((s, y) => s + y, 0) / cut;
  const majority = trainPos >= 0.5 ? 1 : 0;
  const cal = calibration(testLabels, probs);
  const m = classifier.model;
  return {
    classifier,
    evaluation: {
      trainSize: cut,
      testSize: sorted.length - cut,
      splitAtNs: sorted[cut].startNs.toString(),
      lambda: m.lambda,
      accuracy: accuracy(testLabels, probs),
      majorityAccuracy: testLabels.filter((y) => y === majority).length / testLabels.length,
      auc: rocAuc(testLabels, probs),
      brier: brierScore(testLabels, probs),
      logLoss: logLoss(testLabels, probs),
      ece: cal.ece,
      calibration: cal.bins,
      topFeatures: m.weights
        .map((w, j) => ({ feature: m.featureNames[j], weight: w }))
        .sort((a, b) => Math.abs(b.weight) - Math.abs(a.weight))
        .slice(0, 10),
      probabilities: probs,
      labels: testLabels,
    },
  };
}
