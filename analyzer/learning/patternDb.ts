import { randomUUID } from 'node:crypto';
import { kvDelete, kvGet, kvSet } from '../../store/records/kv.js';
import { appendPatternOutcomes, deletePatternOutcomes, insertSeenPatterns, upsertPatternStats } from '../../store/records/learning.js';
import { inTransaction } from '../../store/records/sqlRows.js';
import { num, parseJson } from './db.js';
import type { LearningDb } from './db.js';
import type { FeatureKind } from './features.js';
import { buildFindings } from './findings.js';
import type { FindingsReport } from './findings.js';
import { rowFindings, saveFindings } from './findingsDb.js';
import { countFeatures, minePatterns, patternId } from './patterns.js';
import type { FeatureCount, MinedPattern, MineOptions } from './patterns.js';
import { loadExecutionRecords } from './records.js';
import type { ExecutionRecord } from './records.js';

const NS = 'learning';
const WATERMARK = 'pattern_watermark_ns';
const BASE_SIGNATURE = '*';
/** Review states a run never overwrites: they belong to humans (or the auto-promote policy). */
const REVIEW_STATES = new Set(['promoted', 'rolling_out', 'rejected', 'demoted']);

export interface UpdatePatternsOptions extends MineOptions {
  runId?: string;
  /** Window end (exclusive, by task start); default now. */
  untilNs?: bigint;
  /** Forget all counts and recount the whole history (after late data or a definition change). */
  rebuild?: boolean;
}

export interface PatternDbUpdate {
  runId: string;
  windowFromNs: bigint | null;
  windowToNs: bigint;
  /** Tasks counted in this run's window. */
  tasks: number;
  /** Every tested pattern, from the cumulative counts. */
  patterns: MinedPattern[];
  /** The significant patterns folded into one finding per effect, over the whole history. */
  findings: FindingsReport;
  /** The whole history up to the window end, as the findings read it (the guard reuses it). */
  history: ExecutionRecord[];
}

/**
 * Incremental pattern-database update: counts features of the tasks that started since the
 * previous run's watermark, appends those counts to `pattern_outcomes`, re-tests every feature on
 * the cumulative counts (Fisher exact + BH) and upserts `patterns`, all in one transaction; the
 * watermark moves only when it commits, so a crashed run is simply redone.
 */
export async function updatePatternDb(db: LearningDb, options: UpdatePatternsOptions = {}): Promise<PatternDbUpdate> {
  const runId = options.runId ?? randomUUID();
  const untilNs = options.untilNs ?? BigInt(Date.now()) * 1_000_000n;
  const minSupport = options.minSupport ?? 10;
  return inTransaction(db, async () => {
    if (options.rebuild) {
      await deletePatternOutcomes(db);
      await kvDelete(db, NS, WATERMARK);
    }
    const mark = await kvGet<string>(db, NS, WATERMARK);
    const sinceNs = mark === null ? null : BigInt(mark);
    const records = await loadExecutionRecords(db, { sinceNs, untilNs });
    const { features, bases } = countFeatures(records);
    const now = new Date().toISOString();

    // Register new features (and one base row per task type) so outcomes can reference them.
    const rows: { id: string; kind: string; taskType: string; signature: string; support: number; successes: number }[] = [
      ...bases.map((b) => ({ id: patternId(b.taskType, BASE_SIGNATURE), kind: 'base', taskType: b.taskType, signature: BASE_SIGNATURE, support: b.support, successes: b.successes })),
      ...features.map((f) => ({ id: patternId(f.taskType, f.signature), kind: 'pattern', taskType: f.taskType, signature: f.signature, support: f.support, successes: f.successes })),
    ];
    await insertSeenPatterns(db, rows.map((r) => ({ ...r, status: r.kind === 'base' ? 'base' : 'observed' })), now);
    await appendPatternOutcomes(db, rows.map((r) => ({ patternId: r.id, runId, windowFromNs: sinceNs, windowToNs: untilNs, support: r.support, successes: r.successes })));

    // Cumulative counts over every window so far.
    const totals = await db.query(
      `SELECT p.id, p.kind, p.task_type, p.signature, p.status, CAST(p.evidence AS VARCHAR) AS evidence,
              sum(o.support) AS support, sum(o.successes) AS successes
       FROM patterns p JOIN pattern_outcomes o ON o.pattern_id = p.id GROUP BY ALL`,
    );
    const windowExamples = new Map(features.map((f) => [patternId(f.taskType, f.signature), f.failedExamples]));
    const cumFeatures: FeatureCount[] = [];
    const cumBases = [];
    const previous = new Map<string, { status: string; evidence: { examples?: string[] } }>();
    for (const t of totals) {
      const id = String(t.id);
      previous.set(id, { status: String(t.status), evidence: parseJson(t.evidence, {}) });
      const support = num(t.support);
      const successes = num(t.successes);
      if (t.kind === 'base') cumBases.push({ taskType: String(t.task_type), support, successes });
      else {
        const signature = String(t.signature);
        const examples = windowExamples.get(id) ?? previous.get(id)!.evidence.examples ?? [];
        cumFeatures.push({ taskType: String(t.task_type), kind: signature.split(':')[0] as FeatureKind, signature, support, successes, failedExamples: examples });
      }
    }
    const mined = minePatterns(cumFeatures, cumBases, { ...options, minSupport });
    const examplesOf = new Map(cumFeatures.map((f) => [patternId(f.taskType, f.signature), f.failedExamples]));
    // Folding needs which runs hold which features, so it reads the whole history (not only counts).
    const history = sinceNs === null ? records : await loadExecutionRecords(db, { untilNs });
    const findings = buildFindings(history, mined, { fdr: options.fdr ?? 0.05 });
    const byRow = rowFindings(findings.findings);
    await saveFindings(db, { ...findings, runId, runs: history.length, windowToNs: untilNs.toString() });
    await upsertPatternStats(
      db,
      mined.map((p) => {
        const prev = previous.get(p.id)?.status ?? 'observed';
        const status = REVIEW_STATES.has(prev) ? prev : p.kind === 'antipattern' ? 'flagged' : 'candidate';
        const evidence = {
          feature_kind: p.featureKind, base_rate: p.baseRate, rest_rate: p.restRate, failures: p.support - p.successes,
          p_value: p.pValue, q_value: p.qValue, test: 'fisher_exact_two_sided', fdr_control: 'benjamini_hochberg',
          examples: examplesOf.get(p.id) ?? [],
          ...byRow.get(p.id),
        };
        return { ...p, status, evidence };
      }),
      now,
    );
    await kvSet(db, NS, WATERMARK, untilNs.toString());
    return { runId, windowFromNs: sinceNs, windowToNs: untilNs, tasks: records.length, patterns: mined, findings, history };
  });
}

