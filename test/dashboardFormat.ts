/** The browser's formatters (dashboard/static/fmt.js), loaded as-is so the test compares the exact text. */
// @ts-expect-error plain JS module without types
export { fmtInt, fmtMs, fmtPct, fmtUsd, fmtIso } from '../dashboard/static/fmt.js';
