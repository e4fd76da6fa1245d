/**
 * Agent paths: the chain of agents from a trace's root down to a span, e.g.
 * 'orchestrator > researcher > searcher'. An agent appears once per consecutive run (a model call
 * under `invoke_agent researcher` carries researcher's path, not researcher twice), so the path of
 * a span is its parent's path extended by the span's own agent when that differs from the last.
 * With it, "what did this agent cost including everything it delegated" is a sum over the spans
 * whose path contains the agent, and "who calls whom" is the last two names of an agent span's path.
 */

/** Separator between names; agent names with ' > ' in them read as two agents. */
export const PATH_SEPARATOR = ' > ';

/** `parentPath` extended by `agent` when it is set and not already the last name. */
export function extendPath(parentPath: string, agent: string | null): string {
  if (agent === null || agent === '') return parentPath;
  if (parentPath === '') return agent;
  const last = parentPath.lastIndexOf(PATH_SEPARATOR);
  const tail = last < 0 ? parentPath : parentPath.slice(last + PATH_SEPARATOR.length);
  return tail === agent ? parentPath : parentPath + PATH_SEPARATOR + agent;
}
