/**
 * The learning system: execution records, patterns and antipatterns, the success classifier,
 * recommendations, promotion with review, feedback, A/B experiments and team suggestion.
 */
export { fromConnection, fromReader, fromTraceStore, runNamed } from './db.js';
export type { LearningDb, Row } from './db.js';
export { loadExecutionRecords } from './records.js';
export type { ExecutionRecord, RecordFilter } from './records.js';
export { CONTEXT_BANDS, LOOP_RUN_LENGTH, contextBand, featuresOf } from './features.js';
export type { Feature, FeatureKind } from './features.js';
export { fisherExactTest } from './fisherExact.js';
export { countFeatures, minePatterns, patternId } from './patterns.js';
export { FINDINGS_PROCEDURE, buildFindings } from './findings.js';
export type { AliasRelation, Finding, FindingAlias, FindingsOptions, FindingsReport } from './findings.js';
export { suggestSeparation } from './separation.js';
export { listFindings, rowFindings } from './findingsDb.js';
export { GUARD_MIN_RUNS, GUARD_WINDOW, guardPromotions } from './guard.js';
export type { GuardAction, GuardOptions } from './guard.js';
export type { FindingFilter, RowFinding, StoredFindings } from './findingsDb.js';
export type { SuggestedExperiment } from './separation.js';
export type { BaseCount, FeatureCount, MineOptions, MinedPattern } from './patterns.js';
export { getPattern, listPatterns, updatePatternDb } from './patternDb.js';
export type { PatternDbUpdate, PatternFilter, StoredPattern, UpdatePatternsOptions } from './patternDb.js';
export { buildEncoder, evaluateClassifier, predictTask, startFeatures, trainClassifier, HEALTH_WINDOW, LAMBDA_GRID } from './classifier.js';
export type { ClassifierEvaluation, StartFeatures, TrainedClassifier } from './classifier.js';
export {
  DEFAULT_RULES, autoPromote, checkEligibility, demote, getPolicy, listPolicies, loadRules, policyChoice, promotePattern, rejectPattern, reviewQueue, saveRules, setDefaultTeam,
} from './policy.js';
export type { Actor, Eligibility, PolicySnapshot, PolicyState, PromoteOptions, PromotionRules, PromotionStep, ReviewItem } from './policy.js';
export { buildRecommendations, saveRecommendations } from './recommend.js';
export type { Recommendation, RecommendOptions } from './recommend.js';
export { evidenceFor, suggestTeam, teamArms, teamChooser } from './suggestTeam.js';
export type { SuggestOptions, TeamArm, TeamEvidence, TeamSuggestion } from './suggestTeam.js';
export { FeedbackInput, normalizeLabel, recordFeedback } from './feedback.js';
export type { StoredFeedback } from './feedback.js';
export { assignVariant } from './assignment.js';
export { analyzeCounts, analyzeExperiment, defineExperiment, listExperiments } from './experiments.js';
export type { ExperimentAnalysisOptions, ExperimentDefinition, ExperimentResult, VariantResult } from './experiments.js';
export { experimentRecommendation, runLearning } from './engine.js';
export type { LearningResult, LearningRunOptions, ReportPattern } from './engine.js';
export { LearningInputError, PromotionRefusedError, isPromotionRefused } from './errors.js';
export { learningExtension } from './extension.js';
export { toReportPattern } from './engine.js';
