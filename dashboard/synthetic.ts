import type { DuckDbStore } from '../store/DuckDbStore.js';
import { workRollupInsert } from '../store/rollupLevels.js';
import type { DuckDBConnection } from '@duckdb/node-api';
import { SKETCH_GAMMA, ZERO_BUCKET } from '../store/sketch.js';

export interface SyntheticOptions {
  /** Spans to add (rounded down to whole 8-span traces). */
  spans: number;
  /** Days the traces spread over, ending at `endMs`. */
  days?: number;
  endMs?: number;
  seed?: number;
  /** Rows per INSERT statement (bounds memory). */
  chunk?: number;
}

export const SYNTHETIC_AGENTS = ['planner', 'coder', 'reviewer', 'researcher', 'tester', 'writer'] as const;
const TEAMS = ['coder+planner+reviewer', 'coder+reviewer', 'coder+planner+researcher+reviewer', 'planner+writer'];
const TASKS = ['bugfix', 'feature', 'refactor', 'docs'];
const MODELS = [
  ['gpt-4o', 'openai', 2.5, 10],
  ['gpt-4o-mini', 'openai', 0.15, 0.6],
  ['claude-sonnet-4', 'anthropic', 3, 15],
  ['claude-haiku-4', 'anthropic', 0.8, 4],
] as const;
const ERRORS = ['timeout', 'rate_limit', 'tool_error', 'context_overflow'];
const STRATEGIES = ['retry', 'fallback_agent', 'circuit_breaker'];

const list = (xs: readonly string[]): string => `[${xs.map((x) => `'${x}'`).join(', ')}]`;

/**
 * Fills a writable store with synthetic 8-span traces (task → 2 × (agent → chat, tool) → chat or
 * a recovery episode) straight in SQL, and appends the matching rollup partials exactly as the
 * writer would, so rollups and raw spans agree. For benches and tests only; `agentpulse demo`
 * is the realistic generator. Traces are spread evenly over the window in time order.
 */
