import { Command, Option } from 'commander';
import { bindParams, loadQuery } from '../../store/namedQueries.js';
import { globalOptions, print } from '../globalOptions.js';
import { formatResult } from '../output.js';
import { openReader } from '../openStore.js';

interface AlertsFlags {
  state?: 'pending' | 'firing' | 'resolved';
  history?: boolean;
  fingerprint?: string;
  limit?: string;
}

/** `agentpulse alerts`: current alert state, or the transition history. */
export const alertsCommand = new Command('alerts')
  .description('list alerts the analyzer raised (state from alert_state; --history for transitions)')
  .addOption(new Option('--state <state>', 'only alerts in this state').choices(['pending', 'firing', 'resolved']))
  .option('--history', 'show state transitions (alert_events), newest first')
  .option('--fingerprint <fp>', 'with --history: one alert only')
  .option('--limit <n>', 'with --history: rows at most (default 200)')
  .addHelpText(
    'after',
    `
Examples:
  $ agentpulse alerts --state firing
  $ agentpulse alerts --history --limit 50
  $ agentpulse alerts --json`,
  )
  .action(async function (this: Command, flags: AlertsFlags) {
    const g = globalOptions(this);
    const q = loadQuery(flags.history ? 'alert_events' : 'alerts');
    const params = flags.history
      ? bindParams(q, { fingerprint: flags.fingerprint ?? null, limit: flags.limit === undefined ? null : Number(flags.limit) })
      : bindParams(q, { state: flags.state ?? null });
    const reader = await openReader(g);
    try {
      const result = await reader.query(q.sql, params);
      print(formatResult(result, g.json ? 'json' : 'table'));
    } finally {
      await reader.close();
    }
  });
