import { z } from 'zod';
import type { StateStore } from '../state/StateStore.js';

const checkpointSchema = z.object({ savedAt: z.number(), context: z.unknown() });
export type Checkpoint = z.infer<typeof checkpointSchema>;

export function checkpointKey(agent: string, taskKey: string): string {
  return `checkpoint:${agent}:${taskKey}`;
}

/**
 * Saves and restores agent working context through a {@link StateStore}. Restores are
 * validated, so a corrupted entry reads as "no checkpoint" (→ rebuild) instead of crashing.
 *
 * @example
 * await checkpoints.save('researcher', task.id, { notes });
 * const cp = await checkpoints.load('researcher', task.id);
 */
export class CheckpointStore {
  constructor(
    readonly store: StateStore,
    readonly options: { now?: () => number; maxAgeMs?: number } = {},
  ) {}

  async save(agent: string, taskKey: string, context: unknown): Promise<void> {
    const checkpoint: Checkpoint = { savedAt: (this.options.now ?? Date.now)(), context };
    await this.store.set(checkpointKey(agent, taskKey), checkpoint);
  }

  /** The checkpoint, or undefined when missing, malformed or older than `maxAgeMs`. */
  async load(agent: string, taskKey: string): Promise<Checkpoint | undefined> {
    const parsed = checkpointSchema.safeParse(await this.store.get(checkpointKey(agent, taskKey)));
    if (!parsed.success) return undefined;
    const { maxAgeMs } = this.options;
    if (maxAgeMs !== undefined && (this.options.now ?? Date.now)() - parsed.data.savedAt > maxAgeMs) return undefined;
    return parsed.data;
  }

  async delete(agent: string, taskKey: string): Promise<void> {
    await this.store.delete(checkpointKey(agent, taskKey));
  }
}
