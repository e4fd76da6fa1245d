import { createHash } from 'node:crypto';

/**
 * Deterministic experiment assignment: SHA-256 of `experiment \0 unitId` mapped to [0, 1) and
 * cut by the cumulative weights. The same unit always gets the same variant, in every process
 * and language that hashes the same way, and different experiments split independently.
 * @example
 * assignVariant('prompt-v2', 'user-42', ['control', 'treatment']); // stable for user-42
 */
export function assignVariant(experiment: string, unitId: string, variants: readonly string[], weights?: readonly number[]): string {
  if (variants.length === 0) throw new RangeError('assignVariant needs at least one variant');
  const w = weights && weights.length === variants.length ? weights : variants.map(() => 1);
  const total = w.reduce((a, b) => a + b, 0);
  if (!(total > 0) || w.some((x) => !(x >= 0))) throw new RangeError('variant weights must be non-negative and not all zero');
  const digest = createHash('sha256').update(`${experiment}\u0000${unitId}`).digest();
  // 48 bits: ample resolution for any realistic split, exact in a double.
  const u = digest.readUIntBE(0, 6) / 2 ** 48;
  let acc = 0;
  for (let i = 0; i < variants.length; i++) {
    acc += w[i] / total;
    if (u < acc) return variants[i];
  }
  return variants[variants.length - 1];
}
