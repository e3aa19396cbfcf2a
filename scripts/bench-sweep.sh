#!/usr/bin/env bash
# Benchmark of a whole-org sweep (issue 15): `check --org all` over the
# simulator's generated world (20 business groups × 5 environments by
# default, 400 requests per path and minute) with a fixed latency per request
# (100 ms). Prints, from one run: the sweep's wall time and its ratio to its
# floor of six round trips (token, me, hierarchy, environments, API lists,
# probes) and to the same sweep with no cap on requests in flight, the requests and
# the throttled answers (in-process, examples/bench_sweep.rs); then the
# binary against `sim`: three sweeps in a row sharing a cache folder (wall
# time, peak memory, exit status, and what pacing waited for: within one
# minute they send more to one endpoint than its window allows), the first
# lines it prints on a pseudo-terminal (the progress bar) and on a pipe (the
# sections); and the peak memory of one sweep of GROUPS and of ten times as
# many groups (no latency, no limit), to show it does not grow with them.
# Needs: cargo, GNU time (/usr/bin/time), script (util-linux).
# Usage: scripts/bench-sweep.sh [LATENCY_MS] [GROUPS] [ENVIRONMENTS]
set -euo pipefail
cd "$(dirname "$0")/.."
latency=${1:-100}
groups=${2:-20}
environments=${3:-5}

cargo build --release --quiet --bin anypoint-doctor --example bench_sweep
target=${CARGO_TARGET_DIR:-target}
bin=$target/release/anypoint-doctor

echo "== in-process sweep (examples/bench_sweep.rs)"
"$target/release/examples/bench_sweep" "$latency" "$groups" "$environments"

echo
echo "== the binary against \`sim --scenario generated-${groups}x${environments}\` ($latency ms)"
cache=$(mktemp -d)
SIM_CLEANUP='rm -rf "$cache"'
. scripts/sim-lib.sh
start_sim "$bin" --scenario "generated-${groups}x${environments}" --latency-ms "$latency"
# Every run below keeps its rate-limit windows in the same new cache folder.
export ANYPOINT_HOST=$url ANYPOINT_CLIENT_ID=7f3e2d1c0b9a48f7a6e5d4c3b2a1f0e9 ANYPOINT_CLIENT_SECRET=sim-0123456789abcdefFEDCBA9876543210 XDG_CACHE_HOME=$cache
# Exit 1 or 3 is a verdict, not a failure of the benchmark.
for run in 1 2 3; do
  /usr/bin/time -f "  run $run: %e s wall, %M KiB peak (exit %x)" \
    "$bin" check --org all --format json 2>&1 >"${SWEEP_JSON:-/dev/null}" | sed 's/^Waited/    waited/' || true
done
echo "  sections on a pipe:"
{ "$bin" check --org all || true; } | grep -E "^(── |All business groups|What to fix)" | sed 's/^/    /' | head -5
echo "  on a terminal, the progress line as last drawn before the report:"
{ script -qec "$bin check --org all" /dev/null || true; } | tr '\r' '\n' | grep -a "business groups \[" | tail -1 | sed 's/\x1b\[2K//; s/^/    /'
stop_sim

echo
echo "== peak memory of one sweep, by the number of business groups (no latency, no limit)"
for n in "$groups" $((groups * 10)); do
  start_sim "$bin" --scenario "generated-${n}x${environments}" --rate-limit 1000000000
  ANYPOINT_HOST=$url /usr/bin/time -f "  ${n} groups × ${environments}: %e s wall, %M KiB peak (exit %x)" \
    "$bin" check --org all >/dev/null || true
  stop_sim
done
