import type { RecoverableAgent } from './Agent.js';

/** Known agents, searchable by capability for fallback and decomposition. */
export class AgentRegistry {
  readonly #agents = new Map<string, RecoverableAgent>();

  constructor(agents: Iterable<RecoverableAgent> = []) {
    for (const agent of agents) this.register(agent);
  }

  register(agent: RecoverableAgent): this {
    this.#agents.set(agent.name, agent);
    return this;
  }

  get(name: string): RecoverableAgent | undefined {
    return this.#agents.get(name);
  }

  /**
   * Agents offering every `required` capability, closest match first (fewest extra
   * capabilities: a specialist is a better substitute than a generalist), then in
   * registration order.
   */
  findEquivalent(required: readonly string[], exclude: ReadonlySet<string> = new Set()): RecoverableAgent[] {
    const matches: Array<{ agent: RecoverableAgent; extra: number; order: number }> = [];
    let order = 0;
    for (const agent of this.#agents.values()) {
      order++;
      if (exclude.has(agent.name)) continue;
      const caps = new Set(agent.capabilities);
      if (required.every((c) => caps.has(c))) matches.push({ agent, extra: caps.size - required.length, order });
    }
    return matches.sort((a, b) => a.extra - b.extra || a.order - b.order).map((m) => m.agent);
  }

  /** True when `agent` offers every required capability. */
  static satisfies(agent: RecoverableAgent, required: readonly string[]): boolean {
    return required.every((c) => agent.capabilities.includes(c));
  }
}
