/**
 * Store write benchmark (issue 2, bench b): `DuckDbStore.writeBatch` (normalise, dedup
 * probe, append, rollups, commit) versus a raw DuckDB appender writing the same rows,
 * already normalised, into a plain table of the same shape, in the same process.
 * Rounds alternate raw/store on fresh files; medians are reported.
 *
 * Run: npm run build && node dist/bench/store.bench.js [--quick] [--spans N] [--batch N] [--rounds R]
 */
import { appendSpanRow } from '../store/appendSpanRow.js';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { DuckDBInstance } from '@duckdb/node-api';
import type { DuckDBAppender } from '@duckdb/node-api';
import { DuckDbStore } from '../store/DuckDbStore.js';
import { normalizeSpan } from '../store/normalize.js';
import type { NormalizedSpan } from '../store/normalize.js';
import { SPAN_COLUMNS } from '../store/schema.js';
import type { SpanRecord } from '../store/types.js';

const AGENTS = ['planner', 'coder', 'reviewer', 'researcher', 'tester', 'writer', 'critic'];
const TOOLS = ['web_search', 'read_file', 'run_tests', 'write_file', 'grep'];
const MODELS = ['gpt-4o', 'gpt-4o-mini', 'claude-sonnet-4', 'claude-haiku-4'];

const hex = (n: number, width: number): string => n.toString(16).padStart(width, '0');

/**
 * Realistic agent traces as store records: per trace one invoke_agent root with three
 * chat and two execute_tool children, ~8 GenAI/agentpulse attributes each, a 4-attribute
 * resource, some errors with an exception event. `seed` keeps ids unique across calls.
 */
export function makeAgentSpans(count: number, seed = 1, baseNs = 1_700_000_000_000_000_000n): SpanRecord[] {
  const resource = { 'service.name': 'bench-agents', 'service.version': '1.0.0', 'host.name': 'bench', 'telemetry.sdk.language': 'nodejs' };
  const out: SpanRecord[] = [];
  let t = 0;
  for (let trace = 0; out.length < count; trace++) {
    const traceId = hex(seed, 16) + hex(trace, 16);
    const agent = AGENTS[trace % AGENTS.length];
    const rootId = hex(seed & 0xffff, 4) + hex(trace * 8, 12);
    const rootStart = baseNs + BigInt(t) * 1_000_000n;
    t += 7;
    const task = `task-${seed}-${trace}`;
    const members = [agent, AGENTS[(trace + 2) % AGENTS.length]];
    out.push({
      traceId, spanId: rootId, parentSpanId: null, name: `invoke_agent ${agent}`, kind: 'internal',
      startNs: rootStart, endNs: rootStart + 900_000_000n + BigInt(trace % 1000) * 1_000_000n,
      statusCode: trace % 20 === 0 ? 'ERROR' : 'OK', statusMessage: trace % 20 === 0 ? 'tool failed' : null,
      attributes: {
        'gen_ai.operation.name': 'invoke_agent', 'gen_ai.agent.name': agent, 'gen_ai.agent.id': `${agent}-1`,
        'agentpulse.task.id': task, 'agentpulse.task.type': trace % 3 === 0 ? 'bugfix' : 'feature',
        'agentpulse.team.id': `team-${trace % 11}`, 'agentpulse.team.members': members, 'agentpulse.context.size': 4000 + (trace % 900),
      },
      resource, scopeName: 'agentpulse', scopeVersion: '0.1.0', events: [], links: [],
    });
    for (let c = 1; c <= 5 && out.length < count; c++) {
      const isTool = c === 2 || c === 4;
      const start = rootStart + BigInt(c) * 100_000_000n;
      const dur = BigInt(20_000_000 + ((trace * 7919 + c * 104729) % 700_000_000));
      const failed = isTool && trace % 20 === 0;
      const model = MODELS[(trace + c) % MODELS.length];
      const tool = TOOLS[(trace + c) % TOOLS.length];
      out.push({
        traceId, spanId: hex(seed & 0xffff, 4) + hex(trace * 8 + c, 12), parentSpanId: rootId,
        name: isTool ? `execute_tool ${tool}` : `chat ${model}`, kind: isTool ? 'internal' : 'client',
        startNs: start, endNs: start + dur, statusCode: failed ? 'ERROR' : 'UNSET', statusMessage: failed ? 'ENOENT' : null,
        attributes: isTool
          ? {
              'gen_ai.operation.name': 'execute_tool', 'gen_ai.tool.name': tool, 'gen_ai.tool.call.id': `call_${trace}_${c}`,
              'gen_ai.agent.name': agent, 'agentpulse.task.id': task, 'agentpulse.task.type': trace % 3 === 0 ? 'bugfix' : 'feature',
              'agentpulse.team.id': `team-${trace % 11}`, 'agentpulse.team.members': members,
            }
          : {
              'gen_ai.operation.name': 'chat', 'gen_ai.provider.name': model.startsWith('gpt') ? 'openai' : 'anthropic',
              'gen_ai.request.model': model, 'gen_ai.agent.name': agent, 'gen_ai.usage.input_tokens': 1000 + (trace % 3000),
              'gen_ai.usage.output_tokens': 100 + (trace % 400), 'agentpulse.cost.usd': 0.0001 * (1 + (trace % 50)),
              'agentpulse.task.id': task,
            },
        resource, scopeName: 'agentpulse', scopeVersion: '0.1.0',
        events: failed ? [{ name: 'exception', timeNs: start + dur, attributes: { 'exception.type': 'ENOENT', 'exception.message': 'no such file' } }] : [],
        links: [],
      });
    }
  }
  return out;
}

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[s.length >> 1] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

