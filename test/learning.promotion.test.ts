import { describe, expect, it } from 'vitest';
import { openStore } from '../store/index.js';
import type { DuckDbStore } from '../store/index.js';
import { autoPromote, buildRecommendations, demote, getPolicy, listPatterns, patternId, promotePattern, rejectPattern, reviewQueue, saveRules, setDefaultTeam, updatePatternDb, PromotionRefusedError } from '../analyzer/learning/index.js';
import { defaultWorld, simulate } from './fixtures/simulator.js';

const END = 2n ** 62n;
const human = { actor: 'alice', reason: 'reviewed the evidence' };

/** Bugfix history: plenty of the good team, only 8 runs of a perfect-looking one. */
async function history(): Promise<DuckDbStore> {
  const store = await openStore(':memory:');
  let small = 0;
  const sim = simulate(defaultWorld(), {
    seed: 41,
    count: 1200,
    chooseTeam: (t, rng) => {
      if (t !== 'bugfix') return defaultWorld().defaultTeam[t];
      if (small < 8 && rng.next() < 0.05) return (small++, 'coder+planner+reviewer');
      return rng.next() < 0.5 ? 'coder' : 'coder+reviewer';
    },
  });
  await store.writeBatch(sim.spans);
  await updatePatternDb(store, { untilNs: END });
  await setDefaultTeam(store, 'bugfix', 'coder', { actor: 'ops', reason: 'starting policy' });
  return store;
}

const good = patternId('bugfix', 'team:coder+reviewer');
const tiny = patternId('bugfix', 'team:coder+planner+reviewer');

