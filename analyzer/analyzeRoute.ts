import { z } from 'zod';
import { HttpError } from '../collector/HttpError.js';
import type { ApiHandler } from '../collector/options.js';
import type { DuckDbStore } from '../store/DuckDbStore.js';
import { AgentpulseError } from '../store/errors.js';
import { analyzeRun } from './analyze.js';
import { sourceFromStore } from './AnalyzerSource.js';
import { DEFAULT_RULES, parseRulesConfig } from './alerts/rules.js';
import { learningExtension } from './learning/extension.js';
import { parseSinkSpec } from './sinks/parseSinkSpec.js';

const AnalyzeBody = z.object({
  since: z.string().max(64).default('24h'),
  baseline: z.string().max(128).default('7d'),
  incremental: z.boolean().default(false),
  persist: z.boolean().default(true),
  bucket: z.string().max(64).optional(),
  /** Alert rules as parsed from a rules file (validated again here). */
  rules: z.unknown().optional(),
  /** Sink specs (`webhook:URL`, …), delivered from the collector's host. */
  sinks: z.array(z.string().max(2048)).max(20).default([]),
});

/**
 * `POST /api/analyze`: runs the analyzer inside the collector, on the store it writes, so a
 * scheduled `agentpulse --url … analyze` persists alert state, alert history and its run
 * position exactly like a run against the file would. One analysis at a time.
 * @example
 * routes['POST /api/analyze'] = analyzeRoute(store);
 */
export function analyzeRoute(store: DuckDbStore): ApiHandler {
  let running: Promise<unknown> = Promise.resolve();
  return async (ctx) => {
    const parsed = AnalyzeBody.safeParse(await ctx.json());
    if (!parsed.success) throw new HttpError(400, `invalid analyze request: ${parsed.error.issues[0]?.message ?? 'bad body'}`);
    const b = parsed.data;
    const run = running.then(async () => {
      try {
        const rules = b.rules === undefined ? DEFAULT_RULES : parseRulesConfig(b.rules, 'rules');
        const sinks = [...rules.sinks, ...b.sinks].map(parseSinkSpec);
        const result = await analyzeRun({
          source: sourceFromStore(store),
          since: b.since,
          baseline: b.baseline,
          rules,
          sinks,
          incremental: b.incremental,
          persist: b.persist,
          bucket: b.bucket,
          extensions: [learningExtension()],
        });
        return { report: result.report, deliveries: result.deliveries };
      } catch (err) {
        if (err instanceof AgentpulseError) throw new HttpError(400, err.message, { cause: err, code: err.code });
        throw err;
      }
    });
    running = run.catch(() => undefined);
    return run;
  };
}
