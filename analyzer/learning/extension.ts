import type { AnalyzerExtension } from '../analyze.js';
import { parseJson, num } from './db.js';
import { runLearning, toReportPattern } from './engine.js';
import type { LearningRunOptions } from './engine.js';
import type { Recommendation } from './recommend.js';

/**
 * The learning engine as an analyzer extension. With a writable store it runs a full learning
 * pass (pattern DB update up to the window end, auto-promote policy, recommendations saved);
 * read-only (a `--url` collector or a locked file) it reports what the last pass stored.
 * @example
 * await analyze({ store, extensions: [learningExtension()] });
 */
export function learningExtension(options: Omit<LearningRunOptions, 'untilNs'> = {}): AnalyzerExtension {
  return async function learning(ctx) {
    const store = ctx.source.store;
    if (store) {
      const r = await runLearning(store, { ...options, untilNs: ctx.window.toNs });
      return { patterns: r.patterns, recommendations: r.recommendations };
    }
    const pats = await ctx.source.named('learning_patterns');
    const recs = await ctx.source.named('learning_recommendations');
    return {
      patterns: pats
        .filter((p) => p.kind === 'antipattern' || String(p.signature).startsWith('team:') || num(p.confidence) >= 0.95)
        .map((p) => toReportPattern({
          id: String(p.id), kind: p.kind as 'pattern' | 'antipattern', taskType: String(p.task_type), signature: String(p.signature),
          support: num(p.support), successRate: num(p.success_rate), confidence: num(p.confidence), status: String(p.status),
        })),
      recommendations: recs.map((r): Recommendation => ({
        id: String(r.id), kind: r.kind as Recommendation['kind'], scope: parseJson(r.scope, {}), action: String(r.action), rationale: String(r.rationale),
        expected_effect: parseJson(r.expected_effect, {}), confidence: num(r.confidence), bounded_by: String(r.bounded_by ?? ''),
      })),
    };
  };
}
