import { createHash } from 'node:crypto';

/** A run that would separate candidates the data only ever saw together. */
export interface SuggestedExperiment {
  taskType: string;
  /** The composition the data has. */
  control: string;
  /** Compositions that each leave one member out; `clears` = the suspects that variant no longer holds. */
  variants: { name: string; without: string; clears: string[] }[];
  why: string;
  /** An A/B experiment definition for it, when the variants are teams (`agentpulse experiments create …`). */
  command: string | null;
}

const MAX_VARIANTS = 6;

/** Members of a composition signature (`team:`/`pair:`), or null for features that are not compositions. */
export const membersOf = (signature: string): string[] | null => {
  const i = signature.indexOf(':');
  const kind = signature.slice(0, i);
  return kind === 'team' || kind === 'pair' ? signature.slice(i + 1).split('+') : null;
};

/**
 * Designs the run that tells apart suspects that always occur together: for compositions, the
 * team they occur in against variants that each drop one member (a variant that recovers has
 * lost the cause, one that still fails kept it); for other features, runs with one and not the
 * other.
 */
export function suggestSeparation(suspects: readonly string[], runs: readonly { taskType: string; team: string | null }[]): SuggestedExperiment | null {
  if (suspects.length < 2 || runs.length === 0) return null;
  // The most common (task type, team) of the suspects' runs; ties by name, so the advice is stable.
  const counts = new Map<string, number>();
  for (const r of runs) counts.set(`${r.taskType}\u0000${r.team ?? ''}`, (counts.get(`${r.taskType}\u0000${r.team ?? ''}`) ?? 0) + 1);
  const [key] = [...counts].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))[0];
  const [taskType, team] = key.split('\u0000');
  const sets = suspects.map(membersOf);
  if (team && sets.every((m) => m !== null)) {
    const members = team.split('+');
    const variants: SuggestedExperiment['variants'] = [];
    for (const m of [...members].sort()) {
      const clears = suspects.filter((_, k) => sets[k]!.includes(m));
      if (clears.length === 0 || clears.length === suspects.length || members.length < 2) continue;
      variants.push({ name: members.filter((x) => x !== m).join('+'), without: m, clears });
      if (variants.length === MAX_VARIANTS) break;
    }
    if (variants.length > 0) {
      const name = 'isolate-' + createHash('sha256').update([taskType, team, ...suspects].join('\u0000')).digest('hex').slice(0, 8);
      return {
        taskType,
        control: team,
        variants,
        why:
          `${suspects.join(', ')} only ever ran together (in ${team} for ${taskType}); run ${team} against variants that each leave one member out: ` +
          'a variant that no longer shows the effect has lost the cause',
        command: `agentpulse experiments create ${name} --variants ${[team, ...variants.map((v) => v.name)].join(',')}`,
      };
    }
  }
  const [first, ...others] = suspects;
  return {
    taskType,
    control: first,
    variants: others.map((o) => ({ name: `${o} without ${first}`, without: first, clears: [first] })),
    why: `${suspects.join(', ')} only ever occurred together in ${taskType}; runs that have one without the other tell them apart`,
    command: null,
  };
}
