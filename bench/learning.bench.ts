/**
 * The learning system's precision over seeds, each figure with its 95 % interval (Student t over
 * seeds) — the numbers docs/learning.md quotes:
 *   1. findings on histories with planted effects: findings per planted effect, spurious findings;
 *   2. the success classifier against its Bayes ceiling (default and sharp worlds);
 *   3. the four-week learning curve of suggest-team vs the static policy;
 *   4. the guard: runs of a promoted team that turned bad until it is demoted.
 *
 *   5. (with --cost N) what findings cost at N runs: loading the history, counting, folding.
 *
 *   npm run build && node dist/bench/learning.bench.js [--quick] [--json] [--cost 50000]
 */
import { buildFindings, countFeatures, loadExecutionRecords, minePatterns } from '../analyzer/learning/index.js';
import { openStore } from '../store/index.js';
import { classifierVsCeiling, demotionScenario, FOUR_WEEKS, overSeeds, rates, runLearningHistory } from '../test/fixtures/learningEval.js';
import { defaultWorld, plantedWorld, sharpWorld, simulate } from '../test/fixtures/simulator.js';

const quick = process.argv.includes('--quick') || process.env.BENCH_QUICK === '1';
const json = process.argv.includes('--json');
const seeds = (from: number, n: number): number[] => Array.from({ length: n }, (_, i) => from + i);
const N = quick ? 3 : 8;

type Summary = ReturnType<typeof overSeeds>;
const fmt = (s: Summary, digits = 3, scale = 1): string =>
  `${(s.mean * scale).toFixed(digits)} [${(s.low * scale).toFixed(digits)}, ${(s.high * scale).toFixed(digits)}]`;

async function findings(): Promise<Record<string, Summary | number>> {
  const planted = ['pair:planner+tester', 'pair:reviewer+summarizer', 'context:64k-256k'];
  const exact: number[] = [];
  const spurious: number[] = [];
  const unconfirmed: number[] = [];
  const rows: number[] = [];
  const named: number[] = [];
  let tested = 0;
  for (const seed of seeds(41, N)) {
    const store = await openStore(':memory:');
    await store.writeBatch(simulate(plantedWorld(), { seed, count: 5000 }).spans);
    const records = await loadExecutionRecords(store);
    await store.close();
    const { features, bases } = countFeatures(records);
    const mined = minePatterns(features, bases);
    const r = buildFindings(records, mined);
    tested = r.tested;
    const hits = planted.map((p) => r.findings.filter((f) => [f.signature, ...f.indistinguishable].includes(p)).length);
    exact.push(hits.filter((h) => h === 1).length / planted.length);
    spurious.push(r.findings.length - hits.reduce((a, b) => a + b, 0));
    unconfirmed.push(r.unconfirmed.length);
    rows.push(r.flagged);
    named.push(r.findings.some((f) => f.signature === 'pair:planner+tester') ? 1 : 0);
  }
  return { tested, significantRows: overSeeds(rows), exactlyOnePerEffect: overSeeds(exact), plantedPairNamed: overSeeds(named), spuriousFindings: overSeeds(spurious), unconfirmedRows: overSeeds(unconfirmed) };
}

async function classifier(world: 'default' | 'sharp'): Promise<Record<string, Summary>> {
  const acc: number[] = [];
  const ceiling: number[] = [];
  const share: number[] = [];
  const auc: number[] = [];
  const aucCeiling: number[] = [];
  const ece: number[] = [];
  for (const seed of seeds(31, N)) {
    const c = await classifierVsCeiling(world === 'default' ? defaultWorld() : sharpWorld(), seed);
    acc.push(c.evaluation.accuracy);
    ceiling.push(c.ceilingAccuracyRealised);
    share.push(c.shareOfCeiling);
    auc.push(c.evaluation.auc);
    aucCeiling.push(c.ceilingAuc);
    ece.push(c.evaluation.ece);
  }
  return { accuracy: overSeeds(acc), ceiling: overSeeds(ceiling), shareOfCeiling: overSeeds(share), auc: overSeeds(auc), aucCeiling: overSeeds(aucCeiling), ece: overSeeds(ece) };
}

async function learningCurve(): Promise<Record<string, Summary>> {
  const uplift: number[] = [];
  const expected: number[] = [];
  const explored: number[] = [];
  const demotions: number[] = [];
  for (const seed of seeds(60, quick ? 2 : 5).map((s, i) => s + 10 * i)) {
    const run = await runLearningHistory(defaultWorld(), { seed, periods: FOUR_WEEKS, maxStepShare: 0.5, maxExploreShare: 0.2 });
    const l = rates(run.learned.flat());
    const f = rates(run.fixed.flat());
    uplift.push(l.realised / f.realised - 1);
    expected.push(l.expected / f.expected - 1);
    explored.push(run.explored / run.learned.flat().length);
    demotions.push(run.demotions.length);
    await run.store.close();
  }
  return { uplift: overSeeds(uplift), expectedUplift: overSeeds(expected), exploredShare: overSeeds(explored), falseDemotions: overSeeds(demotions) };
}