/** Raw appender rows/s: pre-normalised rows into a plain `spans`-shaped table, one transaction per batch. */
async function rawRound(path: string, rows: NormalizedSpan[], batch: number): Promise<number> {
  const inst = await DuckDBInstance.create(path);
  const conn = await inst.connect();
  await conn.run(`CREATE TABLE raw_spans (${SPAN_COLUMNS.map(([n, t]) => `${n} ${t}`).join(', ')})`);
  const t0 = performance.now();
  for (let i = 0; i < rows.length; i += batch) {
    await conn.run('BEGIN TRANSACTION');
    const ap = await conn.createAppender('raw_spans');
    const end = Math.min(rows.length, i + batch);
    for (let j = i; j < end; j++) appendSpanRow(ap, rows[j]);
    ap.flushSync();
    ap.closeSync();
    await conn.run('COMMIT');
  }
  const s = (performance.now() - t0) / 1000;
  conn.closeSync();
  inst.closeSync();
  return rows.length / s;
}

/** Store spans/s through writeBatch; returns the rate and the row count found afterwards. */
async function storeRound(path: string, spans: SpanRecord[], batch: number): Promise<{ rate: number; stored: number; rollup: number }> {
  const store = await DuckDbStore.open(path, { ingestSpool: false });
  const t0 = performance.now();
  for (let i = 0; i < spans.length; i += batch) await store.writeBatch(spans.slice(i, i + batch));
  const s = (performance.now() - t0) / 1000;
  const [{ n }] = (await store.query('SELECT count(*) AS n FROM spans')) as [{ n: number }];
  const [{ r }] = (await store.query('SELECT sum(span_count) AS r FROM rollup_minute')) as [{ r: number }];
  await store.close();
  return { rate: spans.length / s, stored: Number(n), rollup: Number(r) };
}

export interface StoreBenchOptions {
  quick?: boolean;
  spans?: number;
  batch?: number;
  rounds?: number;
}

/** Runs the store-vs-raw-appender comparison; returns the figures (also printed when run directly). */
export async function benchStore(opts: StoreBenchOptions = {}): Promise<Record<string, number | string | boolean>> {
  const spansN = opts.spans ?? (opts.quick ? 40_000 : 120_000);
  const batch = opts.batch ?? 4096;
  const rounds = opts.rounds ?? (opts.quick ? 3 : 5);
  const dir = mkdtempSync(join(tmpdir(), 'ap-bench-store-'));
  try {
    const raw: number[] = [];
    const store: number[] = [];
    let allStored = true;
    let rollupsMatch = true;
    for (let r = 0; r < rounds; r++) {
      const spans = makeAgentSpans(spansN, r + 1);
      const rows = spans.map(normalizeSpan);
      // Alternate which goes first so drift on a shared machine hits both alike.
      const runRaw = async () => raw.push(await rawRound(join(dir, `raw-${r}.duckdb`), rows, batch));
      const runStore = async () => {
        const res = await storeRound(join(dir, `store-${r}.duckdb`), spans, batch);
        store.push(res.rate);
        if (res.stored !== spans.length) allStored = false;
        if (res.rollup !== spans.length) rollupsMatch = false;
      };
      if (r % 2 === 0) {
        await runRaw();
        await runStore();
      } else {
        await runStore();
        await runRaw();
      }
      rmSync(join(dir, `raw-${r}.duckdb`), { force: true });
      rmSync(join(dir, `store-${r}.duckdb`), { force: true });
    }
    const rawMed = median(raw);
    const storeMed = median(store);
    return {
      bench: 'store.writeBatch',
      spans_per_round: spansN,
      batch,
      rounds,
      raw_appender_rows_per_s: Math.round(rawMed),
      store_write_spans_per_s: Math.round(storeMed),
      ratio_store_vs_raw: Number((storeMed / rawMed).toFixed(3)),
      target_ratio: 0.6,
      all_spans_stored: allStored,
      rollup_count_equals_raw: rollupsMatch,
      raw_samples: raw.map(Math.round).join(' '),
      store_samples: store.map(Math.round).join(' '),
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function arg(name: string): number | undefined {
  const i = process.argv.indexOf(`--${name}`);
  const v = i >= 0 ? Number(process.argv[i + 1]) : NaN;
  return Number.isFinite(v) && v > 0 ? v : undefined;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const r = await benchStore({ quick: process.argv.includes('--quick'), spans: arg('spans'), batch: arg('batch'), rounds: arg('rounds') });
  console.log(JSON.stringify(r, null, 2));
}