/** A row of the pattern database: a mined pattern's identity and statistics, its status and evidence. */
export type StoredPattern = Pick<MinedPattern, 'id' | 'kind' | 'taskType' | 'signature' | 'support' | 'successes' | 'successRate' | 'ciLow' | 'ciHigh' | 'confidence'> & {
  /** As stored: a NULL column reads as null. */
  lift: number | null;
  status: string;
  evidence: Record<string, unknown>;
};

export interface PatternFilter {
  taskType?: string;
  kind?: 'pattern' | 'antipattern';
  status?: string;
  /** Include features seen too rarely to be tested yet (status 'observed'). */
  includeObserved?: boolean;
}

/** Tested patterns from the database (never the untested 'observed' ones), worst first within a task type. */
export async function listPatterns(db: LearningDb, filter: PatternFilter = {}): Promise<StoredPattern[]> {
  const rows = await db.query(
    `SELECT id, kind, task_type, signature, support, successes, success_rate, ci_low, ci_high, lift, confidence, status,
            CAST(evidence AS VARCHAR) AS evidence
     FROM patterns
     WHERE kind IN ('pattern', 'antipattern') AND (CAST($observed AS BOOLEAN) OR status <> 'observed')
       AND (CAST($task_type AS VARCHAR) IS NULL OR task_type = CAST($task_type AS VARCHAR))
       AND (CAST($kind AS VARCHAR) IS NULL OR kind = CAST($kind AS VARCHAR))
       AND (CAST($status AS VARCHAR) IS NULL OR status = CAST($status AS VARCHAR))
     ORDER BY task_type, kind DESC, success_rate, signature`,
    { task_type: filter.taskType ?? null, kind: filter.kind ?? null, status: filter.status ?? null, observed: filter.includeObserved ?? false },
  );
  return rows.map((r) => ({
    id: String(r.id),
    kind: r.kind as 'pattern' | 'antipattern',
    taskType: String(r.task_type),
    signature: String(r.signature),
    support: num(r.support),
    successes: num(r.successes),
    successRate: num(r.success_rate),
    ciLow: num(r.ci_low),
    ciHigh: num(r.ci_high),
    lift: r.lift === null ? null : num(r.lift),
    confidence: num(r.confidence),
    status: String(r.status),
    evidence: parseJson(r.evidence, {}),
  }));
}

/** One pattern by id, or null. */
export async function getPattern(db: LearningDb, id: string): Promise<StoredPattern | null> {
  const rows = await db.query(`SELECT task_type FROM patterns WHERE id = $id AND kind IN ('pattern', 'antipattern')`, { id });
  if (rows.length === 0) return null;
  const all = await listPatterns(db, { taskType: String(rows[0].task_type), includeObserved: true });
  return all.find((p) => p.id === id) ?? null;
}
