import { Command } from 'commander';
import { analyzeExperiment, defineExperiment, listExperiments } from '../../analyzer/learning/experiments.js';
import type { ExperimentDefinition, ExperimentResult } from '../../analyzer/learning/experiments.js';
import { LearningInputError } from '../../analyzer/learning/errors.js';
import { CliError } from '../errors.js';
import { globalOptions, print } from '../globalOptions.js';
import { formatJson, formatTable } from '../output.js';
import { withReader, withWriter } from '../openStore.js';

const pct = (x: number | null): string => (x === null ? '' : `${(100 * x).toFixed(1)}%`);
const list = (v: string): string[] => v.split(',').map((s) => s.trim()).filter(Boolean);

function show(r: ExperimentResult): string {
  const rows = r.variants.map((v) => ({
    variant: v.variant, tasks: v.tasks, intended: pct(v.expectedShare), success: pct(v.rate), ci95: `${pct(v.ciLow)}–${pct(v.ciHigh)}`,
    diff_vs_control: v.variant === r.control ? '' : `${(100 * (r.comparisons.find((c) => c.variant === v.variant)?.diff ?? NaN)).toFixed(1)} pts`,
    q: v.variant === r.control ? '' : (r.comparisons.find((c) => c.variant === v.variant)?.qValue ?? NaN).toExponential(2),
  }));
  return [
    `${r.name}: ${r.verdict.toUpperCase()}: ${r.summary}`,
    `SRM check p = ${r.srm.pValue.toExponential(2)}${r.srm.mismatch ? ' (MISMATCH)' : ''}; minimum ${r.minSamplePerArm} tasks per arm`,
    formatTable({ columns: ['variant', 'tasks', 'intended', 'success', 'ci95', 'diff_vs_control', 'q'], rows }),
  ].join('\n');
}

const analysisOpts = (c: Command): Command =>
  c.option('--mde <points>', 'minimum detectable difference in success rate, as a share (default 0.05)', parseFloat).option('--alpha <a>', 'significance level (default 0.05)', parseFloat);

const listCmd = analysisOpts(new Command('list'))
  .description('every experiment with its verdict (default)')
  .action(async function (this: Command, o: { mde?: number; alpha?: number }) {
    const g = globalOptions(this);
    const results = await withReader(g, async (db) => Promise.all((await listExperiments(db)).map((d) => analyzeExperiment(db, d, o))));
    if (g.json) return print(formatJson(results));
    if (results.length === 0) return print('no experiments yet: agentpulse experiments create NAME --variants control,treatment');
    print(results.map(show).join('\n\n'));
  });

const showCmd = analysisOpts(new Command('show'))
  .description('analyse one experiment (also one that was never created: give --variants)')
  .argument('<name>', 'experiment name')
  .option('--variants <a,b>', 'variants, control first (when the experiment is not defined)')
  .option('--weights <w1,w2>', 'intended shares (when the experiment is not defined)')
  .action(async function (this: Command, name: string, o: { variants?: string; weights?: string; mde?: number; alpha?: number }) {
    const g = globalOptions(this);
    const r = await withReader(g, async (db) => {
      const def: ExperimentDefinition | undefined = (await listExperiments(db)).find((d) => d.name === name) ??
        (o.variants ? { name, variants: list(o.variants), weights: o.weights ? list(o.weights).map(Number) : undefined } : undefined);
      if (!def) throw new CliError(`no experiment "${name}"; create it with \`agentpulse experiments create ${name} --variants control,treatment\` or pass --variants`);
      return analyzeExperiment(db, def, o);
    });
    print(g.json ? formatJson(r) : show(r));
  });

const createCmd = new Command('create')
  .description('define an experiment (variants control first, intended weights, optional fixed minimum sample)')
  .argument('<name>', 'experiment name ([A-Za-z0-9_.-])')
  .requiredOption('--variants <a,b>', 'variants, control first')
  .option('--weights <w1,w2>', 'intended shares, one per variant (default equal)')
  .option('--min-sample <n>', 'tasks per arm before a verdict (default: computed from --mde)', (v) => parseInt(v, 10))
  .action(async function (this: Command, name: string, o: { variants: string; weights?: string; minSample?: number }) {
    const g = globalOptions(this);
    const def: ExperimentDefinition = { name, variants: list(o.variants), weights: o.weights ? list(o.weights).map(Number) : undefined, minSample: o.minSample ?? null };
    try {
      await withWriter(g, (db) => defineExperiment(db, def));
    } catch (err) {
      if (err instanceof LearningInputError) throw new CliError(err.message, { cause: err, code: err.code });
      throw err;
    }
    print(g.json ? formatJson(def) : `experiment ${name} created; in code: variant('${name}', unitId, { variants: [${def.variants.map((v) => `'${v}'`).join(', ')}] })`);
  });

/** `agentpulse experiments`: A/B tests on task success with SRM check and significance verdicts. */
export const experimentsCommand = new Command('experiments')
  .description('A/B experiments: per-variant success, SRM check, minimum sample, significance verdict')
  .addCommand(listCmd, { isDefault: true })
  .addCommand(showCmd)
  .addCommand(createCmd)
  .addHelpText(
    'after',
    `
Examples:
  $ agentpulse experiments create prompt-v2 --variants control,treatment
  $ agentpulse experiments
  $ agentpulse experiments show prompt-v2 --mde 0.1 --json`,
  );
