import { Command } from 'commander';
import { recordFeedback } from '../../analyzer/learning/feedback.js';
import { LearningInputError } from '../../analyzer/learning/errors.js';
import { CliError } from '../errors.js';
import { globalOptions, print } from '../globalOptions.js';
import { formatJson } from '../output.js';
import { collectorClient, withWriter } from '../openStore.js';

/** `agentpulse feedback <trace_id>`: explicit outcome feedback that overrides span status. */
export const feedbackCommand = new Command('feedback')
  .description('record feedback on a trace (overrides the span-status outcome of its task)')
  .argument('<trace_id>', '32-hex trace id')
  .option('--score <x>', 'quality in [0, 1]; ≥ 0.5 counts as success when no success/failure label is given', parseFloat)
  .option('--label <label>', 'success|failure (or good/bad, pass/fail, …); other labels are stored as tags')
  .option('--comment <text>', 'free text')
  .option('--source <name>', 'who gives it (default cli)', 'cli')
  .addHelpText(
    'after',
    `
Examples:
  $ agentpulse feedback 4bf92f3577b34da6a3ce929d0e0e4736 --label failure --comment "wrong file edited"
  $ agentpulse feedback 4bf92f3577b34da6a3ce929d0e0e4736 --score 0.9
  $ agentpulse --url http://127.0.0.1:4318 feedback 4bf92f3577b34da6a3ce929d0e0e4736 --label good`,
  )
  .action(async function (this: Command, traceId: string, o: { score?: number; label?: string; comment?: string; source: string }) {
    const g = globalOptions(this);
    const body = { trace_id: traceId, score: o.score, label: o.label, comment: o.comment, source: o.source };
    let result: unknown;
    if (g.url) {
      result = await collectorClient(g.url).post('/api/feedback', body, { what: 'the feedback' });
    } else {
      try {
        result = await withWriter(g, (db) => recordFeedback(db, body));
      } catch (err) {
        if (err instanceof LearningInputError) throw new CliError(err.message, { cause: err, code: err.code });
        throw err;
      }
    }
    print(g.json ? formatJson(result) : `feedback recorded for ${traceId}${(result as { outcome?: string | null }).outcome ? ` (outcome: ${(result as { outcome: string }).outcome})` : ''}`);
  });
