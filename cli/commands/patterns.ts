import { userInfo } from 'node:os';
import { Command, Option } from 'commander';
import type { AliasRelation, Finding } from '../../analyzer/learning/index.js';
import {
  demote, listFindings, listPatterns, listPolicies, loadRules, promotePattern, rejectPattern, reviewQueue, runLearning, saveRules, setDefaultTeam,
} from '../../analyzer/learning/index.js';
import { CliError } from '../errors.js';
import { globalOptions, print } from '../globalOptions.js';
import { formatJson, formatTable } from '../output.js';
import { withReader, withWriter } from '../openStore.js';

/** Who is acting: --actor, $AGENTPULSE_ACTOR, or the OS user. */
export function actorOf(opt: string | undefined): string {
  if (opt) return opt;
  if (process.env.AGENTPULSE_ACTOR) return process.env.AGENTPULSE_ACTOR;
  try {
    return userInfo().username;
  } catch {
    return process.env.USER ?? 'unknown';
  }
}

const pct = (x: number | null | undefined): string => (x === null || x === undefined || !Number.isFinite(x) ? '' : `${(100 * x).toFixed(1)}%`);

const listCmd = new Command('list')
  .description('list findings — one per effect, the rows that restate it folded under it — or, with --rows, every tested row (default)')
  .option('--task-type <type>', 'only this task type')
  .addOption(new Option('--kind <kind>', 'only patterns or antipatterns').choices(['pattern', 'antipattern']))
  .option('--status <status>', 'only rows with this status (candidate, flagged, rolling_out, promoted, rejected, demoted); implies --rows')
  .option('--rows', 'every tested (task type, feature) row, unfolded, with the finding it belongs to')
  .option('--all', 'with --rows: include features seen too rarely to test yet')
  .action(async function (this: Command, o: { taskType?: string; kind?: 'pattern' | 'antipattern'; status?: string; rows?: boolean; all?: boolean }) {
    const g = globalOptions(this);
    const { pats, found } = await withReader(g, async (db) => ({
      pats: await listPatterns(db, { taskType: o.taskType, kind: o.kind, status: o.status, includeObserved: o.all }),
      found: o.rows || o.status ? null : await listFindings(db, { taskType: o.taskType, kind: o.kind }),
    }));
    if (!found) return printRows(g.json === true, pats);
    const other = pats.filter((p) => p.evidence.finding_id === undefined);
    if (g.json) return print(formatJson({ tested: found.tested, flagged: found.flagged, fdr: found.fdr, procedure: found.procedure, runs: found.runs, findings: found.findings, unconfirmed: found.unconfirmed, other }));
    print(
      `${plural(found.findings.length, 'finding')} from ${found.flagged} significant of ${found.tested} tested rows over ${found.runs} runs ` +
        `(Benjamini–Hochberg across all of them at FDR ${pct(found.fdr)}; restatements folded; \`patterns --rows\` lists every row)`,
    );
    for (const f of found.findings) print(renderFinding(f));
    if (found.unconfirmed.length > 0) {
      print(`\nunconfirmed (significant alone, explained by no finding, too weak for one of its own — Bonferroni over the ${found.tested} rows): ` +
        found.unconfirmed.map((u) => `${u.kind} ${u.taskType}/${u.signature} (${u.successes}/${u.support}, q ${u.qValue.toExponential(1)})`).join(', '));
    }
    if (other.length > 0) print(`\n${plural(other.length, 'other tested row')} (not significant): agentpulse patterns --rows`);
  });

const plural = (n: number, what: string): string => `${n} ${what}${n === 1 ? '' : 's'}`;