export async function fillSynthetic(store: DuckDbStore, opts: SyntheticOptions): Promise<{ spans: number; traces: number }> {
  const conn = store.connection;
  const traces = Math.floor(opts.spans / 8);
  const days = opts.days ?? 7;
  const endNs = BigInt(opts.endMs ?? Date.now()) * 1_000_000n;
  const spanNs = BigInt(Math.round(days * 86_400_000)) * 1_000_000n;
  const startNs = endNs - spanNs;
  const stepNs = traces > 0 ? spanNs / BigInt(traces) : 0n;
  const seed = opts.seed ?? 1;
  const chunk = Math.max(8, Math.floor((opts.chunk ?? 2_000_000) / 8) * 8);
  const lnGamma = Math.log(SKETCH_GAMMA);
  // Unique span-id offset so repeated fills of one store never collide.
  const base = Number((await conn.runAndReadAll('SELECT count(*) FROM spans')).getRows()[0]![0]);
  for (let lo = 0; lo < traces * 8; lo += chunk) {
    const hi = Math.min(traces * 8, lo + chunk);
    await conn.run('DROP TABLE IF EXISTS temp._syn');
    await conn.run(`CREATE TEMP TABLE _syn AS
WITH r AS (
  SELECT i, i // 8 AS t, i % 8 AS k,
    (hash(i, ${seed}, 1) % 1000000) / 1e6 AS u1, (hash(i, ${seed}, 2) % 1000000) / 1e6 AS u2,
    (hash(i, ${seed}, 3) % 1000000) / 1e6 AS u3, (hash(i, ${seed}, 4) % 1000000) / 1e6 AS u4
  FROM range(${lo}, ${hi}) AS g(i)
), s AS (
  SELECT *,
    ${startNs}::BIGINT + t * ${stepNs}::BIGINT AS t0,
    CASE WHEN k = 0 THEN 'task' WHEN k IN (1, 4) THEN 'invoke_agent' WHEN k IN (3, 6) THEN 'execute_tool'
         WHEN k = 7 AND (hash(t, ${seed}, 9) % 4)::BIGINT = 0 THEN 'recovery' ELSE 'chat' END AS op,
    ${list(SYNTHETIC_AGENTS)}[1 + (hash(t, ${seed}, k >= 4) % ${SYNTHETIC_AGENTS.length})::BIGINT] AS agent,
    ${list(TEAMS)}[1 + (hash(t, ${seed}, 5) % ${TEAMS.length})::BIGINT] AS team,
    ${list(TASKS)}[1 + (hash(t, ${seed}, 6) % ${TASKS.length})::BIGINT] AS task,
    1 + (hash(i, ${seed}, 7) % ${MODELS.length})::BIGINT AS m
  FROM r
), d AS (
  SELECT *,
    -- log-normal-ish durations around a per-operation median
    CAST(1e6 * (CASE op WHEN 'task' THEN 9000 WHEN 'invoke_agent' THEN 3000 WHEN 'execute_tool' THEN 250 WHEN 'recovery' THEN 1500 ELSE 800 + 300 * m END)
         * exp(1.2 * (u1 + u2 + u3 - 1.5)) AS BIGINT) AS dur,
    u4 < (CASE WHEN op = 'execute_tool' THEN 0.05 ELSE 0.02 END
          + CASE WHEN agent = 'researcher' AND t >= ${Math.floor(traces * 0.9)} THEN 0.2 ELSE 0 END) AS failed
  FROM s
)
SELECT
  md5(${seed} || '-' || (${base} + t * 8)) AS trace_id,
  lpad(to_hex(${base} + i), 16, '0') AS span_id,
  CASE k WHEN 0 THEN NULL WHEN 1 THEN lpad(to_hex(${base} + i - 1), 16, '0') WHEN 4 THEN lpad(to_hex(${base} + i - 4), 16, '0')
         WHEN 2 THEN lpad(to_hex(${base} + i - 1), 16, '0') WHEN 3 THEN lpad(to_hex(${base} + i - 2), 16, '0')
         WHEN 5 THEN lpad(to_hex(${base} + i - 1), 16, '0') WHEN 6 THEN lpad(to_hex(${base} + i - 2), 16, '0')
         ELSE lpad(to_hex(${base} + i - 7), 16, '0') END AS parent_span_id,
  CASE op WHEN 'task' THEN 'task ' || task WHEN 'invoke_agent' THEN 'invoke_agent ' || agent WHEN 'execute_tool' THEN 'execute_tool search'
          WHEN 'recovery' THEN 'recovery ' || ${list(STRATEGIES)}[1 + (hash(t, ${seed}, 10) % 3)::BIGINT]
          ELSE 'chat ' || ${list(MODELS.map((x) => x[0]))}[m] END AS name,
  CASE WHEN op = 'chat' THEN 'client' ELSE 'internal' END AS kind,
  t0 + CASE WHEN k = 0 THEN 0 ELSE k * 40000000 END AS start_ns,
  t0 + CASE WHEN k = 0 THEN 0 ELSE k * 40000000 END + dur AS end_ns,
  dur AS duration_ns,
  CASE WHEN failed THEN 'ERROR' ELSE 'OK' END AS status_code,
  CASE WHEN failed THEN 'synthetic failure' END AS status_message,
  'fleet' AS service_name, 'agentpulse' AS scope_name,
  op AS operation,
  CASE WHEN op = 'task' THEN NULL ELSE agent END AS agent_name,
  CASE WHEN op = 'chat' THEN ${list(MODELS.map((x) => x[1]))}[m] END AS provider,
  CASE WHEN op = 'chat' THEN ${list(MODELS.map((x) => x[0]))}[m] END AS model,
  CASE WHEN op = 'execute_tool' THEN 'search' END AS tool_name,
  'task-' || (${base} + t * 8) AS task_id, task AS task_type, 'team-' || (${base} + t * 8) AS team_id, team AS team_signature,
  CASE WHEN failed THEN ${list(ERRORS)}[1 + (hash(i, ${seed}, 8) % ${ERRORS.length})::BIGINT] END AS error_type,
  CASE WHEN op = 'chat' THEN CAST(500 + u2 * 4000 AS BIGINT) END AS input_tokens,
  CASE WHEN op = 'chat' THEN CAST(100 + u3 * 900 AS BIGINT) END AS output_tokens,
  CASE WHEN op = 'chat' THEN ((500 + u2 * 4000) * ${list(MODELS.map((x) => String(x[2])))}[m]::DOUBLE
                              + (100 + u3 * 900) * ${list(MODELS.map((x) => String(x[3])))}[m]::DOUBLE) / 1e6 END AS cost_usd,
  CASE WHEN op IN ('chat', 'invoke_agent') THEN CAST(2000 + u1 * 60000 AS BIGINT) END AS context_size,
  CASE WHEN op = 'invoke_agent' THEN CAST(u3 * 8 AS BIGINT) END AS queue_depth,
  CASE WHEN op = 'recovery' THEN ${list(STRATEGIES)}[1 + (hash(t, ${seed}, 10) % 3)::BIGINT] END AS recovery_strategy,
  CASE WHEN op = 'recovery' THEN CASE WHEN u4 < 0.85 THEN 'recovered' ELSE 'failed' END END AS recovery_outcome,
  '{}' AS attributes, '{"service.name":"fleet"}' AS resource_attributes, '[]' AS events, '[]' AS links
FROM d`);
    await conn.run('BEGIN TRANSACTION');
    try {
      await conn.run('INSERT INTO spans SELECT * FROM temp._syn');
      const dims = 'service_name, agent_name, operation, model, status_code, error_type';
      const minute = 'epoch_ms(start_ns // 60000000000 * 60000)';
      await conn.run(`INSERT INTO rollup_minute SELECT ${minute} AS minute, ${dims}, count(*), count(*) FILTER (WHERE status_code = 'ERROR'),
        sum(duration_ns)::DOUBLE, max(duration_ns), coalesce(sum(input_tokens), 0), coalesce(sum(output_tokens), 0), coalesce(sum(cost_usd), 0)
        FROM temp._syn GROUP BY ALL`);
      await conn.run(`INSERT INTO rollup_sketch SELECT ${minute} AS minute, ${dims},
        CASE WHEN duration_ns <= 0 THEN ${ZERO_BUCKET} ELSE CAST(ceil(ln(duration_ns) / ${lnGamma}) AS SMALLINT) END AS bucket, count(*)
        FROM temp._syn GROUP BY ALL`);
      await conn.run(workRollupInsert('temp._syn'));
      await conn.run('COMMIT');
    } catch (err) {
      await conn.run('ROLLBACK').catch(() => undefined);
      throw err;
    }
    await conn.run('DROP TABLE temp._syn');
  }
  // Hour and day levels for every closed period, as the writer's periodic maintenance builds them.
  await store.maintainRollups();
  return { spans: traces * 8, traces };
}
