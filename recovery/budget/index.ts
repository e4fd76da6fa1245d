export { BudgetPolicy, ATTR_BUDGET_SCOPE, ATTR_BUDGET_SPENT_USD, ATTR_BUDGET_USD } from './BudgetPolicy.js';
export type { BudgetOptions, BudgetExecuteOptions } from './BudgetPolicy.js';