function printRows(json: boolean, pats: Awaited<ReturnType<typeof listPatterns>>): void {
  if (json) return print(formatJson(pats));
  const rows = pats.map((p) => ({
    id: p.id, task_type: p.taskType, kind: p.kind, signature: p.signature, support: p.support, success: pct(p.successRate),
    ci95: `${pct(p.ciLow)}–${pct(p.ciHigh)}`, lift: p.lift === null ? '' : p.lift.toFixed(2), q: Number(p.evidence.q_value ?? NaN).toExponential(1), status: p.status,
    finding: p.evidence.finding_role === 'alias' ? `↳ ${String(p.evidence.finding_signature)} (${String(p.evidence.alias_relation)})` : p.evidence.finding_role === 'finding' ? 'finding' : '',
  }));
  print(formatTable({ columns: ['id', 'task_type', 'kind', 'signature', 'support', 'success', 'ci95', 'lift', 'q', 'status', 'finding'], rows }));
  if (pats.length === 0) print('no patterns yet: run `agentpulse patterns refresh` (or `agentpulse analyze`) after some tasks are traced');
}

const RELATION_WORDS: Record<AliasRelation, string> = {
  same_runs: 'same runs',
  within: 'only inside its runs',
  explained: 'no effect left once it is accounted for',
  mirror: 'the other side of it (looked different because its runs were in their rest)',
};

/** A finding as a few lines: the effect, its evidence, what restates it, what cannot be told apart. */
export function renderFinding(f: Finding): string {
  const lines = [
    `\n${f.kind.toUpperCase()} ${f.signature}  [${f.taskTypes.join(', ')}]  ${f.id}`,
    `  success ${pct(f.successRate)} (95 % CI ${pct(f.ciLow)}–${pct(f.ciHigh)}) vs ${pct(f.restRate)} without it, ${f.support} runs, ` +
      `odds ratio ${Number.isFinite(f.oddsRatio) ? f.oddsRatio.toFixed(2) : '∞'}, q ${f.qValue.toExponential(1)}`,
  ];
  if (f.adjusted.adjustedFor.length > 0) lines.push(`  adjusted for ${f.adjusted.adjustedFor.join(', ')}: odds ratio ${f.adjusted.oddsRatio.toFixed(2)}`);
  const byRelation = new Map<AliasRelation, Map<string, string[]>>();
  for (const a of f.aliases) {
    const m = byRelation.get(a.relation) ?? byRelation.set(a.relation, new Map()).get(a.relation)!;
    (m.get(a.signature) ?? m.set(a.signature, []).get(a.signature)!).push(a.taskType);
  }
  for (const [relation, sigs] of byRelation) {
    lines.push(`  ↳ ${RELATION_WORDS[relation]}: ${[...sigs].map(([sig, types]) => `${sig} (${types.join(', ')})`).join(', ')}`);
  }
  if (f.indistinguishable.length > 0) lines.push(`  ! the data cannot tell it from ${f.indistinguishable.join(', ')}: they always ran together`);
  if (f.experiment) {
    lines.push(`  to tell them apart: ${f.experiment.why}`);
    if (f.experiment.command) lines.push(`    $ ${f.experiment.command}`);
  }
  return lines.join('\n');
}

const refreshCmd = new Command('refresh')
  .description('update the pattern DB and its findings with tasks since the last run, rebuild recommendations, run the demotion guard and an auto-promote policy if configured')
  .option('--rebuild', 'forget counts and recount the whole history')
  .option('--fdr <q>', 'false discovery rate for antipatterns (default 0.05)', parseFloat)
  .option('--min-support <n>', 'tasks a feature needs before it is tested (default 10)', (v) => parseInt(v, 10))
  .action(async function (this: Command, o: { rebuild?: boolean; fdr?: number; minSupport?: number }) {
    const g = globalOptions(this);
    const r = await withWriter(g, (db) => runLearning(db, { fdr: o.fdr, minSupport: o.minSupport, rebuild: o.rebuild }));
    if (g.json) return print(formatJson({ ...r, update: { ...r.update, windowFromNs: r.update.windowFromNs?.toString() ?? null, windowToNs: r.update.windowToNs.toString() } }));
    const anti = r.patterns.filter((p) => p.kind === 'antipattern').length;
    print(`counted ${r.update.tasks} new tasks; ${r.patterns.length} patterns reported (${anti} antipatterns); ${r.recommendations.length} recommendations; ${r.promotions.length} auto-promotion steps; ${r.demotions.length} auto-demotions`);
    for (const d of r.demotions) print(`! ${d.taskType}: ${d.team} demoted, ${d.restored ?? '(none)'} restored — ${d.reason}`);
    for (const rec of r.recommendations) print(`- [${rec.kind}] ${rec.action} (confidence ${pct(rec.confidence)})`);
  });

