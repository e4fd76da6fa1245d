import { kvGet, kvSet } from '../../store/records/kv.js';
import type { LearningDb } from './db.js';
import type { Finding, FindingsReport } from './findings.js';

const NS = 'learning';
const KEY = 'findings';

/** What the last pattern-DB update found, as stored (kv learning/findings). */
export interface StoredFindings extends FindingsReport {
  runId: string;
  /** Runs the findings were computed over (the whole history up to the window end). */
  runs: number;
  windowToNs: string;
}

/** Per pattern row: the finding it names or restates (written into the row's evidence). */
export interface RowFinding {
  finding_id: string;
  finding_signature: string;
  finding_role: 'finding' | 'alias';
  /** The finding's direction (adjusted; a row's own kind is unadjusted). */
  finding_kind: 'pattern' | 'antipattern';
  alias_relation?: string;
}

/** Which finding each row belongs to, by pattern id. */
export function rowFindings(findings: readonly Finding[]): Map<string, RowFinding> {
  const out = new Map<string, RowFinding>();
  for (const f of findings) {
    for (const id of f.patternIds) out.set(id, { finding_id: f.id, finding_signature: f.signature, finding_role: 'finding', finding_kind: f.kind });
    for (const a of f.aliases) out.set(a.patternId, { finding_id: f.id, finding_signature: f.signature, finding_role: 'alias', finding_kind: f.kind, alias_relation: a.relation });
  }
  return out;
}

export async function saveFindings(db: LearningDb, findings: StoredFindings): Promise<void> {
  await kvSet(db, NS, KEY, findings);
}

export interface FindingFilter {
  taskType?: string;
  kind?: 'pattern' | 'antipattern';
}

/** The findings of the last learning run (null before the first), optionally filtered. */
export async function listFindings(db: LearningDb, filter: FindingFilter = {}): Promise<StoredFindings | null> {
  const stored = await kvGet<StoredFindings>(db, NS, KEY);
  if (!stored) return null;
  const findings = stored.findings.filter((f) => (!filter.kind || f.kind === filter.kind) && (!filter.taskType || f.taskTypes.includes(filter.taskType)));
  return { ...stored, findings };
}
