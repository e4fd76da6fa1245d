export { DuckDbStore, openStore } from './DuckDbStore.js';
export type { OpenStoreOptions, WriteResult, Row } from './DuckDbStore.js';
export * from './errors.js';
export { normalizeSpan, teamSignatureOf, ATTR } from './normalize.js';
export type { NormalizedSpan } from './normalize.js';
export { MIGRATIONS, CURRENT_SCHEMA_VERSION, SPAN_COLUMNS, ROLLUP_DIMENSIONS, migrate, readSchemaVersion } from './schema.js';
export { LogSketch, sketchBucket, sketchValue, nearestRank, SKETCH_GAMMA, SKETCH_RELATIVE_ACCURACY, SQL_SKETCH_VALUE, ZERO_BUCKET } from './sketch.js';
export { spoolDirFor, writeSpoolSegment, listSpoolSegments, readSpoolSegment, removeSpoolSegment, encodeSpoolLines, decodeSpoolLines } from './spool.js';
export * from './types.js';