const reviewCmd = new Command('review')
  .description('show each task type\'s policy and the team patterns that could be promoted, with the rule check')
  .option('--task-type <type>', 'only this task type')
  .action(async function (this: Command, o: { taskType?: string }) {
    const g = globalOptions(this);
    const { items, policies, rules } = await withReader(g, async (db) => ({ items: await reviewQueue(db, o.taskType), policies: await listPolicies(db), rules: await loadRules(db) }));
    if (g.json) return print(formatJson({ rules, policies, items }));
    print(`rules: count > ${rules.minSupport}, 95 % interval must clear the default, at most ${pct(rules.maxStepShare)} of traffic per step, auto-promote ${rules.autoPromote ? 'ON' : 'off'}, auto-demote ${rules.autoDemote ? 'on' : 'OFF'}`);
    for (const p of policies.filter((x) => !o.taskType || x.taskType === o.taskType)) {
      print(`${p.taskType}: default ${p.default ?? '(none)'}${p.candidate ? `, candidate ${p.candidate} at ${pct(p.candidateShare)}` : ''}`);
    }
    const rows = items.map((i) => ({
      id: i.pattern.id, task_type: i.pattern.taskType, team: i.pattern.signature.slice(5), support: i.pattern.support, success: pct(i.pattern.successRate),
      ci95: `${pct(i.pattern.ciLow)}–${pct(i.pattern.ciHigh)}`, eligible: i.eligibility.eligible ? 'yes' : 'no', why_not: i.eligibility.reasons.join('; '),
    }));
    print(formatTable({ columns: ['id', 'task_type', 'team', 'support', 'success', 'ci95', 'eligible', 'why_not'], rows }, 90));
    if (items.some((i) => i.eligibility.eligible)) print('approve one bounded step with: agentpulse patterns promote <id> --reason "..."');
  });

const reasonOpt = (): Option => new Option('--reason <text>', 'why (recorded with the change)').makeOptionMandatory();
const actorOpt = (): Option => new Option('--actor <name>', 'who approves (default $AGENTPULSE_ACTOR or the OS user)');

const promoteCmd = new Command('promote')
  .description('approve one bounded promotion step for a team pattern (repeat to roll out further)')
  .argument('<id>', 'pattern id (see `patterns review`)')
  .addOption(reasonOpt())
  .addOption(actorOpt())
  .option('--override', 're-approve a pattern that was rejected or demoted')
  .action(async function (this: Command, id: string, o: { reason: string; actor?: string; override?: boolean }) {
    const g = globalOptions(this);
    const step = await withWriter(g, (db) => promotePattern(db, id, { approved: true, actor: actorOf(o.actor), reason: o.reason, override: o.override }));
    if (g.json) return print(formatJson(step));
    print(step.action === 'promote_complete'
      ? `${step.team} is now the default for ${step.taskType} (previous: ${step.state.history[step.state.history.length - 1]?.default ?? 'none'}); undo with: agentpulse patterns demote ${step.taskType} --reason "..."`
      : `${step.team} now gets ${pct(step.share)} of ${step.taskType} tasks (default ${step.state.default ?? 'none'} keeps the rest); promote again for the next step`);
  });

const rejectCmd = new Command('reject')
  .description('reject a pattern: it is not proposed again and its rollout, if any, stops')
  .argument('<id>', 'pattern id')
  .addOption(reasonOpt())
  .addOption(actorOpt())
  .action(async function (this: Command, id: string, o: { reason: string; actor?: string }) {
    const g = globalOptions(this);
    await withWriter(g, (db) => rejectPattern(db, id, { actor: actorOf(o.actor), reason: o.reason }));
    print(g.json ? formatJson({ rejected: id }) : `rejected ${id}`);
  });