async function guard(): Promise<Record<string, Summary>> {
  const runs: number[] = [];
  const hours: number[] = [];
  const others: number[] = [];
  for (const seed of seeds(90, quick ? 2 : 5)) {
    const r = await demotionScenario(defaultWorld(), seed);
    runs.push(r.runsUntilDemoted ?? Infinity);
    hours.push(r.hoursUntilDemoted ?? Infinity);
    others.push(r.others.length);
    await r.run.store.close();
  }
  return { runsUntilDemoted: overSeeds(runs), hoursUntilDemoted: overSeeds(hours), maxRunsUntilDemoted: overSeeds([Math.max(...runs)]), falseDemotions: overSeeds(others) };
}

/** Findings read the whole history: time its three parts at `n` runs of the default world. */
async function cost(n: number): Promise<void> {
  const store = await openStore(':memory:');
  for (let i = 0; i < Math.ceil(n / 10_000); i++) await store.writeBatch(simulate(defaultWorld(), { seed: 100 + i, count: Math.min(10_000, n - 10_000 * i), idPrefix: `b${i}` }).spans);
  let t = performance.now();
  const records = await loadExecutionRecords(store);
  const load = performance.now() - t;
  t = performance.now();
  const { features, bases } = countFeatures(records);
  const mined = minePatterns(features, bases);
  const count = performance.now() - t;
  t = performance.now();
  const r = buildFindings(records, mined);
  const fold = performance.now() - t;
  await store.close();
  console.log(`findings cost at ${records.length} runs: load execution records ${(load / 1000).toFixed(2)} s, count + test ${r.tested} rows ${(count / 1000).toFixed(2)} s, fold ${r.flagged} significant rows into ${r.findings.length} findings ${(fold / 1000).toFixed(2)} s`);
}

async function main(): Promise<void> {
  const costAt = process.argv.indexOf('--cost');
  if (costAt > 0) return cost(Number(process.argv[costAt + 1]));
  const t0 = performance.now();
  const out = {
    seeds: N,
    findings: await findings(),
    classifierDefault: await classifier('default'),
    classifierSharp: await classifier('sharp'),
    learningCurve: await learningCurve(),
    guard: await guard(),
    seconds: (performance.now() - t0) / 1000,
  };
  if (json) return void console.log(JSON.stringify(out, null, 2));
  const f = out.findings as Record<string, Summary> & { tested: number };
  console.log(`learning bench (${N} seeds per figure unless noted; mean [95 % CI over seeds]) — ${out.seconds.toFixed(0)} s`);
  console.log(`findings, planted world (3 effects, 5000 runs, ${f.tested} rows tested): significant rows ${fmt(f.significantRows, 1)}; share of planted effects with exactly one finding ${fmt(f.exactlyOnePerEffect, 2)}; planted pair names its finding ${fmt(f.plantedPairNamed, 2)}; spurious findings ${fmt(f.spuriousFindings, 2)}; unconfirmed rows ${fmt(f.unconfirmedRows, 2)}`);
  for (const [name, c] of [['default', out.classifierDefault], ['sharp', out.classifierSharp]] as const) {
    console.log(`classifier, ${name} world (6000 runs, latest 30 % held out): accuracy ${fmt(c.accuracy)} vs ceiling ${fmt(c.ceiling)} → ${fmt(c.shareOfCeiling, 1, 100)} % of it; AUC ${fmt(c.auc)} vs ${fmt(c.aucCeiling)}; ECE ${fmt(c.ece)}`);
  }
  const l = out.learningCurve;
  console.log(`learning curve (${quick ? 2 : 5} seeds, 4 weeks × 1050 runs, steps ≤ 50 %, exploration ≤ 20 %): uplift ${fmt(l.uplift, 1, 100)} % realised, ${fmt(l.expectedUplift, 1, 100)} % expected; explored ${fmt(l.exploredShare, 1, 100)} %; demotions without a shift ${fmt(l.falseDemotions, 1)}`);
  const g = out.guard;
  console.log(`guard (${quick ? 2 : 5} seeds, promoted bugfix team drops to 0.30 on day 21, analyzer every 6 h): demoted after ${fmt(g.runsUntilDemoted, 1)} of its runs (worst ${g.maxRunsUntilDemoted.mean}), ${fmt(g.hoursUntilDemoted, 1)} h; other demotions ${fmt(g.falseDemotions, 1)}`);
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
