/** Dimensions of the rollups (besides the time bucket). */
export const ROLLUP_DIMENSIONS = ['service_name', 'agent_name', 'operation', 'model', 'status_code', 'error_type'] as const;

/** Dimensions of the work rollups (tasks, teams, recovery, usage). */
export const WORK_DIMENSIONS = ['task_type', 'team_signature', 'operation', 'is_root', 'recovery_strategy', 'recovery_outcome', 'status_code'] as const;
