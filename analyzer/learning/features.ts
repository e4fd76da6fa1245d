import type { ExecutionRecord } from './records.js';

/** What a pattern is about; it prefixes the signature (`team:coder+reviewer`). */
export type FeatureKind = 'team' | 'pair' | 'model' | 'context' | 'loop' | 'seq';

export interface Feature {
  kind: FeatureKind;
  /** `kind:value`, unique within a task type. */
  signature: string;
}

/**
 * Context-size bands on a ×4 geometric grid (in tokens): scale-free, so no band edge is tuned
 * to one data set, and coarse enough that each band collects support. A band that fails
 * significantly more often than the rest of its task type is the "oversized context" antipattern.
 */
export const CONTEXT_BANDS: readonly { label: string; min: number }[] = [
  { label: '<4k', min: 0 },
  { label: '4k-16k', min: 4_096 },
  { label: '16k-64k', min: 16_384 },
  { label: '64k-256k', min: 65_536 },
  { label: '>=256k', min: 262_144 },
];

/** The band label of a context size. */
export function contextBand(tokens: number): string {
  let label = CONTEXT_BANDS[0].label;
  for (const b of CONTEXT_BANDS) if (tokens >= b.min) label = b.label;
  return label;
}

/**
 * A tool loop: the same tool called this many times in a row. Two identical calls are common
 * (a retry, a refined query); three in a row without another step in between is an agent not
 * making progress.
 */
export const LOOP_RUN_LENGTH = 3;

/** `loop:*`: a task with a tool loop of any tool. */
export const ANY_TOOL = '*';

/** Distinct features of one task: its team, every agent pair in it, models, context band, tool loops (per tool and `loop:*`), tool bigrams. */
export function featuresOf(r: ExecutionRecord): Feature[] {
  const out = new Map<string, Feature>();
  const add = (kind: FeatureKind, value: string): void => {
    const signature = `${kind}:${value}`;
    if (!out.has(signature)) out.set(signature, { kind, signature });
  };
  const members = r.teamSignature ? r.teamSignature.split('+') : [...new Set(r.agents)].sort();
  if (r.teamSignature) add('team', r.teamSignature);
  for (let i = 0; i < members.length; i++) for (let j = i + 1; j < members.length; j++) add('pair', `${members[i]}+${members[j]}`);
  for (const m of r.models) add('model', m);
  if (r.contextSize !== null) add('context', contextBand(r.contextSize));
  let run = 1;
  for (let i = 1; i <= r.tools.length; i++) {
    if (i < r.tools.length && r.tools[i] === r.tools[i - 1]) run++;
    else {
      if (run >= LOOP_RUN_LENGTH) {
        add('loop', r.tools[i - 1]);
        // Any loop at all: the effect of looping pools here, whichever tool it hits.
        add('loop', ANY_TOOL);
      }
      run = 1;
    }
  }
  // Sequences on the collapsed tool list, so a loop is one feature, not also a bigram.
  const collapsed = r.tools.filter((t, i) => i === 0 || t !== r.tools[i - 1]);
  for (let i = 1; i < collapsed.length; i++) add('seq', `${collapsed[i - 1]}>${collapsed[i]}`);
  return [...out.values()];
}
