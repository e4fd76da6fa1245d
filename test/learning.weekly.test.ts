import { describe, expect, it } from 'vitest';
import { openStore } from '../store/index.js';
import { getPolicy, loadExecutionRecords, runLearning, saveRules, setDefaultTeam, teamArms, teamChooser } from '../analyzer/learning/index.js';
import { DEFAULT_SIM_START_NS, defaultWorld, simulate, worldCandidates } from './fixtures/simulator.js';
import type { SimTask } from './fixtures/simulator.js';

const WEEK_NS = 7n * 86_400_000_000_000n;
const PER_WEEK = 1050;
const MAX_STEP = 0.5;
const MAX_EXPLORE = 0.2;

const mean = (xs: number[]): number => xs.reduce((a, b) => a + b, 0) / xs.length;

describe('suggest-team over four weeks', () => {
  it('beats the static starting policy by ≥ 15 % task success, every change bounded and recorded', async () => {
    const world = defaultWorld();
    const store = await openStore(':memory:');
    // Week 0: the static policy, with 10 % ad-hoc teams people tried by hand.
    const week0 = simulate(world, {
      seed: 60, count: PER_WEEK, days: 7, idPrefix: 'w0',
      chooseTeam: (t, rng) => (rng.next() < 0.1 ? worldCandidates(world, t)[rng.int(worldCandidates(world, t).length)] : world.defaultTeam[t]),
    });
    await store.writeBatch(week0.spans);
    for (const t of world.taskTypes) await setDefaultTeam(store, t, world.defaultTeam[t], { actor: 'ops', reason: 'static starting policy' });
    await saveRules(store, { autoPromote: true, maxStepShare: MAX_STEP }, 'ops', 'weekly auto-promotion, at most 50 % of traffic per week');
    await runLearning(store, { untilNs: DEFAULT_SIM_START_NS + WEEK_NS });

    const learned: SimTask[][] = [];
    const fixed: SimTask[][] = [];
    let explored = 0;
    for (let w = 1; w <= 4; w++) {
      const startNs = DEFAULT_SIM_START_NS + BigInt(w) * WEEK_NS;
      // This week's choices come from suggest-team's chooser over last week's evidence and policy.
      const arms = teamArms(await loadExecutionRecords(store));
      const choosers = new Map<string, ReturnType<typeof teamChooser>>();
      for (const t of world.taskTypes) {
        const p = await getPolicy(store, t);
        choosers.set(t, teamChooser(arms.get(t) ?? [], p, { explore: true, maxExploreShare: MAX_EXPLORE, candidates: worldCandidates(world, t) }));
      }
      const sim = simulate(world, {
        seed: 60 + w, count: PER_WEEK, days: 7, dayOffset: 7 * w, startNs, idPrefix: `w${w}`,
        chooseTeam: (t, rng) => {
          const pick = choosers.get(t)!(rng);
          if (pick.mode === 'explore') explored++;
          return pick.team!;
        },
      });
      learned.push(sim.tasks);
      fixed.push(simulate(world, { seed: 60 + w, count: PER_WEEK, days: 7, dayOffset: 7 * w, startNs, idPrefix: `f${w}`, chooseTeam: (t) => world.defaultTeam[t] }).tasks);
      await store.writeBatch(sim.spans);
      await runLearning(store, { untilNs: startNs + WEEK_NS, runId: `week-${w}` });
    }

    const rate = (weeks: SimTask[][]): number => mean(weeks.flat().map((t) => (t.success ? 1 : 0)));
    const expected = (weeks: SimTask[][]): number => mean(weeks.flat().map((t) => t.trueP));
    const uplift = rate(learned) / rate(fixed) - 1;
    const expectedUplift = expected(learned) / expected(fixed) - 1;
    const weekly = learned.map((w, i) => `w${i + 1} ${(100 * rate([w])).toFixed(1)} % vs ${(100 * rate([fixed[i]])).toFixed(1)} %`).join(', ');
    console.log(`four weeks: suggest-team ${(100 * rate(learned)).toFixed(1)} % vs static ${(100 * rate(fixed)).toFixed(1)} % → +${(100 * uplift).toFixed(1)} % relative (expected-value +${(100 * expectedUplift).toFixed(1)} %); ${weekly}`);
    console.log(`explored ${explored} of ${4 * PER_WEEK} tasks (${((100 * explored) / (4 * PER_WEEK)).toFixed(1)} %, bound ${100 * MAX_EXPLORE} %)`);
    expect(uplift).toBeGreaterThanOrEqual(0.15);
    expect(expectedUplift).toBeGreaterThanOrEqual(0.15);
    // Hard bound: ⌈share·n⌉ per chooser (one per task type per week).
    expect(explored).toBeLessThanOrEqual(MAX_EXPLORE * 4 * PER_WEEK + 4 * world.taskTypes.length);

    // Every policy change is a recorded, bounded step.
    const log = await store.query(`SELECT task_type, action, previous_default, new_default, traffic_share, bounded_by, actor, reason, created_at FROM promotions WHERE task_type IS NOT NULL ORDER BY created_at`);
    const steps = log.filter((r) => String(r.action).startsWith('promote'));
    console.log(steps.map((r) => `${r.task_type}: ${r.action} ${r.new_default ?? ''} share ${r.traffic_share}`).join('; '));
    expect(steps.length).toBeGreaterThanOrEqual(3);
    const lastShare = new Map<string, number>();
    for (const r of steps) {
      expect(r.actor).toBe('auto-promote-policy');
      expect(r.reason).toMatch(/clears/);
      expect(r.bounded_by).toBe(`max_step_share=${MAX_STEP}`);
      expect(r.created_at).toBeTruthy();
      const share = Number(r.traffic_share);
      expect(share - (lastShare.get(String(r.task_type)) ?? 0)).toBeLessThanOrEqual(MAX_STEP + 1e-9);
      lastShare.set(String(r.task_type), share >= 1 ? 0 : share);
    }
    for (const t of world.taskTypes) expect((await getPolicy(store, t)).default).not.toBe(world.defaultTeam[t]);
    await store.close();
  });
});
