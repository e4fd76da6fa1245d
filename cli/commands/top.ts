import { Command } from 'commander';
import { openDashboardSource, preferredUrl } from '../openStore.js';
import { renderTop, type TopAgent } from '../../dashboard/top.js';
import { RANGES } from '../../dashboard/window.js';
import { CliError } from '../errors.js';
import { globalOptions, print } from '../globalOptions.js';
import { openForRead } from '../openStore.js';

interface TopFlags {
  range: string;
  interval: string;
  once?: boolean;
}

/** `agentpulse top`: a refreshing terminal table of agents. */
export const topCommand = new Command('top')
  .description('refreshing terminal view of agents: status, rate, p95, errors, breaker state (q or Ctrl-C quits)')
  .option('--range <range>', `window for totals and p95 (${Object.keys(RANGES).join(', ')})`, '15m')
  .option('--interval <seconds>', 'refresh every N seconds', '2')
  .option('--once', 'print one table and exit (also the behaviour when stdout is not a terminal)')
  .addHelpText('after', `
Examples:
  $ agentpulse top                                   # reads ./agentpulse.duckdb read-only
  $ agentpulse --url http://127.0.0.1:4318 top       # through a running collector
  $ agentpulse top --once --json                     # one snapshot for scripts`)
  .action(async function (this: Command, flags: TopFlags) {
    const g = globalOptions(this);
    if (!(flags.range in RANGES)) throw new CliError(`--range must be one of ${Object.keys(RANGES).join(', ')}`);
    const interval = Number(flags.interval);
    if (!(interval >= 0.2)) throw new CliError('--interval must be a number of seconds ≥ 0.2');
    const source = await openForRead({ db: g.db, url: preferredUrl(g) }, {
      local: (db) => openDashboardSource({ db }),
      remote: (t) => openDashboardSource({ db: g.db, url: t.url, token: t.token }),
    });
    const tty = process.stdout.isTTY === true;
    const snapshot = async (): Promise<{ agents: TopAgent[]; window: { fromMs: number; toMs: number; anchoredToData: boolean } }> =>
      (await source.fetch(`/api/agents?range=${flags.range}`)) as never;
    try {
      if (flags.once || !tty || g.json) {
        const s = await snapshot();
        print(g.json ? JSON.stringify(s.agents, null, 2) : renderTop(s.agents, { title: title(source.where, flags.range, s.window) }));
        return;
      }
      await loop(async () => {
        const s = await snapshot();
        const body = renderTop(s.agents, { color: true, title: title(source.where, flags.range, s.window) });
        process.stdout.write(`\x1b[H\x1b[2J${body}\n\n\x1b[90mrefreshing every ${interval}s · q to quit\x1b[0m\n`);
      }, interval * 1000);
    } finally {
      await source.close();
    }
  });

/** Times are UTC, as everywhere else in agentpulse (reports, dashboard, alerts), never the terminal's zone. */
function title(where: string, range: string, w: { toMs: number; anchoredToData: boolean }): string {
  const at = new Date(w.toMs).toISOString().replace('T', ' ').slice(0, 16);
  return `agentpulse top · ${where} · last ${range}${w.anchoredToData ? ` (up to newest data, ${at} UTC)` : ''} · ${new Date().toISOString().slice(11, 19)} UTC`;
}

/** Redraws until q / Ctrl-C / SIGTERM; restores the terminal on the way out. */
async function loop(draw: () => Promise<void>, everyMs: number): Promise<void> {
  const stdin = process.stdin;
  process.stdout.write('\x1b[?25l');
  await new Promise<void>((resolve, reject) => {
    let timer: NodeJS.Timeout | null = null;
    let stopped = false;
    const stop = (err?: unknown): void => {
      if (stopped) return;
      stopped = true;
      if (timer) clearTimeout(timer);
      process.off('SIGINT', onSig);
      process.off('SIGTERM', onSig);
      stdin.off('data', onKey);
      if (stdin.isTTY) stdin.setRawMode(false);
      stdin.pause();
      process.stdout.write('\x1b[?25h');
      if (err) reject(err instanceof Error ? err : new Error(String(err)));
      else resolve();
    };
    const onSig = (): void => stop();
    const onKey = (d: Buffer): void => {
      const k = d.toString();
      if (k === 'q' || k === 'Q' || k === '\u0003') stop();
    };
    process.on('SIGINT', onSig);
    process.on('SIGTERM', onSig);
    if (stdin.isTTY) stdin.setRawMode(true);
    stdin.on('data', onKey);
    stdin.resume();
    const tick = (): void => {
      draw().then(
        () => {
          if (!stopped) timer = setTimeout(tick, everyMs);
        },
        (err: unknown) => stop(err),
      );
    };
    tick();
  });
}
