/** The DuckDB store's options and write results (see `DuckDbStore`). */

export interface OpenStoreOptions {
  /** Open without writing: no migrations, no spool ingest. Fails if the file is missing. */
  readOnly?: boolean;
  /** Ingest spooled segments left by other processes right after opening (writer only; default true). */
  ingestSpool?: boolean;
  /** DuckDB threads; defaults to DuckDB's own choice. */
  threads?: number;
  /** DuckDB's memory limit (e.g. '128MB'); defaults to DuckDB's own (80 % of RAM). Beyond it DuckDB spills to disk. */
  memoryLimit?: string;
  /** No file or network access beyond this database and settings locked, from the start (see `sandbox()`). */
  sandbox?: boolean;
}

export interface WriteResult {
  /** Spans appended. */
  inserted: number;
  /** Spans skipped because their (trace_id, span_id) was stored already. */
  duplicates: number;
  /** Log records and metric points appended (absent when none were given). */
  logs?: number;
  points?: number;
}


/** What one `stage` call did, and which staged transaction (epoch) now holds its spans. */
export interface StageResult extends WriteResult {
  epoch: number;
}

/** Called once per staged transaction when it ends: `err` is null when it committed. */
export type StagedSettledListener = (epoch: number, err: unknown) => void;
