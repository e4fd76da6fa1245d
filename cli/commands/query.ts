import { Command } from 'commander';
import { bindParams, listQueries, loadQuery } from '../../store/namedQueries.js';
import { CliError } from '../errors.js';
import { globalOptions, print } from '../globalOptions.js';
import { formatJson, formatResult, formatTable } from '../output.js';
import { openReader } from '../openStore.js';

function collectParam(value: string, previous: Record<string, string>): Record<string, string> {
  const eq = value.indexOf('=');
  if (eq <= 0) throw new CliError(`--param expects k=v, got "${value}"`);
  return { ...previous, [value.slice(0, eq)]: value.slice(eq + 1) };
}

/** `agentpulse query <name>`: runs a named query from queries/. */
export const queryCommand = new Command('query')
  .description('run a named query from queries/<name>.sql (list them with --list)')
  .argument('[name]', 'query name, e.g. agent_summary')
  .option('--list', 'list the named queries and their parameters')
  .option('-p, --param <k=v>', 'bind a query parameter (repeatable)', collectParam, {})
  .option('--csv', 'CSV output')
  .addHelpText(
    'after',
    `
Examples:
  $ agentpulse query --list
  $ agentpulse query recovery --param since_ns=1700000000000000000
  $ agentpulse query agent_summary --json`,
  )
  .action(async function (this: Command, name: string | undefined, opts: { list?: boolean; param: Record<string, string>; csv?: boolean }) {
    const g = globalOptions(this);
    if (opts.list || !name) {
      const qs = listQueries().map((q) => ({ name: q.name, params: q.params.join(', '), description: q.description }));
      print(g.json ? formatJson(qs) : formatTable({ columns: ['name', 'params', 'description'], rows: qs }, 100));
      return;
    }
    const q = loadQuery(name);
    const params = bindParams(q, opts.param);
    const reader = await openReader(g);
    try {
      // A backend with dialect variants (ClickHouse) runs its own version of the query.
      const result = await reader.named(name, params);
      print(formatResult(result, g.json ? 'json' : opts.csv ? 'csv' : 'table'));
    } finally {
      await reader.close();
    }
  });
