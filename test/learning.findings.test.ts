import { describe, expect, it } from 'vitest';
import { openStore } from '../store/index.js';
import { buildFindings, countFeatures, loadExecutionRecords, minePatterns } from '../analyzer/learning/index.js';
import { nullWorld, plantedWorld, simulate } from './fixtures/simulator.js';

const FDR = 0.05;

describe('buildFindings', () => {
  for (const seed of [41, 42, 43]) {
    it(`folds every row that restates a planted effect into one finding per effect (seed ${seed})`, async () => {
      const store = await openStore(':memory:');
      await store.writeBatch(simulate(plantedWorld(), { seed, count: 5000 }).spans);
      const records = await loadExecutionRecords(store);
      await store.close();
      const { features, bases } = countFeatures(records);
      const mined = minePatterns(features, bases, { fdr: FDR });
      const report = buildFindings(records, mined, { fdr: FDR });
      const flaggedRows = mined.filter((p) => p.significant).length;
      console.log(
        `seed ${seed}: ${report.tested} tested, ${flaggedRows} significant rows → ${report.findings.length} findings: ` +
          report.findings.map((f) => `${f.kind} ${f.signature} [${f.taskTypes.join(',')}] ${f.successes}/${f.support} + ${f.aliases.length} aliases${f.indistinguishable.length ? ` (≡ ${f.indistinguishable.join(', ')})` : ''}`).join('; '),
      );
      if (report.unconfirmed.length) console.log(`  unconfirmed: ${report.unconfirmed.map((u) => `${u.taskType}/${u.signature} q ${u.qValue.toExponential(1)}`).join(', ')}`);
      expect(report.tested).toBe(mined.length);
      expect(report.flagged).toBe(flaggedRows);
      expect(flaggedRows).toBeGreaterThan(report.findings.length); // there was something to fold
      const anti = report.findings.filter((f) => f.kind === 'antipattern');
      expect(report.findings.filter((f) => f.kind === 'pattern')).toEqual([]);
      expect(anti).toHaveLength(3);

      const pair = anti.find((f) => f.signature === 'pair:planner+tester');
      expect(pair, 'the planted pair names its finding').toBeDefined();
      expect(pair!.taskTypes).toEqual(['bugfix', 'feature', 'research']);
      expect(pair!.indistinguishable).toEqual([]);
      expect(pair!.experiment).toBeNull();
      const folded = new Set(pair!.aliases.map((a) => `${a.taskType}/${a.signature}`));
      // The pairs that only ever ran inside the bad four-member team restate it.
      for (const s of ['bugfix/pair:planner+summarizer', 'bugfix/pair:summarizer+tester', 'bugfix/team:coder+planner+summarizer+tester']) {
        if (mined.some((p) => p.significant && `${p.taskType}/${p.signature}` === s)) expect(folded.has(s), s).toBe(true);
      }

      const hidden = anti.find((f) => [f.signature, ...f.indistinguishable].includes('pair:reviewer+summarizer'));
      expect(hidden, 'the pair that only runs inside one team has a finding').toBeDefined();
      expect(hidden!.taskTypes).toEqual(['research']);
      expect([hidden!.signature, ...hidden!.indistinguishable].sort()).toEqual(['pair:researcher+reviewer', 'pair:researcher+summarizer', 'pair:reviewer+summarizer']);
      expect(hidden!.note).toMatch(/cannot tell/);
      expect(hidden!.experiment).toMatchObject({ taskType: 'research', control: 'researcher+reviewer+summarizer' });
      // Each variant drops one member; together they separate every suspect from every other.
      const variants = hidden!.experiment!.variants;
      expect(variants.map((v) => v.name).sort()).toEqual(['researcher+reviewer', 'researcher+summarizer', 'reviewer+summarizer']);
      expect(hidden!.experiment!.command).toMatch(/^agentpulse experiments create isolate-[0-9a-f]{8} --variants researcher\+reviewer\+summarizer,/);

      const context = anti.find((f) => f.signature === 'context:64k-256k');
      expect(context?.taskTypes).toEqual(['bugfix', 'feature', 'research']);

      // No two findings restate the same evidence, and every significant row is accounted for once.
      const evidence = report.findings.map((f) => `${f.support}/${f.successes}`);
      expect(new Set(evidence).size).toBe(evidence.length);
      // Every significant row is accounted for once: a finding's own, folded under one, or (not
      // explained by any finding, too weak for one of its own) listed as unconfirmed.
      const accounted = [...report.findings.flatMap((f) => [...f.patternIds, ...f.aliases.map((a) => a.patternId)]), ...report.unconfirmed.map((u) => u.patternId)];
      expect(new Set(accounted).size).toBe(accounted.length);
      expect(accounted.sort()).toEqual(mined.filter((p) => p.significant).map((p) => p.id).sort());
      expect(report.unconfirmed.length).toBeLessThanOrEqual(2);
      for (const f of report.findings) {
        expect(f.qValue).toBeLessThanOrEqual(FDR);
        expect(f.successRate).toBeLessThan(f.restRate);
      }
    });
  }

  it('reports nothing where nothing matters', async () => {
    const store = await openStore(':memory:');
    await store.writeBatch(simulate(nullWorld(), { seed: 44, count: 3000 }).spans);
    const records = await loadExecutionRecords(store);
    await store.close();
    const { features, bases } = countFeatures(records);
    const mined = minePatterns(features, bases, { fdr: FDR });
    const report = buildFindings(records, mined, { fdr: FDR });
    expect(report.findings).toEqual([]);
    expect(report.tested).toBeGreaterThan(100);
  });
});
