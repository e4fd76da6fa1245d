import type { Command, Option } from 'commander';
import { describe, expect, it } from 'vitest';
import { listQueries } from '../store/namedQueries.js';
import { COMMANDS, loadAllCommands } from './commands/index.js';

const commands = await loadAllCommands();

const GLOBAL_FLAGS = new Set(['--db', '--url', '--store', '--json', '--debug', '--version', '-V', '--help', '-h']);

/** The `$ agentpulse …` lines of a command's --help text (also `$ … | agentpulse …`). */
function examples(c: Command): string[] {
  const help = c.helpInformation() + helpAfter(c);
  return help
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l.startsWith('$ '))
    .map((l) => /(?:^\$ |\| )(agentpulse .*)$/.exec(l)?.[1])
    .filter((l): l is string => l !== undefined);
}

/** Text added with addHelpText('after', …), which helpInformation() leaves out. */
function helpAfter(c: Command): string {
  let out = '';
  c.configureOutput({ writeOut: (s) => (out += s), writeErr: () => undefined });
  c.outputHelp();
  return out;
}

function flagsOf(c: Command): Set<string> {
  const flags = new Set<string>();
  const add = (o: Option): void => {
    if (o.long) flags.add(o.long);
    if (o.short) flags.add(o.short);
    if (o.negate && o.long) flags.add(o.long);
  };
  for (const o of c.options as readonly Option[]) add(o);
  for (const sub of c.commands) for (const o of sub.options as readonly Option[]) add(o);
  return flags;
}

/** Splits an example the way a shell would for these simple lines (quotes, no expansion); stops at a pipe. */
function words(line: string): string[] {
  const out: string[] = [];
  const re = /"([^"]*)"|'([^']*)'|(\S+)/g;
  for (const m of line.matchAll(re)) {
    const w = m[1] ?? m[2] ?? m[3];
    if (m[3] === '|' || m[3] === '>' || m[3] === '&&') break;
    out.push(w);
  }
  return out;
}

describe('every --help example', () => {
  const all = commands.flatMap((c) => examples(c).map((line) => ({ c, line })));

  it('is listed by --help with the summary the command itself gives (the list is loaded without the commands)', () => {
    expect(COMMANDS.map((c) => [c.name, c.summary])).toEqual(commands.map((c) => [c.name(), c.description()]));
  });

  it('exists for every command', () => {
    for (const c of commands) expect(examples(c).length, `${c.name()} --help has no example`).toBeGreaterThan(0);
  });

  it('names a real command, real options and real named queries', () => {
    const names = new Set(commands.map((c) => c.name()));
    const queries = new Set(listQueries().map((q) => q.name));
    const problems: string[] = [];
    for (const { c, line } of all) {
      const w = words(line).slice(1);
      // Global options come before the command name.
      let i = 0;
      while (i < w.length && w[i].startsWith('-')) {
        if (!GLOBAL_FLAGS.has(w[i])) problems.push(`${line}: unknown global option ${w[i]}`);
        i += ['--db', '--url', '--store'].includes(w[i]) ? 2 : 1;
      }
      const name = w[i];
      if (!names.has(name)) {
        problems.push(`${line}: no command "${name}"`);
        continue;
      }
      const own = flagsOf(commands.find((x) => x.name() === name)!);
      const rest = w.slice(i + 1);
      const dashDash = rest.indexOf('--');
      for (const arg of dashDash >= 0 ? rest.slice(0, dashDash) : rest) {
        if (!arg.startsWith('-') || arg === '-') continue;
        const flag = arg.includes('=') ? arg.slice(0, arg.indexOf('=')) : arg;
        if (!own.has(flag) && !GLOBAL_FLAGS.has(flag)) problems.push(`${line}: ${name} has no option ${flag}`);
      }
      if (name === 'query' && rest[0] && !rest[0].startsWith('-') && !queries.has(rest[0])) problems.push(`${line}: no named query "${rest[0]}"`);
      void c;
    }
    expect(problems).toEqual([]);
  });
});