describe('promotePattern', () => {
  it('refuses a pattern with count ≤ 10, and any promotion without approval or auto-promote policy', async () => {
    const store = await history();
    const small = (await listPatterns(store, { includeObserved: true })).find((p) => p.id === tiny)!;
    expect(small.support).toBeLessThanOrEqual(10);
    await expect(promotePattern(store, tiny, { ...human, approved: true })).rejects.toThrow(/count \d+ ≤ 10/);
    await expect(promotePattern(store, good, { ...human, approved: false })).rejects.toBeInstanceOf(PromotionRefusedError);
    await expect(promotePattern(store, good, { ...human, approved: false })).rejects.toThrow(/approval/);
    expect((await getPolicy(store, 'bugfix')).default).toBe('coder');
    const rows = await store.query(`SELECT count(*) AS n FROM promotions WHERE action LIKE 'promote%'`);
    expect(rows[0].n).toBe(0);
    await store.close();
  });

  it('refuses a team whose interval does not clear the default, and antipatterns', async () => {
    const store = await history();
    await setDefaultTeam(store, 'bugfix', 'coder+reviewer', { actor: 'ops', reason: 'test' });
    const worse = patternId('bugfix', 'team:coder');
    await expect(promotePattern(store, worse, { ...human, approved: true })).rejects.toThrow(/does not clear default coder\+reviewer/);
    const anti = (await listPatterns(store, { kind: 'antipattern', taskType: 'bugfix' }))[0];
    await expect(promotePattern(store, anti.id, { ...human, approved: true })).rejects.toThrow(/antipattern/);
    await store.close();
  });

  it('moves at most maxStepShare per step, records who/when/why/bound, and demotion restores the previous default', async () => {
    const store = await history();
    const [item] = await reviewQueue(store, 'bugfix');
    expect(item.pattern.id).toBe(good);
    expect(item.eligibility.eligible).toBe(true);
    const s1 = await promotePattern(store, good, { ...human, approved: true });
    expect(s1).toMatchObject({ action: 'promote_step', share: 0.25 });
    expect(s1.state).toMatchObject({ default: 'coder', candidate: 'coder+reviewer', candidateShare: 0.25 });
    await promotePattern(store, good, { ...human, approved: true });
    await promotePattern(store, good, { ...human, approved: true });
    const s4 = await promotePattern(store, good, { ...human, approved: true });
    expect(s4).toMatchObject({ action: 'promote_complete', share: 1 });
    expect((await getPolicy(store, 'bugfix')).default).toBe('coder+reviewer');
    expect((await listPatterns(store)).find((p) => p.id === good)!.status).toBe('promoted');

    const back = await demote(store, 'bugfix', { actor: 'bob', reason: 'incident INC-7' });
    expect(back).toMatchObject({ default: 'coder', candidate: null, candidateShare: 0 });
    expect((await listPatterns(store)).find((p) => p.id === good)!.status).toBe('demoted');
    // A demoted pattern is not re-promoted without an explicit human override.
    await expect(promotePattern(store, good, { ...human, approved: true })).rejects.toThrow(/demoted/);
    await promotePattern(store, good, { ...human, approved: true, override: true });

    const log = await store.query(`SELECT action, previous_default, new_default, traffic_share, bounded_by, actor, reason, created_at FROM promotions ORDER BY created_at, action`);
    const steps = log.filter((r) => String(r.action).startsWith('promote'));
    expect(steps.map((r) => r.traffic_share)).toEqual([0.25, 0.5, 0.75, 1, 0.25]);
    for (const r of steps) expect(r).toMatchObject({ bounded_by: 'max_step_share=0.25', actor: 'alice', reason: 'reviewed the evidence' });
    expect(log.find((r) => r.action === 'demote')).toMatchObject({ previous_default: 'coder+reviewer', new_default: 'coder', actor: 'bob', reason: 'incident INC-7' });
    for (const r of log) expect(r.created_at).toBeTruthy();
    await store.close();
  });

  it('demoting mid-rollout and rejecting stop the candidate', async () => {
    const store = await history();
    await promotePattern(store, good, { ...human, approved: true });
    expect(await demote(store, 'bugfix', { actor: 'bob', reason: 'paging' })).toMatchObject({ default: 'coder', candidate: null, candidateShare: 0 });
    const store2 = await history();
    await promotePattern(store2, good, { ...human, approved: true });
    await rejectPattern(store2, good, { actor: 'carol', reason: 'not convinced' });
    expect(await getPolicy(store2, 'bugfix')).toMatchObject({ default: 'coder', candidate: null, candidateShare: 0 });
    await store.close();
    await store2.close();
  });

  it('auto-promotes only under an explicit policy, still bounded and recorded', async () => {
    const store = await history();
    expect(await autoPromote(store)).toEqual([]);
    await saveRules(store, { autoPromote: true, maxStepShare: 0.5 }, 'ops', 'trial of auto-promotion');
    const steps = await autoPromote(store);
    expect(steps).toHaveLength(1);
    expect(steps[0]).toMatchObject({ team: 'coder+reviewer', share: 0.5, action: 'promote_step' });
    const [row] = await store.query(`SELECT actor, reason, bounded_by FROM promotions WHERE action = 'promote_step'`);
    expect(row).toMatchObject({ actor: 'auto-promote-policy', bounded_by: 'max_step_share=0.5' });
    expect(String(row.reason)).toMatch(/clears/);
    await store.close();
  });
});

describe('buildRecommendations', () => {
  it('recommends the best team and recovery strategy per task type with effect and confidence', async () => {
    const store = await openStore(':memory:');
    await store.writeBatch(simulate(defaultWorld(), { seed: 43, count: 3000 }).spans);
    await updatePatternDb(store, { untilNs: END });
    for (const t of ['bugfix', 'feature', 'research']) await setDefaultTeam(store, t, defaultWorld().defaultTeam[t], { actor: 'ops', reason: 'start' });
    const recs = await buildRecommendations(store, { seed: 1 });
    const team = recs.find((r) => r.id === 'rec_team_bugfix')!;
    expect(team.action).toMatch(/^make coder\+(planner\+)?reviewer the default team for bugfix \(now coder\)/);
    expect(team.expected_effect.delta as number).toBeGreaterThan(0.1);
    expect(team.confidence).toBeGreaterThan(0.99);
    const recovery = recs.find((r) => r.id === 'rec_recovery_research')!;
    expect(recovery.action).toMatch(/fallback/);
    expect(recs.find((r) => r.id === 'rec_recovery_bugfix')!.action).toMatch(/retry/);
    expect(recs.some((r) => r.kind === 'avoid')).toBe(true);
    for (const r of recs) expect(r.bounded_by).toBeTruthy();
    await store.close();
  });
});
