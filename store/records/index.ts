export type { AlertEventRecord, AlertStateRecord, AnalyzerRecords, AnalyzerRunRecord } from './types.js';
export { duckDbRecords } from './duckdbRecords.js';
export { clickHouseRecords } from './clickhouseRecords.js';
export { inTransaction, insertRows } from './sqlRows.js';
export type { SqlWriter } from './sqlRows.js';
export { kvDelete, kvGet, kvSet } from './kv.js';
export {
  appendPatternOutcomes, deletePatternOutcomes, insertFeedback, insertPromotion, insertSeenPatterns, setPatternStatus, upsertExperiment, upsertPatternStats,
  upsertRecommendations,
} from './learning.js';
export type {
  ExperimentRecord, FeedbackRecord, PatternOutcomeRecord, PatternReviewStatus, PatternStatsRecord, PromotionRecord, RecommendationRecord, SeenPatternRecord,
} from './learning.js';
