import { z } from 'zod';
import { HttpError } from '../../http/HttpError.js';
import type { ApiHandler } from '../../http/route.js';
import type { DuckDbStore } from '../../store/DuckDbStore.js';
import { AgentpulseError } from '../../store/errors.js';
import { analyzeRun } from '../../analyzer/analyze.js';
import { sourceFromStore } from '../../analyzer/AnalyzerSource.js';
import { DEFAULT_RULES, parseRulesConfig } from '../../analyzer/alerts/rules.js';
import { learningExtension } from '../../analyzer/learning/extension.js';
import { parseSinkSpec } from '../../analyzer/sinks/parseSinkSpec.js';
import { sinkAllowList, SinkNotAllowedError } from '../../analyzer/sinks/sinkAllowList.js';

const AnalyzeBody = z.object({
  since: z.string().max(64).default('24h'),
  baseline: z.string().max(128).default('7d'),
  incremental: z.boolean().default(false),
  persist: z.boolean().default(true),
  bucket: z.string().max(64).optional(),
  /** Alert rules as parsed from a rules file (validated again here). */
  rules: z.unknown().optional(),
  /** Sink specs (`webhook:URL`, …), delivered from the collector's host; only allow-listed ones. */
  sinks: z.array(z.string().max(2048)).max(20).default([]),
});

export interface AnalyzeRouteOptions {
  /**
   * Sinks a request may name (specs; `folder/` for files inside a folder, a URL for its origin);
   * default `AGENTPULSE_ALLOWED_SINKS`. Anything else named in the body is refused with 403.
   */
  allowedSinks?: readonly string[];
}

/**
 * `POST /api/analyze`: runs the analyzer inside the collector, on the store it writes, so a
 * scheduled `agentpulse --url … analyze` persists alert state, alert history and its run
 * position exactly like a run against the file would. One analysis at a time. The caller is
 * remote, so the files and URLs it names as sinks (in `sinks` or in `rules`) must be allow-listed.
 * @example
 * routes['POST /api/analyze'] = analyzeRoute(store, { allowedSinks: ['webhook:https://hooks.example.com'] });
 */
export function analyzeRoute(store: DuckDbStore, opts: AnalyzeRouteOptions = {}): ApiHandler {
  const allowSink = sinkAllowList(opts.allowedSinks);
  let running: Promise<unknown> = Promise.resolve();
  return async (ctx) => {
    const parsed = AnalyzeBody.safeParse(await ctx.json());
    if (!parsed.success) throw new HttpError(400, `invalid analyze request: ${parsed.error.issues[0]?.message ?? 'bad body'}`);
    const b = parsed.data;
    const run = running.then(async () => {
      try {
        const rules = b.rules === undefined ? DEFAULT_RULES : parseRulesConfig(b.rules, 'rules');
        for (const spec of [...(b.rules === undefined ? [] : rules.sinks), ...b.sinks]) allowSink(spec);
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
        if (err instanceof SinkNotAllowedError) throw new HttpError(403, err.message, { cause: err, code: err.code });
        if (err instanceof AgentpulseError) throw new HttpError(400, err.message, { cause: err, code: err.code });
        throw err;
      }
    });
    running = run.catch(() => undefined);
    return run;
  };
}