const demoteCmd = new Command('demote')
  .description('undo the current rollout or last promotion of a task type, restoring the previous default')
  .argument('<task-type>', 'task type')
  .addOption(reasonOpt())
  .addOption(actorOpt())
  .action(async function (this: Command, taskType: string, o: { reason: string; actor?: string }) {
    const g = globalOptions(this);
    const state = await withWriter(g, (db) => demote(db, taskType, { actor: actorOf(o.actor), reason: o.reason }));
    print(g.json ? formatJson(state) : `${taskType}: default restored to ${state.default ?? '(none)'}`);
  });

const setDefaultCmd = new Command('set-default')
  .description('set the starting default team of a task type (recorded; undo with demote)')
  .argument('<task-type>', 'task type')
  .argument('<team>', 'team signature, members joined by + (e.g. coder+reviewer)')
  .addOption(reasonOpt())
  .addOption(actorOpt())
  .action(async function (this: Command, taskType: string, team: string, o: { reason: string; actor?: string }) {
    const g = globalOptions(this);
    const sig = [...new Set(team.split('+').map((m) => m.trim()).filter(Boolean))].sort().join('+');
    if (!sig) throw new CliError('team must name at least one member, e.g. coder+reviewer');
    await withWriter(g, (db) => setDefaultTeam(db, taskType, sig, { actor: actorOf(o.actor), reason: o.reason }));
    print(g.json ? formatJson({ taskType, default: sig }) : `${taskType}: default team ${sig}`);
  });

const policyCmd = new Command('policy')
  .description('show or change the promotion rules (auto-promote, auto-demote, traffic bound per step)')
  .addOption(new Option('--auto-promote <on|off>', 'promote eligible teams without a human, one bounded step per analyzer run').choices(['on', 'off']))
  .addOption(new Option('--auto-demote <on|off>', 'demote a promoted team whose latest runs fall clearly below the team it replaced (default on)').choices(['on', 'off']))
  .option('--max-step <share>', 'largest share of traffic one step may move, 0 < share ≤ 1', parseFloat)
  .option('--reason <text>', 'why (required when changing)')
  .addOption(actorOpt())
  .action(async function (this: Command, o: { autoPromote?: 'on' | 'off'; autoDemote?: 'on' | 'off'; maxStep?: number; reason?: string; actor?: string }) {
    const g = globalOptions(this);
    const change = {
      ...(o.autoPromote ? { autoPromote: o.autoPromote === 'on' } : {}),
      ...(o.autoDemote ? { autoDemote: o.autoDemote === 'on' } : {}),
      ...(o.maxStep !== undefined ? { maxStepShare: o.maxStep } : {}),
    };
    if (Object.keys(change).length === 0) return print(formatJson(await withReader(g, loadRules)));
    if (!o.reason) throw new CliError('changing the promotion rules needs --reason "..." (it is recorded)');
    const rules = await withWriter(g, (db) => saveRules(db, change, actorOf(o.actor), o.reason!));
    print(formatJson(rules));
  });

/** `agentpulse patterns`: the pattern DB and the human review of promotions. */
export const patternsCommand = new Command('patterns')
  .description('learned findings (patterns and antipatterns, one per effect); review, promote, reject and demote team defaults')
  .addCommand(listCmd, { isDefault: true })
  .addCommand(refreshCmd)
  .addCommand(reviewCmd)
  .addCommand(promoteCmd)
  .addCommand(rejectCmd)
  .addCommand(demoteCmd)
  .addCommand(setDefaultCmd)
  .addCommand(policyCmd)
  .addHelpText(
    'after',
    `
Findings: every (task type, feature) row is tested (Fisher exact vs the rest of its task type,
Benjamini–Hochberg across all rows); rows that restate one effect (the pairs inside one failing
team, the team itself, the better-looking rest) fold under the smallest signature that explains
it across task types. Where the data cannot tell candidates apart, the finding says so and
suggests the experiment that would.

Examples:
  $ agentpulse patterns --kind antipattern
  $ agentpulse patterns --rows --task-type bugfix
  $ agentpulse patterns refresh
  $ agentpulse patterns review --task-type bugfix
  $ agentpulse patterns promote p_1a2b3c4d5e6f --reason "beats default on 120 tasks"
  $ agentpulse patterns demote bugfix --reason "incident INC-7"
  $ agentpulse patterns policy --auto-promote on --max-step 0.25 --reason "trusted after Q3 review"`,
  );
