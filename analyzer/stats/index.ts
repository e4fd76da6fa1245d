/**
 * Pure statistics for the analyzer and the learning system. Everything is a
 * deterministic function of its inputs (and of a seeded {@link Rng} where
 * randomness is involved); no I/O, no global state.
 *
 * simple-statistics (in the design) is used where it fits: the least-squares fit of the linear
 * trend forecast (`forecast.ts`). The rest is our own because the library does not have it or its
 * version does not meet what the analyzer's numbers need:
 * - p-values far in the tail: its `cumulativeStdNormalProbability` reads a 4-decimal table (no p
 *   below 1e-4, so no BH-adjusted significance across many scopes); ours are erfc/continued-fraction
 *   based to ~1e-15 relative (`distributions.ts`, `special.ts`), with Student t, chi-square and beta;
 * - quantiles that agree with DuckDB's `quantile_disc`/`quantile_cont` on the same data
 *   (`quantiles.ts`), which the report compares against SQL results;
 * - Mann–Whitney with tie correction, Hodges–Lehmann, two-proportion tests with Wilson intervals,
 *   Benjamini–Hochberg, change points, Holt forecasts, logistic regression and Thompson sampling with
 *   a seeded generator: not in the library.
 * The property tests beside each module check these against closed forms and brute force.
 */
export { createRng } from './rng.js';
export type { Rng } from './rng.js';
export { logBeta, logGamma, regularizedBeta, regularizedGammaP, regularizedGammaQ } from './special.js';
export {
  betaCdf,
  betaQuantile,
  chiSquareSf,
  normalCdf,
  normalPdf,
  normalQuantile,
  normalSf,
  studentTCdf,
  studentTQuantile,
  twoSidedNormalP,
} from './distributions.js';
export { sortedFinite } from './sorted.js';
export { exactTwoSidedP, mannWhitneyU } from './mannWhitney.js';
export type { MannWhitneyOptions, MannWhitneyResult } from './mannWhitney.js';
export { hodgesLehmannShift, hodgesLehmannSorted } from './hodgesLehmann.js';
export { betaPosteriorInterval, jeffreysInterval, minSampleSizePerArm, srmTest, twoProportionZTest, wilsonInterval } from './proportions.js';
export type { ProportionInterval, SampleSizeOptions, SrmResult, TwoProportionResult } from './proportions.js';
export { bhQValues, bhReject } from './multipleTesting.js';
export { mantelHaenszel } from './mantelHaenszel.js';
export type { MantelHaenszelResult, Stratum2x2 } from './mantelHaenszel.js';
export { binarySegmentation, estimateNoiseVariance, peltMeanChanges, singleChangePoint } from './changePoint.js';
export type { PeltOptions, PeltResult, Segment, SingleChangePoint } from './changePoint.js';
export { firstCrossing, holtForecast, linearTrendForecast } from './forecast.js';
export type { CrossingOptions, Forecast, ForecastOptions, HoltForecast } from './forecast.js';
export { quantileCont, quantileDisc, quantiles } from './quantiles.js';
export { explainPrediction, fitLogistic, predictLogit, predictProba, sigmoid } from './logistic.js';
export type { FeatureContribution, LogisticFitOptions, LogisticModel, PredictionExplanation } from './logistic.js';
export { accuracy, brierScore, calibration, logLoss, rocAuc } from './evaluate.js';
export type { CalibrationReport, ReliabilityBin } from './evaluate.js';
export { chooseArm, probabilityBest } from './thompson.js';
export type { BetaArm, BetaPrior } from './thompson.js';
