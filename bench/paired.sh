#!/usr/bin/env bash
# Runs the benches of two builds alternately (base, new, base, new …) on this machine, so a change
# can be compared with the code before it despite a noisy machine. Each run's output is kept.
#
#   git worktree add /tmp/base <commit> && (cd /tmp/base && npm ci && npm run build)
#   npm run build && bench/paired.sh /tmp/base [pairs] [out-dir]
#
# Figures to compare: store ratio_store_vs_raw, collector ratio_vs_raw / ratio_vs_store_write,
# instrumentation ratio_main_thread, analyzer "full report" seconds, dashboard endpoints' p50/p95.
set -euo pipefail
base=$(cd "${1:?usage: bench/paired.sh BASE_DIR [PAIRS] [OUT_DIR]}" && pwd)
pairs=${2:-2}
out=${3:-bench/out/paired}
new=$(cd "$(dirname "$0")/.." && pwd)
mkdir -p "$out"
for i in $(seq 1 "$pairs"); do
  for side in base new; do
    dir=$base; [ "$side" = new ] && dir=$new
    echo "pair $i: $side ($dir)"
    (cd "$dir" && node dist/bench/store.bench.js --quick) > "$out/store-$side-$i.log" 2>&1
    (cd "$dir" && BENCH_SECONDS=5 node dist/bench/collector.bench.js) > "$out/collector-$side-$i.log" 2>&1
    (cd "$dir" && node dist/bench/instrumentation.bench.js --quick --rounds 3) > "$out/instrumentation-$side-$i.log" 2>&1
    (cd "$dir" && node dist/bench/analyzer.bench.js --spans 1000000 --compare-spans 200000) > "$out/analyzer-$side-$i.log" 2>&1
    (cd "$dir" && node dist/bench/dashboard.bench.js --spans 1000000 --quick --json) > "$out/dashboard-$side-$i.log" 2>&1
  done
done
echo "outputs in $out"
