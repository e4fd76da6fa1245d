/** A unit of work handed to an agent. */
export interface AgentTask<I = unknown> {
  /** Stable id; keys checkpoints. */
  id?: string;
  type?: string;
  input: I;
  /** Capabilities needed to serve the task; defaults to the primary agent's capabilities. */
  requires?: readonly string[];
}

/** What the recovery layer tells an agent about the call it is making. */
export interface AgentCallContext {
  signal: AbortSignal;
  /** 0 for the first call, then increasing across retries/fallbacks for this task. */
  attempt: number;
  /** 'reduced' when a degradation strategy asked for less work. */
  scope: 'full' | 'reduced';
  /** Model override from a degradation plan (cheaper model). */
  model?: string;
  /** Context restored from a checkpoint or rebuilt after context loss. */
  restoredContext?: unknown;
  /** Persist the agent's working context so a later context loss can be restored. */
  saveCheckpoint(context: unknown): Promise<void>;
}

/** Anything the selector can call and substitute: a name, capabilities, a pool and `invoke`. */
export interface RecoverableAgent<I = unknown, O = unknown> {
  readonly name: string;
  readonly capabilities: readonly string[];
  /** Bulkhead pool; defaults to the agent's name. */
  readonly domain?: string;
  invoke(task: AgentTask<I>, ctx: AgentCallContext): Promise<O>;
}
