/**
 * Classifier evaluation: accuracy, ROC AUC, Brier score, log loss and
 * calibration. Labels are 0/1 (any value > 0.5 counts as 1); `probs`/`scores`
 * are predicted probabilities or scores for class 1, aligned with the labels.
 */
import { mannWhitneyU } from './mannWhitney.js';

/** Share of rows where (prob ≥ threshold) equals the label (threshold default 0.5). NaN when empty. */
export function accuracy(labels: ArrayLike<number>, probs: ArrayLike<number>, threshold = 0.5): number {
  checkAligned(labels, probs);
  let correct = 0;
  for (let i = 0; i < labels.length; i++) if (probs[i] >= threshold === labels[i] > 0.5) correct++;
  return correct / labels.length;
}

/**
 * ROC AUC = P(score of a random positive > score of a random negative), ties
 * counting ½ — exactly the Mann–Whitney U / (n₊·n₋) of positive vs negative
 * scores, computed in O(n log n). NaN when either class is absent.
 */
export function rocAuc(labels: ArrayLike<number>, scores: ArrayLike<number>): number {
  checkAligned(labels, scores);
  let positives = 0;
  for (let i = 0; i < labels.length; i++) if (labels[i] > 0.5) positives++;
  const pos = new Float64Array(positives);
  const neg = new Float64Array(labels.length - positives);
  let a = 0;
  let b = 0;
  for (let i = 0; i < labels.length; i++) {
    if (labels[i] > 0.5) pos[a++] = scores[i];
    else neg[b++] = scores[i];
  }
  return mannWhitneyU(pos, neg, { method: 'normal', hodgesLehmann: false }).probabilityOfSuperiority;
}

/** Brier score: mean squared difference between probability and label (0 perfect, 0.25 for always ½). */
export function brierScore(labels: ArrayLike<number>, probs: ArrayLike<number>): number {
  checkAligned(labels, probs);
  let s = 0;
  for (let i = 0; i < labels.length; i++) {
    const d = probs[i] - (labels[i] > 0.5 ? 1 : 0);
    s += d * d;
  }
  return s / labels.length;
}

/** Mean negative log-likelihood, probabilities clipped to [1e-15, 1 − 1e-15] so one confident miss stays finite. */
export function logLoss(labels: ArrayLike<number>, probs: ArrayLike<number>): number {
  checkAligned(labels, probs);
  let s = 0;
  for (let i = 0; i < labels.length; i++) {
    const p = Math.min(1 - 1e-15, Math.max(1e-15, probs[i]));
    s -= labels[i] > 0.5 ? Math.log(p) : Math.log1p(-p);
  }
  return s / labels.length;
}

/** One reliability-diagram bin over predicted probabilities [lower, upper). */
export interface ReliabilityBin {
  lower: number;
  upper: number;
  count: number;
  /** Mean predicted probability in the bin (NaN when empty). */
  meanPredicted: number;
  /** Observed positive rate in the bin (NaN when empty). */
  observedRate: number;
}

export interface CalibrationReport {
  /** Expected calibration error Σ_b (n_b/N)·|observed_b − predicted_b|. */
  ece: number;
  /** Largest |observed − predicted| over non-empty bins. */
  mce: number;
  bins: ReliabilityBin[];
}

/**
 * Calibration with `binCount` equal-width bins on [0, 1] (default 10; the
 * last bin includes 1). ECE depends on the binning, so compare models with
 * the same bins; with few rows per bin it is biased upwards by noise.
 */
export function calibration(labels: ArrayLike<number>, probs: ArrayLike<number>, binCount = 10): CalibrationReport {
  checkAligned(labels, probs);
  const counts = new Float64Array(binCount);
  const sumP = new Float64Array(binCount);
  const sumY = new Float64Array(binCount);
  for (let i = 0; i < labels.length; i++) {
    const p = probs[i];
    const b = Math.min(binCount - 1, Math.max(0, Math.floor(p * binCount)));
    counts[b]++;
    sumP[b] += p;
    sumY[b] += labels[i] > 0.5 ? 1 : 0;
  }
  let ece = 0;
  let mce = 0;
  const bins: ReliabilityBin[] = [];
  for (let b = 0; b < binCount; b++) {
    const c = counts[b];
    const meanPredicted = c > 0 ? sumP[b] / c : NaN;
    const observedRate = c > 0 ? sumY[b] / c : NaN;
    if (c > 0) {
      const gap = Math.abs(observedRate - meanPredicted);
      ece += (c / labels.length) * gap;
      mce = Math.max(mce, gap);
    }
    bins.push({ lower: b / binCount, upper: (b + 1) / binCount, count: c, meanPredicted, observedRate });
  }
  return { ece, mce, bins };
}

function checkAligned(labels: ArrayLike<number>, values: ArrayLike<number>): void {
  if (labels.length !== values.length) throw new RangeError(`labels (${labels.length}) and predictions (${values.length}) must align`);
}
