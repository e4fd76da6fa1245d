export type { AlertEventRecord, AlertStateRecord, AnalyzerRecords, AnalyzerRunRecord } from './types.js';
export { duckDbRecords } from './duckdbRecords.js';
export { clickHouseRecords } from './clickhouseRecords.js';
