/** Dimensions of the rollups (besides the time bucket). */
export const ROLLUP_DIMENSIONS = ['service_name', 'agent_name', 'operation', 'model', 'status_code', 'error_type'] as const;
