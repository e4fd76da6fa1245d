/**
 * Overhead of an un-triggered recovery policy stack per call, as a ratio against a bare
 * async call measured in the same run. Build first (`npm run build`), then:
 *   node dist/bench/recovery.bench.js [--iterations N] [--rounds R]
 * Prints one JSON line (machine) and one human line per variant.
 */
import { performance } from 'node:perf_hooks';
import {
  BulkheadPolicy,
  CircuitBreakerPolicy,
  RecoverySelector,
  RetryPolicy,
  TimeoutPolicy,
  wrap,
  type RecoverableAgent,
  type RecoveryPolicy,
} from '../recovery/index.js';

function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  const v = i >= 0 ? Number(process.argv[i + 1]) : NaN;
  return Number.isFinite(v) && v > 0 ? v : fallback;
}

const ITERATIONS = arg('iterations', 50_000);
const ROUNDS = arg('rounds', 7);

// The "work" is as small as an async call can be, so the ratio is the worst case; real agent
// calls take milliseconds, which is why µs per call is printed too.
const work = async (): Promise<number> => 1;

async function timeLoop(run: () => Promise<unknown>, n: number): Promise<number> {
  const start = performance.now();
  for (let i = 0; i < n; i++) await run();
  return ((performance.now() - start) * 1e6) / n; // ns per call
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

async function main(): Promise<void> {
  const breaker = new CircuitBreakerPolicy({ agent: 'bench' });
  const stack: RecoveryPolicy = wrap(new BulkheadPolicy({ domain: 'bench', maxConcurrent: 16, maxQueue: 16 }), new RetryPolicy(), breaker);
  const stackWithTimeout: RecoveryPolicy = wrap(
    new BulkheadPolicy({ domain: 'bench-t', maxConcurrent: 16, maxQueue: 16 }),
    new RetryPolicy(),
    new CircuitBreakerPolicy({ agent: 'bench-t' }),
    new TimeoutPolicy({ ms: 30_000 }),
  );
  const agent: RecoverableAgent = { name: 'bench-agent', capabilities: [], invoke: work };
  const selector = new RecoverySelector({ timeoutMs: 30_000 });
  const selectorNoTimeout = new RecoverySelector();
  const task = { id: 'bench', input: 0 };

  const variants: Record<string, () => Promise<unknown>> = {
    bare: () => work(),
    retry: (() => {
      const r = new RetryPolicy();
      return () => r.execute(work);
    })(),
    stack_bulkhead_retry_breaker: () => stack.execute(work),
    stack_plus_timeout: () => stackWithTimeout.execute(work),
    selector_run: () => selectorNoTimeout.run(agent, task),
    selector_run_with_timeout: () => selector.run(agent, task),
  };

  // Warm up every variant so the JIT has seen all code paths before timing.
  for (const run of Object.values(variants)) await timeLoop(run, Math.min(ITERATIONS, 20_000));
  const samples: Record<string, number[]> = Object.fromEntries(Object.keys(variants).map((k) => [k, []]));
  for (let r = 0; r < ROUNDS; r++) {
    // Interleaved so drift (thermal, GC) hits all variants alike.
    for (const [name, run] of Object.entries(variants)) samples[name].push(await timeLoop(run, ITERATIONS));
  }
  const bareNs = median(samples.bare);
  const results = Object.fromEntries(
    Object.entries(samples).map(([name, xs]) => {
      const ns = median(xs);
      return [name, { ns_per_call: Math.round(ns), us_per_call: Number((ns / 1000).toFixed(3)), ratio_vs_bare: Number((ns / bareNs).toFixed(2)), added_ns: Math.round(ns - bareNs) }];
    }),
  );
  console.log(JSON.stringify({ bench: 'recovery.overhead', node: process.version, iterations: ITERATIONS, rounds: ROUNDS, results }));
  for (const [name, r] of Object.entries(results)) {
    console.log(`${name.padEnd(30)} ${r.us_per_call.toFixed(3).padStart(8)} µs/call  ${r.ratio_vs_bare.toFixed(2).padStart(7)}× bare  (+${r.added_ns} ns)`);
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
