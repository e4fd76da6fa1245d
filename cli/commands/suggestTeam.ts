import { Command } from 'commander';
import { suggestTeam } from '../../analyzer/learning/suggestTeam.js';
import { createRng } from '../../analyzer/stats/rng.js';
import { CliError } from '../errors.js';
import { globalOptions, print } from '../globalOptions.js';
import { formatJson, formatTable } from '../output.js';
import { withReader } from '../openStore.js';

const pct = (x: number | null): string => (x === null ? '' : `${(100 * x).toFixed(1)}%`);

/** `agentpulse suggest-team --task-type T`: the team to use next, with its evidence. */
export const suggestTeamCommand = new Command('suggest-team')
  .description('suggest a team for a task type (policy default, or bounded Thompson-sampling exploration with --explore)')
  .requiredOption('--task-type <type>', 'task type, e.g. bugfix')
  .option('--explore', 'let Thompson sampling over team compositions pick, within --max-explore-share')
  .option('--max-explore-share <share>', 'upper bound on the share of suggestions exploration decides (default 0.1)', parseFloat)
  .option('--candidates <teams>', 'extra teams to consider without history, comma-separated (members joined by +)')
  .option('--seed <n>', 'seed the random draw (reproducible output)', (v) => parseInt(v, 10))
  .addHelpText(
    'after',
    `
Examples:
  $ agentpulse suggest-team --task-type bugfix
  $ agentpulse suggest-team --task-type bugfix --explore --max-explore-share 0.2
  $ agentpulse suggest-team --task-type research --explore --candidates researcher+writer,planner+researcher --json`,
  )
  .action(async function (this: Command, o: { taskType: string; explore?: boolean; maxExploreShare?: number; candidates?: string; seed?: number }) {
    const g = globalOptions(this);
    if (o.maxExploreShare !== undefined && !(o.maxExploreShare >= 0 && o.maxExploreShare <= 1)) throw new CliError('--max-explore-share must be between 0 and 1');
    const candidates = o.candidates?.split(',').map((t) => [...new Set(t.split('+').map((m) => m.trim()).filter(Boolean))].sort().join('+')).filter(Boolean);
    const s = await withReader(g, (db) =>
      suggestTeam(db, o.taskType, { explore: o.explore, maxExploreShare: o.maxExploreShare, candidates, rng: createRng(o.seed ?? (Date.now() >>> 0)) }),
    );
    if (g.json) return print(formatJson(s));
    if (!s.team) return print(`no team history for task type "${o.taskType}" and no --candidates; trace some tasks with traceTask/traceTeam first`);
    const why = {
      policy: s.policy.candidate ? `policy (default ${s.policy.default ?? 'none'}, candidate ${s.policy.candidate} at ${pct(s.policy.candidateShare)})` : `policy default`,
      explore: `Thompson-sampling exploration (bounded to ${pct(s.exploreShare)} of suggestions)`,
      best_evidence: 'best evidence (no default set: `agentpulse patterns set-default`)',
      none: '',
    }[s.mode];
    print(`suggested team for ${s.taskType}: ${s.team}  [${why}]`);
    print(formatTable({
      columns: ['team', 'runs', 'successes', 'success', 'ci95', 'posterior_mean', 'p_best'],
      rows: s.evidence.map((e) => ({ team: e.team, runs: e.runs, successes: e.successes, success: pct(e.successRate), ci95: `${pct(e.ciLow)}–${pct(e.ciHigh)}`, posterior_mean: pct(e.posteriorMean), p_best: pct(e.pBest) })),
    }));
  });
