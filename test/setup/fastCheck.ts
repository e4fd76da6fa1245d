import fc from 'fast-check';

// Property tests draw from a fixed seed so `npm test` is the same run on every machine and every time:
// a counterexample found once is found again, never as a one-in-a-hundred CI failure.
// AGENTPULSE_FC_SEED=random explores new inputs (fast-check prints the seed of any failure); a number replays one.
const chosen = process.env.AGENTPULSE_FC_SEED;
if (chosen !== 'random') {
  const seed = chosen === undefined || chosen === '' ? 20261204 : Number(chosen);
  if (!Number.isInteger(seed)) throw new Error(`AGENTPULSE_FC_SEED must be an integer or "random", got ${JSON.stringify(chosen)}`);
  fc.configureGlobal({ seed });
}
