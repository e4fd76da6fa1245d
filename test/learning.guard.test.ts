import { describe, expect, it } from 'vitest';
import { getPolicy } from '../analyzer/learning/index.js';
import { defaultWorld } from './fixtures/simulator.js';
import { demotionScenario } from './fixtures/learningEval.js';

describe('guardPromotions', () => {
  it('demotes a promoted team that gets worse mid-month within 40 of its runs, restoring the team it replaced', async () => {
    const r = await demotionScenario(defaultWorld(), 90);
    console.log(`shift on day 21 (${r.team} → 0.30 in bugfix): demoted after ${r.runsUntilDemoted} of its runs, ${r.hoursUntilDemoted} h; ${r.demotion?.reason}`);
    expect(r.team).not.toBe('coder'); // a promoted team, not the starting default
    expect(r.demotion).not.toBeNull();
    expect(r.runsUntilDemoted!).toBeLessThanOrEqual(40);
    expect(r.demotion!.restored).toBe('coder');
    expect(r.others).toEqual([]);
    // Recorded like any change, and not re-promoted by the auto-promote policy afterwards.
    const rows = r.run.steps.filter((s) => s.action === 'demote');
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ task_type: 'bugfix', actor: 'auto-demote-guard', previous_default: r.team, new_default: 'coder' });
    expect(String(rows[0].reason)).toMatch(/below coder's/);
    const policy = await getPolicy(r.run.store, 'bugfix');
    expect(policy.default).not.toBe(r.team);
    expect(policy.candidate).not.toBe(r.team);
    await r.run.store.close();
  });
});
