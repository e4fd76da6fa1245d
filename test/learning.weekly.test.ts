import { describe, expect, it } from 'vitest';
import { getPolicy } from '../analyzer/learning/index.js';
import { defaultWorld } from './fixtures/simulator.js';
import { FOUR_WEEKS, rates, runLearningHistory } from './fixtures/learningEval.js';

const MAX_STEP = 0.5;
const MAX_EXPLORE = 0.2;
const PER_WEEK = 1050;

describe('suggest-team over four weeks', () => {
  it('beats the static starting policy by ≥ 15 % task success, every change bounded and recorded', async () => {
    const world = defaultWorld();
    const run = await runLearningHistory(world, { seed: 60, periods: FOUR_WEEKS, maxStepShare: MAX_STEP, maxExploreShare: MAX_EXPLORE });
    const learned = rates(run.learned.flat());
    const fixed = rates(run.fixed.flat());
    const uplift = learned.realised / fixed.realised - 1;
    const expectedUplift = learned.expected / fixed.expected - 1;
    const weekly = run.learned.map((w, i) => `w${i + 1} ${(100 * rates(w).realised).toFixed(1)} % vs ${(100 * rates(run.fixed[i]).realised).toFixed(1)} %`).join(', ');
    console.log(`four weeks: suggest-team ${(100 * learned.realised).toFixed(1)} % vs static ${(100 * fixed.realised).toFixed(1)} % → +${(100 * uplift).toFixed(1)} % relative (expected-value +${(100 * expectedUplift).toFixed(1)} %); ${weekly}`);
    console.log(`explored ${run.explored} of ${4 * PER_WEEK} tasks (${((100 * run.explored) / (4 * PER_WEEK)).toFixed(1)} %, bound ${100 * MAX_EXPLORE} %)`);
    expect(uplift).toBeGreaterThanOrEqual(0.15);
    expect(expectedUplift).toBeGreaterThanOrEqual(0.15);
    // Hard bound: ⌈share·n⌉ per chooser (one per task type per week).
    expect(run.explored).toBeLessThanOrEqual(MAX_EXPLORE * 4 * PER_WEEK + 4 * world.taskTypes.length);
    // Nothing got worse, so the guard demoted nothing.
    expect(run.demotions).toEqual([]);

    // Every policy change is a recorded, bounded step.
    const steps = run.steps.filter((r) => String(r.action).startsWith('promote'));
    console.log(steps.map((r) => `${r.task_type}: ${r.action} ${r.new_default ?? ''} share ${r.traffic_share}`).join('; '));
    expect(steps.length).toBeGreaterThanOrEqual(3);
    const lastShare = new Map<string, number>();
    for (const r of steps) {
      expect(r.actor).toBe('auto-promote-policy');
      expect(r.reason).toMatch(/clears/);
      expect(r.bounded_by).toBe(`max_step_share=${MAX_STEP}`);
      const share = Number(r.traffic_share);
      expect(share - (lastShare.get(String(r.task_type)) ?? 0)).toBeLessThanOrEqual(MAX_STEP + 1e-9);
      lastShare.set(String(r.task_type), share >= 1 ? 0 : share);
    }
    for (const t of world.taskTypes) expect((await getPolicy(run.store, t)).default).not.toBe(world.defaultTeam[t]);
    await run.store.close();
  });
});
